# METADATA
# title: Unbounded GPU scale
# description: >-
#   GPU capacity that can grow without any bound: something autoscales GPUs (ASG, EKS node group,
#   GKE node pool `autoscaling`, AKS pool, Karpenter NodePool, HPA, KServe, Ray autoscaler) with
#   no maximum written — a Karpenter NodePool without `spec.limits` or without an
#   `nvidia.com/gpu` limit, a Ray worker group with autoscaling and no `maxReplicas`, a KServe
#   predictor with no `maxReplicas` — or a batch queue admits GPU work without a cap: a Volcano
#   Queue (scheduling.volcano.sh) whose `spec.capability` sets no GPU resource where GPU work can
#   land on it (its `deserved`/`guarantee` names a GPU; a GPU workload in the scan names the
#   queue: Volcano Job `spec.queue`, `default` when unset, the `scheduling.volcano.sh/queue-name`
#   annotation, Kubeflow `runPolicy.schedulingPolicy.queue`, KubeRay's `volcano.sh/queue-name`
#   label; or the scan holds GPU capacity: a GPU node group, node pool, NodePool or instance; a
#   queue in a CPU-only scan is not reported), a Kueue ClusterQueue
#   (kueue.x-k8s.io) covering a GPU resource with a flavor that sets no `nominalQuota` for it.
#   A maximum that is set but above `max_gpu_nodes` is GR-COST-004; a maximum unknown until
#   apply is reported there as unknown.
# scope: package
# custom:
#   id: GR-COST-009
#   severity: high
#   category: cost
#   remediation: Write the bound — `max_size`/`max_node_count`/`max_count`, HPA/KServe/Ray `maxReplicas`, Karpenter `spec.limits` with `nvidia.com/gpu`, Volcano `spec.capability` with the GPU resource, a Kueue `nominalQuota` for the GPU resource of every flavor.
#   remediation_by:
#     aws: "Set max_size on the Auto Scaling group or the node group's scaling_config."
#     google: "Set autoscaling.max_node_count (or total_max_node_count) on the node pool."
#     azure: "Set max_count on the node pool that has auto-scaling enabled."
#     NodePool: "Set spec.limits on the Karpenter NodePool, including the GPU resource (for example nvidia.com/gpu: 16)."
#     ClusterQueue: "Give every flavor of the Kueue ClusterQueue a nominalQuota for the GPU resource."
#     Queue: "Set spec.capability on the Volcano Queue, including the GPU resource."
#     kubernetes: "Set maxReplicas on the HorizontalPodAutoscaler, the KServe predictor or the Ray worker group (with enableInTreeAutoscaling)."
#   input: resources
#   aggregates: {gpu_queues: set, gpu_capacity: boolean}
package guardrails.policy.gr_cost_009

import data.guardrails.lib.util
import rego.v1

deny := [f |
	some r in input.resources
	util.live(r)
	f := finding(r)
]

finding(r) := f if {
	r.facts.is_gpu
	a := r.facts.autoscaling
	a.enabled
	not util.unknown_path(r, a.attribute)
	not a.explicit_max
	f := {"resource": r.id, "message": concat("", [
		"autoscales GPU capacity with no maximum at ", a.attribute,
		", so nothing bounds how many GPUs it can add",
	])}
}

finding(r) := f if {
	volcano_queue(r)
	not gpu_in(object.get(r.attributes, ["spec", "capability"], {}))
	gpu_queue(r)
	f := {"resource": r.id, "message": concat("", [
		"is a Volcano queue whose spec.capability sets no GPU limit,",
		" so the jobs it admits can take every GPU in the cluster",
	])}
}

finding(r) := f if {
	kueue_cluster_queue(r)
	missing := uncapped_flavors(r)
	count(missing) > 0
	f := {"resource": r.id, "message": concat("", [
		"covers GPUs but sets no nominalQuota for them in flavor(s) ",
		concat(", ", missing),
	])}
}

api_version(r) := v if {
	v := r.attributes.apiVersion
	is_string(v)
} else := ""

volcano_queue(r) if {
	r.type == "Queue"
	startswith(api_version(r), "scheduling.volcano.sh/")
}

kueue_cluster_queue(r) if {
	r.type == "ClusterQueue"
	startswith(api_version(r), "kueue.x-k8s.io/")
}

gpu_in(resources) if {
	is_object(resources)
	some name in util.gpu_resource_names
	resources[name]
}

# No capability at all caps nothing where GPU work can reach the queue; a capability without
# the GPU its queue is meant for leaves that GPU unbounded.
gpu_queue(r) if {
	not is_object(object.get(r.attributes, ["spec", "capability"], null))
	gpu_work_can_land(r)
}

gpu_work_can_land(r) if gpu_queues[object.get(r.attributes, ["metadata", "name"], "")]

gpu_work_can_land(r) if gpu_capacity

# The Volcano queues GPU workloads of the scan name.
gpu_queues := {name |
	some w in input.resources
	w.facts.is_gpu
	util.live(w)
	some name in queue_names(w)
}

# GPU nodes in the scan (a GPU resource that runs no pods itself: node groups, pools, VMs).
gpu_capacity if {
	some c in input.resources
	c.facts.is_gpu
	util.live(c)
	object.get(c, "workload", null) == null
}

queue_names(w) := {n |
	some n in [
		volcano_job_queue(w),
		object.get(w.attributes, ["spec", "runPolicy", "schedulingPolicy", "queue"], null),
		object.get(w.attributes, ["metadata", "labels", "volcano.sh/queue-name"], null),
		object.get(w.attributes, ["metadata", "annotations", "scheduling.volcano.sh/queue-name"], null),
	]
	is_string(n)
} | {n |
	some t in util.templates(w)
	n := object.get(t, ["annotations", "scheduling.volcano.sh/queue-name"], null)
	is_string(n)
}

volcano_job_queue(w) := object.get(w.attributes, ["spec", "queue"], "default") if {
	w.type == "Job"
	startswith(api_version(w), "batch.volcano.sh/")
} else := null

gpu_queue(r) if gpu_in(object.get(r.attributes, ["spec", "deserved"], {}))

gpu_queue(r) if gpu_in(object.get(r.attributes, ["spec", "guarantee", "resource"], {}))

uncapped_flavors(r) := sort([name |
	some group in util.blocks(object.get(r.attributes, ["spec", "resourceGroups"], []))
	is_object(group)
	some covered in util.blocks(object.get(group, "coveredResources", []))
	covered in util.gpu_resource_names
	some flavor in util.blocks(object.get(group, "flavors", []))
	is_object(flavor)
	not quota_set(flavor, covered)
	name := flavor_name(flavor)
])

quota_set(flavor, resource) if {
	some entry in util.blocks(object.get(flavor, "resources", []))
	entry.name == resource
	entry.nominalQuota != null
}

flavor_name(flavor) := n if {
	n := flavor.name
	is_string(n)
} else := "(unnamed)"
