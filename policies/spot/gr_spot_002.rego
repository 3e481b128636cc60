# METADATA
# title: Production inference on spot capacity
# description: >-
#   Production inference and serving must not run on spot or preemptible capacity (or on pods
#   that tolerate spot taints): a reclaim takes the service down with two minutes' notice or
#   less.
# scope: package
# custom:
#   id: GR-SPOT-002
#   severity: high
#   category: spot
#   remediation: Run production inference on on-demand or reserved capacity; remove spot node selectors, affinities and tolerations, or keep a non-spot baseline that carries the service alone.
#   remediation_by:
#     aws: "Run production inference on on-demand or reserved capacity: drop instance_market_options or capacity_type = \"SPOT\", or keep an on-demand base (on_demand_base_capacity) that carries the service alone."
#     google: "Run production inference on standard VMs: drop scheduling.provisioning_model = \"SPOT\" (preemptible, node_config.spot), or keep a standard node pool that carries the service alone."
#     azure: "Run production inference on regular-priority VMs: drop priority = \"Spot\", or keep a regular node pool that carries the service alone."
#     kubernetes: "Run production inference on on-demand nodes: remove spot nodeSelectors, affinities and tolerations, or keep a non-spot baseline Deployment that carries the service alone."
#   config: []
#   input: resources
package guardrails.policy.gr_spot_002

import data.guardrails.lib.util
import rego.v1

deny := [f |
	some r in input.resources
	util.live(r)
	r.facts.environment == "prod"
	r.facts.workload_class == "inference"
	reasons := problems(r)
	count(reasons) > 0
	f := {"resource": r.id, "message": concat("", [
		"serves production inference on spot capacity (",
		concat("; ", reasons), ")",
	])}
]

problems(r) := sort(array.concat(selected(r), tolerated(r)))

selected(r) := ["it selects spot or preemptible capacity"] if {
	r.facts.capacity == "spot"
} else := []

tolerated(r) := [concat("", ["pod template ", t.role, " tolerates the spot taint ", key]) |
	some t in util.templates(r)
	key := spot_toleration(t)
]

spot_toleration(t) := sort([tol.key | some tol in t.tolerations; tol.key in util.spot_taint_keys])[0]
