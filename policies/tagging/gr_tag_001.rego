# METADATA
# title: Required tag or label missing
# description: >-
#   Every taggable cloud resource and Kubernetes workload carries the tags FinOps needs to
#   attribute its cost (default owner, team, cost-center, environment). When the tags are only
#   known after apply, the finding is `unknown` instead of a guess.
# scope: package
# custom:
#   id: GR-TAG-001
#   severity: medium
#   category: tagging
#   remediation: Add the missing tags (Terraform `tags`/provider `default_tags`, Pulumi `tags`, Kubernetes `metadata.labels`).
#   config: [required_tags]
package guardrails.policy.gr_tag_001

import data.guardrails.lib.util
import rego.v1

deny := [f |
	some r in input.resources
	r.facts.taggable
	util.live(r)
	f := finding(r)
]

tag_unknowns(r) := sort([u | some u in r.unknown; tag_path(u)])

tag_path(u) if u in {"tags", "tags_all", "labels"}

tag_path(u) if startswith(u, "tags.")

tag_path(u) if startswith(u, "tags_all.")

missing(r) := sort([k | some k in data.guardrails.config.required_tags; not r.labels[k]])

finding(r) := f if {
	unknowns := tag_unknowns(r)
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
	count(tag_unknowns(r)) == 0
	gaps := missing(r)
	count(gaps) > 0
	f := {"resource": r.id, "message": concat("", ["is missing required tags: ", concat(", ", gaps)])}
}
