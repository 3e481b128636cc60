# METADATA
# title: GPU inference not right-sized
# description: >-
#   A production GPU inference workload (KServe InferenceService, Ray Serve RayService, a
#   Deployment/StatefulSet serving traffic or labelled `workload: inference`) runs a fixed
#   replica count above 1 (a multi-node replica, KServe `workerSpec` or a LeaderWorkerSet group,
#   counts once) with nothing to scale it (no HPA or KEDA ScaledObject targeting it, no
#   KServe `minReplicas`/`maxReplicas` range, no Ray autoscaling), or pins its autoscaler with
#   min = max above 1 (HPA `minReplicas` = `maxReplicas`, KEDA `minReplicaCount` =
#   `maxReplicaCount`). Every replica above the traffic's need is an idle GPU floor paid 730
#   hours a month; the message shows that floor's monthly cost.
# scope: package
# custom:
#   id: GR-COST-008
#   severity: low
#   category: cost
#   remediation: Let the replica count follow load — an HPA or KEDA ScaledObject with a lower minimum, KServe `minReplicas` below `maxReplicas` (or scale-to-zero), Ray Serve `autoscaling_config` — or lower the fixed replica count to what the traffic needs.
#   remediation_by:
#     InferenceService: "Set spec.predictor.minReplicas below maxReplicas (or 0 for scale-to-zero) so KServe follows load, or lower the replica count to what the traffic needs."
#     RayService: "Enable Ray Serve autoscaling (autoscaling_config with min_replicas below max_replicas in serveConfigV2, and enableInTreeAutoscaling) or lower the fixed replica count to what the traffic needs."
#     kubernetes: "Let the replica count follow load with a HorizontalPodAutoscaler or KEDA ScaledObject whose minimum is below its maximum, or lower the fixed replica count to what the traffic needs."
#   input: resources
package guardrails.policy.gr_cost_008

import data.guardrails.lib.util
import rego.v1

deny := [f |
	some r in input.resources
	util.live(r)
	r.facts.is_gpu
	r.facts.environment == "prod"
	r.facts.workload_class == "inference"
	is_object(r.workload)
	f := finding(r)
]

floor(r) := concat("", ["an idle floor of ", r.facts.monthly_usd_display.desired, "/month", assumption(r)]) if {
	r.facts.priced
} else := "an idle floor whose cost is unknown (unpriced)"

assumption(r) := concat("", [" (", r.facts.price_assumption.display, ")"]) if {
	is_string(r.facts.price_assumption.display)
} else := ""

finding(r) := f if {
	not r.facts.autoscaling.enabled
	n := r.facts.replicas.groups
	is_number(n)
	n > 1
	f := {"resource": r.id, "message": concat("", [
		"serves production GPU inference on a fixed ", format_int(n, 10),
		" replicas with no autoscaling: ", floor(r), " paid whether or not traffic needs it",
	])}
}

finding(r) := f if {
	a := r.facts.autoscaling
	a.enabled
	is_number(a.min)
	is_number(a.max)
	a.min == a.max
	a.min > 1
	f := {"resource": r.id, "message": concat("", [
		"pins its GPU autoscaling at min = max = ", format_int(a.min, 10),
		" replicas: ", floor(r), " that can never scale down",
	])}
}
