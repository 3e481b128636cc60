# METADATA
# title: Training job with more than 16 GPUs in dev
# description: >-
#   A training job in dev asks for at most 16 GPUs in all (every replica counted, at its
#   largest scale); bigger runs belong in staging or prod, where capacity is reserved.
# scope: package
# custom:
#   id: ACME-GPU-002
#   severity: high
#   category: cost
#   remediation: Bring the job to 16 GPUs or fewer (replicas x GPUs per replica), or run it in staging or prod.
#   config: []
#   input: resources
package guardrails.policy.acme_gpu_002

import rego.v1

max_gpus_in_dev := 16

deny := array.concat(too_many, not_known)

# Training jobs in dev whose GPUs, every replica counted, can exceed the limit.
too_many := [f |
	some r in input.resources
	dev_training(r)
	gpus := object.get(r.facts, ["gpu", "total", "max"], null)
	is_number(gpus)
	gpus > max_gpus_in_dev
	f := {"resource": r.id, "message": concat("", [
		r.address, " can use ", format_int(gpus, 10), " GPUs in dev (at most ",
		format_int(max_gpus_in_dev, 10), ")",
	])}
]

# A GPU training job whose GPU total is known only after apply: unknown, never a pass.
not_known := [f |
	some r in input.resources
	dev_training(r)
	r.facts.is_gpu
	not is_number(object.get(r.facts, ["gpu", "total", "max"], null))
	f := {"resource": r.id, "outcome": "unknown", "message": concat("", [
		r.address, " has a GPU total known only after apply",
	])}
]

dev_training(r) if {
	r.facts.workload_class == "training"
	r.facts.environment == "dev"
}
