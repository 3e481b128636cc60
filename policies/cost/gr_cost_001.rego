# METADATA
# title: GPU cost over the environment ceiling
# description: >-
#   A resource's monthly GPU cost at its maximum scale (730 hours, spot price when on spot) is
#   above the ceiling for its environment (defaults dev 5,000 / staging 20,000 / prod 100,000 /
#   unknown 10,000 USD). When the maximum is unbounded the cost is taken at desired scale and
#   GR-COST-004 reports the missing maximum. A cost resting on the configured
#   `default_gpu_hourly_usd` (no catalog price for the accelerator) says "assumed $X/GPU-hour";
#   a GPU resource that cannot be priced at all is an `unknown` outcome, never $0.
# scope: package
# custom:
#   id: GR-COST-001
#   severity: high
#   category: cost
#   remediation: Use a smaller or cheaper GPU type, lower the maximum replicas/nodes, move the workload to spot, or raise the ceiling for this environment in `.guardrails.yaml` (`cost_ceilings`).
#   remediation_by:
#     aws: "Use a smaller or cheaper GPU instance type (for example g5/g6 instead of p4d/p5), lower max_size/desired_size of the Auto Scaling group or node group, run on spot (instance_market_options, capacity_type = \"SPOT\"), or raise this environment's ceiling in `.guardrails.yaml` (`cost_ceilings`)."
#     google: "Use a smaller or cheaper machine type or guest_accelerator, lower node_count/max_node_count, run on Spot VMs (scheduling.provisioning_model = \"SPOT\", node_config.spot), or raise this environment's ceiling in `.guardrails.yaml` (`cost_ceilings`)."
#     azure: "Use a smaller or cheaper VM size, lower instances/node_count/max_count, run on spot (priority = \"Spot\"), or raise this environment's ceiling in `.guardrails.yaml` (`cost_ceilings`)."
#     kubernetes: "Request fewer or cheaper GPUs per pod (resources.limits, the GPU node selector), lower replicas/maxReplicas, schedule on spot nodes, or raise this environment's ceiling in `.guardrails.yaml` (`cost_ceilings`)."
#   config: [cost_ceilings]
#   input: resources
package guardrails.policy.gr_cost_001

import data.guardrails.lib.money
import data.guardrails.lib.util
import rego.v1

ceilings := data.guardrails.config.cost_ceilings

ceiling(env) := c if {
	c := ceilings[env]
} else := ceilings.unknown

deny := array.concat(over_ceiling, unpriced)

over_ceiling := [f |
	some r in input.resources
	util.live(r)
	r.facts.priced
	env := r.facts.environment
	limit := ceiling(env)
	r.facts.monthly_usd.max > limit
	f := {"resource": r.id, "message": concat("", [
		"costs ", r.facts.monthly_usd_display.max, "/month at max scale", assumption(r),
		", over the ", env, " ceiling of ", money.dollars(limit), "/month",
	])}
]

unpriced := [f |
	some r in input.resources
	util.live(r)
	r.facts.is_gpu
	not r.facts.priced
	env := r.facts.environment
	f := {"resource": r.id, "outcome": "unknown", "message": concat("", [
		"the ", env, " ceiling of ", money.dollars(ceiling(env)),
		"/month cannot be checked: GPU cost cannot be determined (", reason(r), ")",
	])}
]

assumption(r) := concat("", [" (", r.facts.price_assumption.display, ")"]) if {
	is_string(r.facts.price_assumption.display)
} else := ""

reason(r) := r.facts.price_unknown.reason if {
	is_string(r.facts.price_unknown.reason)
} else := "not priced"
