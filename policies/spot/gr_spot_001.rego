# METADATA
# title: Training or batch GPU workload on on-demand capacity outside prod
# description: >-
#   Training and batch GPU workloads in dev and staging tolerate interruption and should run on
#   spot or preemptible capacity; the finding shows the monthly saving at the catalog's spot
#   price for the resource's own cloud and SKU, and says when that price is an assumption
#   (nothing names the cloud, or no catalog row prices the accelerator). When the capacity is
#   only known after apply the outcome is `unknown`.
# scope: package
# custom:
#   id: GR-SPOT-001
#   severity: medium
#   category: spot
#   remediation: "Request spot or preemptible capacity for the workload and make the job checkpoint and retry."
#   remediation_by:
#     aws: "Request spot capacity (instance_market_options { market_type = \"spot\" } on the instance or launch template, capacity_type = \"SPOT\" on the EKS node group, a mixed_instances_policy with on_demand_percentage_above_base_capacity = 0 on the Auto Scaling group) and make the job checkpoint and retry."
#     google: "Request Spot VMs (scheduling { provisioning_model = \"SPOT\" } on the instance or template, node_config.spot = true on the GKE node pool) and make the job checkpoint and retry."
#     azurerm_kubernetes_cluster: "The AKS default (system) node pool cannot run on spot: move the GPU workload to a separate azurerm_kubernetes_cluster_node_pool with priority = \"Spot\" and an eviction_policy, run the job on that spot user pool, and make it checkpoint and retry."
#     azure: "Request spot capacity (priority = \"Spot\" with an eviction_policy on the VM, scale set or AKS node pool; vm_priority = \"LowPriority\" on Azure ML compute) and make the job checkpoint and retry."
#     kubernetes: "Schedule the job on spot nodes (a nodeSelector or affinity on the cluster's spot node label, for example karpenter.sh/capacity-type: spot, with a matching toleration) and make it checkpoint and retry."
#   config: []
#   input: resources
package guardrails.policy.gr_spot_001

import data.guardrails.lib.util
import rego.v1

deny := [f |
	some r in input.resources
	util.live(r)
	r.facts.is_gpu
	r.facts.workload_class in {"training", "batch"}
	r.facts.environment in {"dev", "staging"}
	f := finding(r)
]

saving(r) := concat("", ["; spot would save about ", r.facts.spot_saving_monthly_display, "/month", assumption(r)]) if {
	is_string(r.facts.spot_saving_monthly_display)
} else := "; no spot price is known to estimate the saving"

assumption(r) := concat("", [" (", r.facts.price_assumption.display, ")"]) if {
	is_string(r.facts.price_assumption.display)
} else := ""

finding(r) := f if {
	r.facts.capacity == "on-demand"
	f := {"resource": r.id, "message": concat("", [
		"is a ", r.facts.workload_class, " GPU workload in ",
		r.facts.environment, " on on-demand capacity", saving(r),
	])}
}

finding(r) := f if {
	r.facts.capacity == "unknown"
	is_string(r.facts.capacity_attribute)
	f := {"resource": r.id, "outcome": "unknown", "attribute": r.facts.capacity_attribute, "message": concat("", [
		"capacity (", r.facts.capacity_attribute,
		") is unknown until apply, so spot use cannot be checked",
	])}
}
