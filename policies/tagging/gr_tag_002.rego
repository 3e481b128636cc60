# METADATA
# title: Tag value not allowed
# description: >-
#   Tag and label values that reports group by must come from a known set or match a pattern
#   (by default environment is one of dev, staging, prod), so cost reports do not split
#   "prod" from "Production". The environment tag follows the one environment rule of the
#   enrichment: a value that is a configured alias of an allowed environment
#   (`environment_aliases`, by default `development` of dev, `production` of prod) is that
#   environment for the cost ceilings and allowed here; with the alias removed from the
#   configuration it is invalid for both.
# scope: package
# custom:
#   id: GR-TAG-002
#   severity: medium
#   category: tagging
#   remediation: Use one of the allowed values (config `allowed_tag_values`) or a value matching the configured pattern (`tag_patterns`).
#   config: [allowed_tag_values, tag_patterns]
#   input: resources
package guardrails.policy.gr_tag_002

import data.guardrails.lib.util
import rego.v1

deny := array.concat(not_allowed, not_matching)

not_allowed := [f |
	some r in input.resources
	r.facts.taggable
	util.live(r)
	allowed := data.guardrails.config.allowed_tag_values[key]
	value := util.tag(r, key)
	not value in allowed
	not environment_alias(r, key, allowed)
	f := {"resource": r.id, "message": concat("", ["has ", util.tag_key(r, key), "=", value, "; allowed values: ", concat(", ", sort(allowed))])}
]

not_matching := [f |
	some r in input.resources
	r.facts.taggable
	util.live(r)
	pattern := data.guardrails.config.tag_patterns[key]
	value := util.tag(r, key)
	not regex.match(concat("", ["^(?:", pattern, ")$"]), value)
	f := {"resource": r.id, "message": concat("", ["has ", util.tag_key(r, key), "=", value, ", which does not match the pattern ", pattern])}
]

# The environment tag's value is an alias of an allowed environment by the enrichment's one
# rule (facts.environment normalized from the label).
environment_alias(r, key, allowed) if {
	lower(key) == "environment"
	r.facts.environment_source == "label"
	r.facts.environment in allowed
}
