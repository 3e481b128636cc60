# METADATA
# title: GPU quota that limits nothing
# description: >-
#   A ResourceQuota (Kubernetes manifest, Terraform `kubernetes_resource_quota`/`_v1`, Pulumi
#   `kubernetes:core/v1:ResourceQuota`) names a whole-accelerator extended resource (NVIDIA,
#   AMD and Intel GPUs, AWS Neuron devices, Google TPUs, Habana Gaudi: the list every engine
#   reads, policies/data/accelerators.json) in `spec.hard` without the `requests.` prefix. Kubernetes only supports quota on extended resources as
#   `requests.<resource>` ("Resource Quotas: Resource quota for extended resources",
#   kubernetes.io/docs/concepts/policy/resource-quotas), so the namespace's GPU use is in fact
#   unlimited while the manifest looks capped.
# scope: package
# custom:
#   id: GR-SEC-010
#   severity: medium
#   category: security
#   remediation: Rename the key to `requests.nvidia.com/gpu` (or `requests.<resource>` for other accelerators) in `spec.hard`; drop any `limits.` variant.
#   remediation_by:
#     kubernetes_resource_quota: "In the quota's spec.hard, rename the key to `requests.nvidia.com/gpu` (or `requests.<resource>` for other accelerators); drop any `limits.` variant."
#   input: resources
package guardrails.policy.gr_sec_010

import data.guardrails.lib.util
import rego.v1

quota_types := util.types("resource_quotas")

deny := [f |
	some r in input.resources
	r.type in quota_types
	util.live(r)
	keys := ignored_keys(r)
	count(keys) > 0
	f := {"resource": r.id, "message": concat("", [
		"sets ", concat(", ", keys),
		" in spec.hard, which Kubernetes does not enforce for extended resources (only requests.",
		trim_prefix(keys[0], "limits."), " is), so GPU use in the namespace is unlimited",
	])}
]

hards(r) := [h |
	some s in util.blocks(object.get(r.attributes, "spec", null))
	h := s.hard
	is_object(h)
]

ignored_keys(r) := sort([k |
	some h in hards(r)
	some k in object.keys(h)
	ignored(k)
])

ignored(k) if k in util.gpu_resource_names

ignored(k) if {
	startswith(k, "limits.")
	substring(k, 7, -1) in util.gpu_resource_names
}
