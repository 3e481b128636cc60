# METADATA
# title: GPU autoscaling maximum above the safe limit
# description: >-
#   GPU capacity that autoscales (ASG, node group, node pool, Karpenter NodePool, HPA, KServe,
#   Ray) needs a maximum no higher than `max_gpu_nodes` (default 16); otherwise one traffic
#   spike or runaway job multiplies the bill. A maximum only known after apply is `unknown`.
#   No maximum at all is GR-COST-009 (unbounded GPU scale, high).
# scope: package
# custom:
#   id: GR-COST-004
#   severity: medium
#   category: cost
#   remediation: Set an explicit maximum (max_size, max_node_count, maxReplicas, spec.limits) at or below `max_gpu_nodes`, or raise `max_gpu_nodes` deliberately.
#   remediation_by:
#     aws: "Set max_size on the Auto Scaling group or the node group's scaling_config at or below `max_gpu_nodes`, or raise `max_gpu_nodes` deliberately."
#     google: "Set autoscaling.max_node_count (or total_max_node_count) on the node pool, or max_replicas on the instance group autoscaler, at or below `max_gpu_nodes`, or raise `max_gpu_nodes` deliberately."
#     azure: "Set max_count on the auto-scaling node pool (or the scale set's autoscale maximum) at or below `max_gpu_nodes`, or raise `max_gpu_nodes` deliberately."
#     kubernetes: "Set maxReplicas on the HorizontalPodAutoscaler, KServe predictor or Ray worker group, or spec.limits on the Karpenter NodePool, at or below `max_gpu_nodes`, or raise `max_gpu_nodes` deliberately."
#   config: [max_gpu_nodes]
#   input: resources
package guardrails.policy.gr_cost_004

import data.guardrails.lib.util
import rego.v1

deny := [f |
	some r in input.resources
	util.live(r)
	r.facts.is_gpu
	r.facts.autoscaling.enabled
	f := finding(r, r.facts.autoscaling)
]

finding(r, a) := f if {
	path := util.unknown_path(r, a.attribute)
	f := {"resource": r.id, "outcome": "unknown", "attribute": path, "message": concat("", [
		"the autoscaling maximum (", path, ") is unknown until apply",
	])}
}

finding(r, a) := f if {
	not util.unknown_path(r, a.attribute)
	a.explicit_max
	is_number(a.max)
	a.max > data.guardrails.config.max_gpu_nodes
	f := {"resource": r.id, "message": concat("", [
		"can scale to ", format_int(a.max, 10),
		" GPU nodes or replicas, above max_gpu_nodes ",
		format_int(data.guardrails.config.max_gpu_nodes, 10),
	])}
}
