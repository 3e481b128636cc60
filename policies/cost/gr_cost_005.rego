# METADATA
# title: GPU cost cannot be determined
# description: >-
#   A GPU resource whose price is unknown (type not in the GPU catalog, no public list price,
#   replica count not known, or a value known only after apply) is reported, so cost ceilings
#   are never skipped silently. Values known only after apply give an `unknown` outcome.
# scope: package
# custom:
#   id: GR-COST-005
#   severity: low
#   category: cost
#   remediation: Use an instance type from the GPU catalog, set the instance type and replica counts literally, or review the cost by hand and waive this finding with an owner and expiry.
#   remediation_by:
#     aws: "Use an instance type from the GPU catalog, write instance_type and the group sizes literally (not from values known only after apply), or review the cost by hand and waive this finding with an owner and expiry."
#     google: "Use a machine type and guest_accelerator type from the GPU catalog, write them and the node counts literally, or review the cost by hand and waive this finding with an owner and expiry."
#     azure: "Use a VM size from the GPU catalog, write size/vm_size and the instance counts literally, or review the cost by hand and waive this finding with an owner and expiry."
#     kubernetes: "Request a GPU resource and model the catalog prices (a nodeSelector on nvidia.com/gpu.product or the accelerator label), write replicas literally, or review the cost by hand and waive this finding with an owner and expiry."
#   config: []
#   input: resources
package guardrails.policy.gr_cost_005

import data.guardrails.lib.util
import rego.v1

deny := [f |
	some r in input.resources
	util.live(r)
	r.facts.is_gpu
	not r.facts.priced
	is_string(r.facts.price_unknown.reason)
	f := finding(r, r.facts.price_unknown)
]

message(r, p) := concat("", ["GPU cost cannot be determined: ", p.reason])

finding(r, p) := {"resource": r.id, "outcome": "unknown", "attribute": p.attribute, "message": message(r, p)} if {
	is_string(p.attribute)
}

finding(r, p) := {"resource": r.id, "message": message(r, p)} if {
	not is_string(p.attribute)
}
