# METADATA
# title: GPU resource without a workload tag
# description: >-
#   Every GPU resource says what it is for (training, inference, batch, notebook, dev) so its
#   cost can be attributed and the spot rules can apply.
# scope: package
# custom:
#   id: GR-TAG-003
#   severity: high
#   category: tagging
#   remediation: Add a `workload` tag or label with one of the allowed values (training, inference, batch, notebook, dev).
#   remediation_by:
#     aws: "Add a `workload` tag in `tags` with one of the allowed values (`allowed_workloads`: training, inference, batch, notebook, dev by default)."
#     google: "Add a `workload` label in `labels` (node pools: node_config.resource_labels) with one of the allowed values (`allowed_workloads`: training, inference, batch, notebook, dev by default)."
#     azure: "Add a `workload` tag in `tags` with one of the allowed values (`allowed_workloads`: training, inference, batch, notebook, dev by default)."
#     kubernetes: "Add a `workload` label under metadata.labels with one of the allowed values (`allowed_workloads`: training, inference, batch, notebook, dev by default)."
#   config: [allowed_workloads]
#   input: resources
package guardrails.policy.gr_tag_003

import data.guardrails.lib.util
import rego.v1

allowed := {w | some w in data.guardrails.config.allowed_workloads}

deny := [f |
	some r in input.resources
	r.facts.is_gpu
	util.live(r)
	f := finding(r)
]

finding(r) := {"resource": r.id, "message": concat("", ["has no workload tag"])} if {
	not util.has_tag(r, "workload")
	count(util.tag_unknowns(r)) == 0
}

finding(r) := f if {
	not util.has_tag(r, "workload")
	unknowns := util.tag_unknowns(r)
	count(unknowns) > 0
	f := {
		"resource": r.id, "outcome": "unknown", "attribute": unknowns[0],
		"message": concat("", ["tags are unknown until apply (", unknowns[0], "), so the workload tag cannot be checked"]),
	}
}

finding(r) := {"resource": r.id, "message": msg} if {
	value := util.tag(r, "workload")
	not allowed[value]
	msg := concat("", ["has workload tag ", value, ", which is not one of ", concat(", ", sort(data.guardrails.config.allowed_workloads))])
}
