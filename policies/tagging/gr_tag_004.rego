# METADATA
# title: GPU spend cannot be attributed
# description: >-
#   Every GPU resource (every taggable resource with `attribution_scope: all`) carries the tags or
#   labels that charge its spend to a team and a model: `attribution_tags` in `.guardrails.yaml`,
#   each item a key or a list of keys of which one is enough (default `team` and one of
#   `model`/`project`). Without them the spend lands in the `unattributed` budget pool and no
#   showback report can name who pays. Tags only known after apply give `unknown`.
# scope: package
# custom:
#   id: GR-TAG-004
#   severity: medium
#   category: tagging
#   remediation: "Add the attribution tags or labels (for example `team` and `model`) to the resource; or map a key you already use to it with `tag_aliases` in `.guardrails.yaml`."
#   remediation_by:
#     aws: "Add the attribution tags (for example `team` and `model`) in `tags` or the provider's `default_tags`; or map a key you already use to it with `tag_aliases` in `.guardrails.yaml`."
#     google: "Add the attribution labels (for example `team` and `model`) in `labels` or the provider's `default_labels`; or map a key you already use to it with `tag_aliases` in `.guardrails.yaml`."
#     azure: "Add the attribution tags (for example `team` and `model`) in the resource's `tags`; or map a key you already use to it with `tag_aliases` in `.guardrails.yaml`."
#     kubernetes: "Add the attribution labels (for example `team` and `model`) under the workload's metadata.labels; or map a key you already use to it with `tag_aliases` in `.guardrails.yaml`."
#   config: [attribution_tags, attribution_scope]
#   input: resources
package guardrails.policy.gr_tag_004

import data.guardrails.lib.util
import rego.v1

deny := [f |
	some r in input.resources
	r.facts.taggable
	in_scope(r)
	util.live(r)
	gaps := missing(r)
	count(gaps) > 0
	f := finding(r, gaps)
]

in_scope(r) if data.guardrails.config.attribution_scope == "all"

in_scope(r) if {
	data.guardrails.config.attribution_scope != "all"
	r.facts.is_gpu
}

missing(r) := [name |
	some item in data.guardrails.config.attribution_tags
	not present(r, item)
	name := label(item)
]

present(r, item) if {
	is_string(item)
	util.has_tag(r, item)
}

present(r, item) if {
	is_array(item)
	some key in item
	util.has_tag(r, key)
}

# "no team tag", "no model or project tag": each gap reads on its own.
label(item) := concat("", ["no ", item, " tag"]) if is_string(item)

label(item) := concat("", ["no ", concat(" or ", item), " tag"]) if is_array(item)


finding(r, gaps) := f if {
	unknowns := util.tag_unknowns(r)
	count(unknowns) > 0
	f := {"resource": r.id, "outcome": "unknown", "attribute": unknowns[0], "message": concat("", [
		"tags are unknown until apply (", unknowns[0],
		"), so cost attribution cannot be checked (as planned: ", concat(", ", gaps), ")",
	])}
}

finding(r, gaps) := f if {
	count(util.tag_unknowns(r)) == 0
	f := {"resource": r.id, "message": concat("", [
		"spend cannot be attributed: ",
		concat(", ", gaps),
	])}
}
