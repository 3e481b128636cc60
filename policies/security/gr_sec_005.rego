# METADATA
# title: Privileged or host-level container
# description: >-
#   Pods (including Ray, Kubeflow, KServe and Volcano pod templates) must not run privileged
#   containers, allow privilege escalation, share the host's PID/IPC/network namespaces, mount
#   hostPath volumes or add SYS_ADMIN: each hands the node, and every GPU job on it, to the pod.
# scope: package
# custom:
#   id: GR-SEC-005
#   severity: high
#   category: security
#   remediation: Remove privileged, allowPrivilegeEscalation, hostPID/hostIPC/hostNetwork, hostPath volumes and added SYS_ADMIN/ALL capabilities; the NVIDIA device plugin exposes GPUs without privileges.
#   config: []
#   input: resources
package guardrails.policy.gr_sec_005

import data.guardrails.lib.util
import rego.v1

deny := [f |
	some r in input.resources
	util.live(r)
	problems := sort({p | some t in util.templates(r); some p in template_problems(t)})
	count(problems) > 0
	f := {"resource": r.id, "message": concat("", ["runs with host-level access: ", concat("; ", problems)])}
]

template_problems(t) := array.concat(host(t), array.concat(container_problems(t), volume_problems(t)))

host(t) := [concat("", [key, " is true"]) |
	some pair in [["hostNetwork", t.host_network], ["hostPID", t.host_pid], ["hostIPC", t.host_ipc]]
	pair[1] == true
	key := pair[0]
]

container_problems(t) := [concat("", ["container ", c.name, " ", what]) |
	some c in t.containers
	some what in container_flags(c)
]

container_flags(c) := array.concat(
	[w | c.security_context.privileged == true; w := "is privileged"],
	array.concat(
		[w | c.security_context.allowPrivilegeEscalation == true; w := "allows privilege escalation"],
		[w | some cap in c.security_context.capabilities.add; upper(cap) in {"SYS_ADMIN", "CAP_SYS_ADMIN", "ALL"}; w := concat("", ["adds capability ", cap])],
	),
)

volume_problems(t) := [concat("", ["volume ", v.name, " mounts hostPath ", path]) |
	some v in t.volumes
	is_string(v.name)
	path := v.hostPath.path
	is_string(path)
]
