# METADATA
# title: Container may run as root
# description: >-
#   A container runs as root unless runAsNonRoot is true or runAsUser is a non-zero UID (the
#   container's securityContext overrides the pod's); runAsUser 0 is root explicitly. Init
#   containers count too.
# scope: package
# custom:
#   id: GR-SEC-006
#   severity: medium
#   category: security
#   remediation: Set securityContext.runAsNonRoot = true and a non-zero runAsUser on the pod or each container, and build images with a non-root USER.
#   remediation_by:
#     RayCluster: "Set securityContext.runAsNonRoot = true and a non-zero runAsUser in the head and every worker group's pod template (headGroupSpec.template, workerGroupSpecs[].template); the rayproject/ray images already run as a non-root user."
#   config: []
#   input: resources
package guardrails.policy.gr_sec_006

import data.guardrails.lib.util
import rego.v1

deny := [f |
	some r in input.resources
	util.live(r)
	names := sort({c.name | some t in util.templates(r); some c in t.containers; root(t, c)})
	count(names) > 0
	f := {"resource": r.id, "message": concat("", ["may run containers as root: ", concat(", ", names)])}
]

setting(t, c, key) := value if {
	value := c.security_context[key]
} else := value if {
	value := t.security_context[key]
}

root(t, c) if setting(t, c, "runAsUser") == 0

root(t, c) if {
	not non_root_flag(t, c)
	not non_zero_user(t, c)
}

non_root_flag(t, c) if setting(t, c, "runAsNonRoot") == true

non_zero_user(t, c) if {
	uid := setting(t, c, "runAsUser")
	is_number(uid)
	uid != 0
}
