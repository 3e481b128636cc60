# METADATA
# title: Spot workload not ready for interruption
# description: >-
#   A workload on spot capacity must survive a reclaim: jobs retry (backoffLimit or equivalent
#   above zero) and checkpoint (a persistent volume or a checkpoint annotation), pods get at
#   least 30 seconds to shut down, and VMs say what happens on interruption.
# scope: package
# custom:
#   id: GR-SPOT-003
#   severity: medium
#   category: spot
#   remediation: "Make the workload survive a reclaim: retries above 0, a checkpoint, a graceful shutdown of at least 30 seconds, and an explicit interruption behaviour on VMs."
#   remediation_by:
#     aws: "Say what happens on interruption (instance_interruption_behavior, for example \"stop\" on a persistent spot request), checkpoint to S3 or EBS, and react to the two-minute interruption notice."
#     google: "Set scheduling.instance_termination_action (for example \"STOP\"), checkpoint to Cloud Storage or a persistent disk, and use a shutdown script for the 30-second preemption notice."
#     azure: "Set eviction_policy (Deallocate keeps the disks), checkpoint to Blob storage or a managed disk, and watch Scheduled Events for the 30-second eviction notice."
#     kubernetes: "Make the job retry (backoffLimit, or the operator's restart/retry setting, above 0), mount a checkpoint volume (or annotate the checkpoint location), and give pods terminationGracePeriodSeconds >= 30."
#   config: []
#   input: resources
package guardrails.policy.gr_spot_003

import data.guardrails.lib.util
import rego.v1

deny := [f |
	some r in input.resources
	util.live(r)
	r.facts.capacity == "spot"
	reasons := problems(r)
	count(reasons) > 0
	f := {"resource": r.id, "message": concat("", [
		"runs on spot but is not ready for interruption: ",
		concat("; ", reasons),
	])}
]

problems(r) := sort(array.concat(array.concat(retries(r), checkpoints(r)), array.concat(grace(r), vm(r))))

batch(r) if r.facts.workload_class in {"training", "batch"}

retries(r) := ["no retries (backoffLimit is unset or 0)"] if {
	batch(r)
	count(util.templates(r)) > 0
	not retried(r)
} else := []

retried(r) if {
	some t in util.templates(r)
	is_number(t.backoff_limit)
	t.backoff_limit > 0
}

checkpoints(r) := ["no checkpoint volume or checkpoint annotation"] if {
	batch(r)
	count(util.templates(r)) > 0
	not checkpointed(r)
} else := []

checkpointed(r) if {
	some t in util.templates(r)
	some v in t.volumes
	v.persistentVolumeClaim
}

checkpointed(r) if {
	some t in util.templates(r)
	some key, _ in t.annotations
	contains(key, "checkpoint")
}

grace(r) := [concat("", ["pod template ", t.role, " has terminationGracePeriodSeconds ", format_int(t.termination_grace_period_seconds, 10), " (< 30)"]) |
	some t in util.templates(r)
	is_number(t.termination_grace_period_seconds)
	t.termination_grace_period_seconds < 30
]

vm(r) := ["no interruption behaviour (instance_market_options.spot_options.instance_interruption_behavior)"] if {
	r.type == "aws_instance"
	not aws_behaviour(r)
} else := ["no interruption behaviour (scheduling.instance_termination_action)"] if {
	r.type in util.types("gcp_instances")
	not gcp_behaviour(r)
} else := ["no eviction policy (eviction_policy)"] if {
	r.type in util.types("azure_vms")
	not is_string(object.get(r.attributes, "eviction_policy", null))
} else := []

aws_behaviour(r) if {
	some m in util.blocks(r.attributes.instance_market_options)
	some s in util.blocks(m.spot_options)
	is_string(s.instance_interruption_behavior)
}

gcp_behaviour(r) if {
	some s in util.blocks(r.attributes.scheduling)
	is_string(s.instance_termination_action)
}
