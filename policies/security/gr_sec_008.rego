# METADATA
# title: GPU container without GPU or CPU/memory limits
# description: >-
#   A container that asks for GPUs sets the GPU count in limits (the device plugin only honours
#   limits) and limits CPU and memory, so one job cannot starve the other tenants of a shared
#   GPU node. A container that gets its GPUs through a Dynamic Resource Allocation claim (its
#   resources.claims, on a workload whose claims allocate accelerators) has no GPU count to set,
#   but limits CPU and memory all the same.
# scope: package
# custom:
#   id: GR-SEC-008
#   severity: medium
#   category: security
#   remediation: Set resources.limits for the GPU resource (e.g. nvidia.com/gpu), cpu and memory on every GPU container.
#   config: []
#   input: resources
package guardrails.policy.gr_sec_008

import data.guardrails.lib.util
import rego.v1

deny := [f |
	some r in input.resources
	util.live(r)
	problems := sort({p | some t in util.templates(r); some c in t.containers; some p in container_problems(c)} | claim_problems(r))
	count(problems) > 0
	f := {"resource": r.id, "message": concat("", ["has GPU containers without limits: ", concat("; ", problems)])}
]

gpu_names(c) := [n | some n in util.gpu_resource_names; requested(c, n)]

requested(c, n) if c.resources.requests[n]

requested(c, n) if c.resources.limits[n]

container_problems(c) := [p |
	count(gpu_names(c)) > 0
	some p in array.concat(gpu_limit(c), cpu_memory(c))
]

gpu_limit(c) := [concat("", ["container ", c.name, " has no ", n, " limit"]) |
	some n in gpu_names(c)
	not c.resources.limits[n]
]

cpu_memory(c) := [concat("", ["container ", c.name, " has no ", key, " limit"]) |
	some key in ["cpu", "memory"]
	not c.resources.limits[key]
]

# Devices from DRA claims: the workload's accelerators come from its claims (enrichment sized
# them: facts.is_gpu), and a container that uses a claim rather than a GPU resource still
# limits CPU and memory.
claim_problems(r) := {p |
	r.facts.is_gpu == true
	some t in util.templates(r)
	some c in t.containers
	count(gpu_names(c)) == 0
	is_array(c.claims)
	count(c.claims) > 0
	some p in cpu_memory(c)
}
