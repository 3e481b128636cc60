# METADATA
# title: Part of the input could not be evaluated
# description: >-
#   Every node the engine could not look inside is reported with an `unknown` outcome instead
#   of passing silently: a Terraform module whose files are not on disk (a registry or git
#   module before `terraform init`, a local path that does not exist), a module whose source is
#   only known after apply, a resource or module whose `count`/`for_each` is only known after
#   apply (its number of instances, and so its cost, is unknown), an input file in a scanned directory that could
#   not be read or parsed (the report is then partial), or any other part of an input the parser
#   could not evaluate. So is a resource whose accelerators nothing counts
#   (`facts.accelerator_unknown`): a type or kind guardrails does not model whose content names
#   an accelerator resource, device class, GPU/TPU instance or machine type or accelerator node
#   label, a pod whose DRA ResourceClaim(Template) is not in the scan, a TrainJob whose
#   runtime is not in the scan, or a training runtime with accelerators no TrainJob uses. The message names what was skipped and what to do.
# scope: package
# custom:
#   id: GR-INPUT-001
#   severity: high
#   category: input
#   remediation: Make the skipped part visible to the scan - fix (or render, for a Helm template) an input file that could not be read, or leave it out of the scan; run `terraform init` so registry and git modules are installed under .terraform/modules, fix the local module path, or scan the plan (`terraform show -json plan.tfplan`) instead of the .tf files. For a resource whose accelerators are not counted, check what it runs and its cost by hand, then waive the finding with that reason.
#   remediation_by:
#     module: "Run `terraform init` so registry and git modules are installed under .terraform/modules, fix the local module path, or scan the plan (`terraform show -json plan.tfplan`) instead of the .tf files."
#     input: "Fix the file so it can be read (render a Helm template with `helm template` first), or leave it out of the scan."
#     kubernetes: "Add the ResourceClaim, ResourceClaimTemplate or TrainingRuntime/ClusterTrainingRuntime the workload names to the scan; for a kind guardrails does not model, check the accelerators it runs and their cost by hand, then waive the finding with that reason."
#   config: []
#   input: resources
package guardrails.policy.gr_input_001

import rego.v1

deny := array.concat(unevaluated, accelerators_unknown)

unevaluated := [f |
	some r in input.resources
	is_string(r.unevaluated)
	f := {"resource": r.id, "outcome": "unknown", "message": r.unevaluated}
]

# A node the engine did not look inside is reported once, by the rule above.
accelerators_unknown := [f |
	some r in input.resources
	not is_string(r.unevaluated)
	is_string(r.facts.accelerator_unknown)
	f := {
		"resource": r.id,
		"outcome": "unknown",
		"unknown_reason": "accelerators not counted",
		"message": r.facts.accelerator_unknown,
	}
]
