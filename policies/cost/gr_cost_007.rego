# METADATA
# title: GPU budget pool exceeded
# description: >-
#   The monthly GPU cost after the change (730 hours at desired scale, the same figures as the
#   change delta) of every resource in a budget pool is above the pool's budget. Pools come
#   from `budgets:` in `.guardrails.yaml`, keyed by any tag/label dimension (`team`, `model`,
#   `workload`, `environment`, ...) and span formats: a Terraform node group and a Kubernetes
#   PyTorchJob labelled `team=research` share one pool. Resources without the dimension fall in
#   the `unattributed` pool, which can have its own budget. Fails once per pool, naming the top
#   contributors and the pool's cost before and after; a pool whose GPU resources cannot all be
#   priced is `unknown` rather than assumed within budget; with `warn_at_percent` a pool that
#   reaches that share of its budget is reported at medium severity. The message says how much
#   of the pool's cost is priced at the assumed default $/GPU-hour (`default_gpu_hourly_usd`, no
#   catalog row), names a Kubernetes GPU workload counted once on the node group it runs on (it
#   adds only the scale-up beyond the group's desired size), and names GPU workloads that may
#   also run on a GPU node group of the change without a nodeSelector/affinity tying them to it
#   (counted on both: possibly twice).
# scope: package
# custom:
#   id: GR-COST-007
#   severity: high
#   category: cost
#   remediation: Shrink or remove the pool's top contributors (fewer replicas or nodes, smaller or spot GPUs), move resources to the pool that pays for them (fix the tag/label), or raise the pool's budget in `.guardrails.yaml` (`budgets`) deliberately.
#   config: [budgets]
#   input: summary
package guardrails.policy.gr_cost_007

import rego.v1

pools := p if {
	p := input.summary.budgets.pools
	is_array(p)
} else := []

deny := [f |
	some p in pools
	is_number(p.budget)
	f := finding(p)
]

unpriced_note(p) := "" if {
	p.unpriced == 0
} else := concat("", [
	"; ", format_int(p.unpriced, 10), " more GPU resource(s) in the pool are unpriced: ",
	concat(", ", p.unpriced_addresses),
])

contributors(p) := "" if {
	p.top_contributors_display == ""
} else := concat("", ["; top contributors: ", p.top_contributors_display])

change(p) := concat("", [
	p.monthly_usd_before_display, " → ", p.monthly_usd_after_display,
	" (", p.monthly_usd_delta_display, ")",
])

finding(p) := f if {
	p.monthly_usd_after > p.budget
	f := {"resource": "change", "message": concat("", [
		"Budget pool ", p.name, " is ", p.over_display, " over its ", p.budget_display,
		"/month budget: monthly GPU cost ", change(p), contributors(p), unpriced_note(p),
		p.caveats_display,
	])}
}

finding(p) := f if {
	p.monthly_usd_after <= p.budget
	p.unpriced > 0
	f := {"resource": "change", "outcome": "unknown", "message": concat("", [
		"Budget pool ", p.name, " cannot be checked against its ", p.budget_display,
		"/month budget: priced GPU cost ", change(p), ", but ", format_int(p.unpriced, 10),
		" GPU resource(s) are unpriced: ", concat(", ", p.unpriced_addresses), p.caveats_display,
	])}
}

finding(p) := f if {
	p.monthly_usd_after <= p.budget
	p.unpriced == 0
	is_number(p.warn_at)
	p.monthly_usd_after >= p.warn_at
	p.monthly_usd_after > 0
	f := {"resource": "change", "severity": "medium", "message": concat("", [
		"Budget pool ", p.name, " is at ", format_int(p.percent_used, 10), "% of its ",
		p.budget_display, "/month budget (warn at ", p.warn_percent_display,
		"): monthly GPU cost ", change(p), contributors(p), p.caveats_display,
	])}
}
