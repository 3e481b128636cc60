# METADATA
# title: Container image not pinned
# description: >-
#   Images use an immutable tag or a digest; `:latest` or no tag at all means the next pull may
#   run different code (or a different CUDA) than the one reviewed.
# scope: package
# custom:
#   id: GR-SEC-007
#   severity: medium
#   category: security
#   remediation: Pin every image to a version tag, ideally with its digest (image@sha256:...).
#   config: []
package guardrails.policy.gr_sec_007

import data.guardrails.lib.util
import rego.v1

deny := [f |
	some r in input.resources
	util.live(r)
	images := sort({describe(c) | some t in util.templates(r); some c in t.containers; not pinned(c.image)})
	count(images) > 0
	f := {"resource": r.id, "message": concat("", [r.type, " ", r.address, " uses unpinned images: ", concat(", ", images)])}
]

describe(c) := concat("", [c.name, " (", c.image, ")"]) if {
	is_string(c.image)
} else := concat("", [c.name, " (no image)"])

pinned(image) if {
	is_string(image)
	contains(image, "@")
}

pinned(image) if {
	is_string(image)
	not contains(image, "@")
	parts := split(image, "/")
	last := parts[count(parts) - 1]
	contains(last, ":")
	tag := split(last, ":")[1]
	tag != "latest"
	tag != ""
}
