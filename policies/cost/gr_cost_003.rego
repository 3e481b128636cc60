# METADATA
# title: GPU model not allowed in this environment
# description: >-
#   Each environment allows a set of GPU models (defaults dev T4, L4, A10G; staging adds A100;
#   prod and unknown any), so an H100 does not land in a dev sandbox by accident.
# scope: package
# custom:
#   id: GR-COST-003
#   severity: medium
#   category: cost
#   remediation: Pick a GPU model allowed in this environment, or extend `allowed_gpu_models` for it in `.guardrails.yaml`.
#   remediation_by:
#     aws: "Pick an instance type whose GPU is allowed in this environment (for example g4dn for T4, g5 for A10G, g6 for L4 in dev), or extend `allowed_gpu_models` for it in `.guardrails.yaml`."
#     google: "Pick a machine type and guest_accelerator type allowed in this environment (for example nvidia-tesla-t4 or nvidia-l4 in dev), or extend `allowed_gpu_models` for it in `.guardrails.yaml`."
#     azure: "Pick a VM size whose GPU is allowed in this environment (for example Standard_NC4as_T4_v3 for T4 in dev), or extend `allowed_gpu_models` for it in `.guardrails.yaml`."
#     kubernetes: "Schedule the pods on a GPU model allowed in this environment (a nodeSelector or affinity on nvidia.com/gpu.product), or extend `allowed_gpu_models` for it in `.guardrails.yaml`."
#   config: [allowed_gpu_models]
#   input: resources
package guardrails.policy.gr_cost_003

import data.guardrails.lib.util
import rego.v1

models := data.guardrails.config.allowed_gpu_models

allowed(env) := m if {
	m := models[env]
} else := m if {
	m := models.unknown
} else := ["*"]

deny := [f |
	some r in input.resources
	util.live(r)
	r.facts.is_gpu
	model := r.facts.gpu.model
	is_string(model)
	env := r.facts.environment
	permitted := allowed(env)
	not "*" in permitted
	not upper(model) in {upper(m) | some m in permitted}
	f := {"resource": r.id, "message": concat("", [
		"uses ", model, " GPUs, which are not allowed in ", env,
		" (allowed: ", concat(", ", sort(permitted)), ")",
	])}
]
