# METADATA
# title: GPU budget pool's worst case exceeds its budget
# description: >-
#   The worst-case monthly GPU spend the pool's scaling configuration allows is above the pool's
#   budget (`budgets:` in `.guardrails.yaml`, monthly USD or `{monthly, hourly}`). The worst case
#   sums, per member of the pool, what its limits let it buy at the priciest allowed type, at
#   on-demand prices (spot capacity can cost up to on-demand): a Karpenter NodePool's
#   `spec.limits` (nvidia.com/gpu, cpu, memory or nodes, whichever binds first) plus an overrun
#   margin of `budgets.overrun_nodes` nodes (default 1; limit checking is eventually consistent),
#   a Kueue ClusterQueue's nominal quota plus borrowing limit per flavor, a ResourceQuota's
#   `requests.nvidia.com/gpu`, a Volcano Queue's GPU `spec.capability`, and any other GPU resource at its max size or HPA/KEDA max
#   replicas. Where GR-COST-007 judges the cost at desired scale, this judges what the
#   configuration permits. A pool with a member that has no upper bound (a NodePool without
#   limits, a cohort member without a borrowingLimit, no max replicas) or that allows a GPU type
#   with no catalog price is `unknown`, unless its bounded members alone exceed the budget.
# scope: package
# custom:
#   id: GR-COST-010
#   severity: high
#   category: cost
#   remediation: Run `guardrails budgets compile` to get the NodePool limits, ClusterQueue quotas and ResourceQuotas that fit the budget, narrow the allowed instance types to priced ones, or raise the pool's budget deliberately.
#   config: [budgets]
#   input: summary
package guardrails.policy.gr_cost_010

import rego.v1

pools := p if {
	p := input.summary.budgets.worst_case
	is_array(p)
} else := []

deny := [f |
	some p in pools
	is_number(p.budget)
	f := finding(p)
]

members(p) := "" if {
	p.members_display == ""
} else := concat("", ["; ", p.members_display])

finding(p) := f if {
	p.monthly_usd_worst > p.budget
	f := {"resource": "change", "message": concat("", [
		"Budget pool ", p.name, " can spend ", p.monthly_usd_worst_display,
		"/month at worst, ", p.over_display, " over its ", p.budget_display, " budget",
		members(p), unbounded(p),
	])}
}

finding(p) := f if {
	p.monthly_usd_worst <= p.budget
	not p.bounded
	f := {"resource": "change", "outcome": "unknown", "message": concat("", [
		"Budget pool ", p.name, " has no provable worst case against its ", p.budget_display,
		" budget: ", p.problems_display, "; the bounded members alone come to ",
		p.monthly_usd_worst_display,
	])}
}

unbounded(p) := "" if {
	p.bounded
} else := concat("", ["; and with no bound: ", p.problems_display])
