package guardrails.policy.acme_gpu_002_test

import rego.v1

import data.guardrails.policy.acme_gpu_002

# A resource as the policy sees it: `guardrails graph FILE` prints real ones.
job(env, gpus) := {
	"id": "train.yaml#PyTorchJob/ml/llm",
	"address": "PyTorchJob/ml/llm",
	"facts": {
		"workload_class": "training",
		"environment": env,
		"is_gpu": true,
		"gpu": {"total": {"desired": gpus, "max": gpus}},
	},
}

# Bind the resources to a variable, then replace input.resources (not the whole input):
# regopy 1.5.2 crashes on `with input as {...}` and ignores `with ... as <rule name>`.
test_32_gpus_in_dev_is_denied if {
	resources := [job("dev", 32)]
	findings := acme_gpu_002.deny with input.resources as resources
	count(findings) == 1
	findings[0].message == "PyTorchJob/ml/llm can use 32 GPUs in dev (at most 16)"
}

test_16_gpus_in_dev_is_allowed if {
	resources := [job("dev", 16)]
	findings := acme_gpu_002.deny with input.resources as resources
	count(findings) == 0
}

test_32_gpus_in_prod_is_allowed if {
	resources := [job("prod", 32)]
	findings := acme_gpu_002.deny with input.resources as resources
	count(findings) == 0
}

test_a_gpu_total_known_after_apply_is_unknown if {
	resources := [job("dev", null)]
	findings := acme_gpu_002.deny with input.resources as resources
	count(findings) == 1
	findings[0].outcome == "unknown"
}
