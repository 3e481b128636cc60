# METADATA
# title: Required tag or label missing
# description: >-
#   Every resource that carries spend carries the tags FinOps needs to attribute its cost
#   (default owner, team, cost-center, environment). One rule (`facts.taggable`) says what
#   carries spend, for every tagging policy: a managed cloud resource whose schema has tags or
#   labels (a GKE node pool's `node_config.resource_labels` included), and a Kubernetes object
#   that runs pods (a workload from a manifest, Pulumi or a Terraform `kubernetes_*` resource)
#   or provisions nodes (a Karpenter NodePool); Services, Namespaces, ConfigMaps and other
#   objects that run nothing billed are not. When the tags are only known after apply, the
#   finding is `unknown` instead of a guess.
# scope: package
# custom:
#   id: GR-TAG-001
#   severity: medium
#   category: tagging
#   remediation: "Add the missing tags or labels to the resource; or map a key you already use to it with `tag_aliases` in `.guardrails.yaml`."
#   remediation_by:
#     aws: "Add the missing tags in `tags`, or once for all resources in the provider's `default_tags`; or map a key you already use to it with `tag_aliases` in `.guardrails.yaml`."
#     google: "Add the missing labels in `labels` (node pools: node_config.resource_labels), or once in the provider's `default_labels`; or map a key you already use to it with `tag_aliases` in `.guardrails.yaml`."
#     azure: "Add the missing tags in `tags` on the resource (a module variable or Azure Policy tag inheritance can apply them everywhere); or map a key you already use to it with `tag_aliases` in `.guardrails.yaml`."
#     kubernetes: "Add the missing labels under metadata.labels (and the pod template's labels, which cost tools read from pods); or map a key you already use to it with `tag_aliases` in `.guardrails.yaml`."
#   config: [required_tags]
#   input: resources
package guardrails.policy.gr_tag_001

import data.guardrails.lib.util
import rego.v1

deny := [f |
	some r in input.resources
	r.facts.taggable
	util.live(r)
	f := finding(r)
]


missing(r) := sort([k | some k in data.guardrails.config.required_tags; not util.has_tag(r, k)])

finding(r) := f if {
	unknowns := util.tag_unknowns(r)
	count(unknowns) > 0
	count(missing(r)) > 0
	f := {
		"resource": r.id,
		"outcome": "unknown",
		"attribute": unknowns[0],
		"message": concat("", ["tags are unknown until apply (", unknowns[0], "), so required tags ", concat(", ", missing(r)), " cannot be checked"]),
	}
}

finding(r) := f if {
	count(util.tag_unknowns(r)) == 0
	gaps := missing(r)
	count(gaps) > 0
	f := {"resource": r.id, "message": concat("", ["is missing required tags: ", concat(", ", gaps)])}
}
