# METADATA
# title: Change raises GPU cost above the delta ceiling
# description: >-
#   The change as a whole raises the monthly GPU cost (after minus before, at desired scale)
#   by more than the delta ceiling (default 25,000 USD). Reported once per change, naming the
#   largest contributors and what the total leaves out (unpriced resources, assumed prices).
#   When the priced part is within the ceiling but GPU resources of the change cannot be
#   priced, the outcome is `unknown`: the change's cost is not fully known.
# scope: package
# custom:
#   id: GR-COST-002
#   severity: high
#   category: cost
#   remediation: Split the change, shrink the largest contributors, or get the increase approved and raise `delta_ceiling` (or waive GR-COST-002 for this change with an owner and expiry).
#   config: [delta_ceiling]
#   input: summary
package guardrails.policy.gr_cost_002

import data.guardrails.lib.money
import rego.v1

cost := input.summary.cost

contributors := [line |
	some c in cost.top_contributors
	line := concat("", [c.address, " (", c.monthly_usd_delta_display, ")"])
]

deny := array.concat(over_ceiling, unpriced)

over_ceiling := [f |
	cost.monthly_usd_delta > data.guardrails.config.delta_ceiling
	f := {"resource": "change", "message": concat("", [
		"This change raises monthly GPU cost by ", cost.monthly_usd_delta_display, " (",
		cost.monthly_usd_before_display, " to ", cost.monthly_usd_after_display,
		"), over the delta ceiling of ", money.dollars(data.guardrails.config.delta_ceiling),
		coverage, "; top contributors: ", concat(", ", contributors),
	])}
]

# The priced part is under the ceiling, but resources the total leaves out could take it over.
unpriced := [f |
	cost.monthly_usd_delta <= data.guardrails.config.delta_ceiling
	cost.unpriced > 0
	names := [u.address | some u in cost.unpriced_resources]
	f := {"resource": "change", "outcome": "unknown", "unknown_reason": "unpriced", "message": concat("", [
		"The priced part of this change raises monthly GPU cost by ",
		cost.monthly_usd_delta_display, ", within the delta ceiling of ",
		money.dollars(data.guardrails.config.delta_ceiling),
		", but unpriced GPU resources are not in the total: ", concat(", ", names),
	])}
]

coverage := concat("", [" (", cost.coverage_note, ")"]) if {
	is_string(cost.coverage_note)
	cost.coverage_note != ""
} else := ""
