# METADATA
# title: Change raises GPU cost above the delta ceiling
# description: >-
#   The change as a whole raises the monthly GPU cost (after minus before, at desired scale)
#   by more than the delta ceiling (default 25,000 USD). Reported once per change, naming the
#   largest contributors.
# scope: package
# custom:
#   id: GR-COST-002
#   severity: high
#   category: cost
#   remediation: Split the change, shrink the largest contributors, or get the increase approved and raise `delta_ceiling` (or waive GR-COST-002 for this change with an owner and expiry).
#   config: [delta_ceiling]
package guardrails.policy.gr_cost_002

import data.guardrails.lib.money
import rego.v1

cost := input.summary.cost

contributors := [line |
	some c in cost.top_contributors
	line := concat("", [c.address, " (", c.monthly_usd_delta_display, ")"])
]

deny := [f |
	cost.monthly_usd_delta > data.guardrails.config.delta_ceiling
	f := {"resource": "change", "message": concat("", [
		"This change raises monthly GPU cost by ", cost.monthly_usd_delta_display, " (",
		cost.monthly_usd_before_display, " to ", cost.monthly_usd_after_display,
		"), over the delta ceiling of ", money.dollars(data.guardrails.config.delta_ceiling),
		"; top contributors: ", concat(", ", contributors),
	])}
]
