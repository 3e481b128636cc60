# METADATA
# title: GPU cost over the environment ceiling
# description: >-
#   A resource's monthly GPU cost at its maximum scale (730 hours, spot price when on spot) is
#   above the ceiling for its environment (defaults dev 5,000 / staging 20,000 / prod 100,000 /
#   unknown 10,000 USD). When the maximum is unbounded the cost is taken at desired scale and
#   GR-COST-004 reports the missing maximum.
# scope: package
# custom:
#   id: GR-COST-001
#   severity: high
#   category: cost
#   remediation: Use a smaller or cheaper GPU type, lower the maximum replicas/nodes, move the workload to spot, or raise the ceiling for this environment in `.guardrails.yaml` (`cost_ceilings`).
#   config: [cost_ceilings]
package guardrails.policy.gr_cost_001

import data.guardrails.lib.money
import data.guardrails.lib.util
import rego.v1

ceilings := data.guardrails.config.cost_ceilings

ceiling(env) := c if {
	c := ceilings[env]
} else := ceilings.unknown

deny := [f |
	some r in input.resources
	util.live(r)
	r.facts.priced
	env := r.facts.environment
	limit := ceiling(env)
	r.facts.monthly_usd.max > limit
	f := {"resource": r.id, "message": concat("", [
		r.type, " ", r.address, " costs ", r.facts.monthly_usd_display.max,
		"/month at max scale, over the ", env, " ceiling of ", money.dollars(limit), "/month",
	])}
]
