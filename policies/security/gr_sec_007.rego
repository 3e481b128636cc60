# METADATA
# title: Container image not pinned
# description: >-
#   Images use an immutable tag or a digest; `:latest`, a moving `:latest-*` tag (`latest-gpu`)
#   or no tag at all means the next pull may run different code (or a different CUDA) than the
#   one reviewed. A container whose image its controller supplies (a KServe predictor `model`
#   served by a ServingRuntime) is not reported as having no image.
# scope: package
# custom:
#   id: GR-SEC-007
#   severity: medium
#   category: security
#   remediation: Pin every image to a version tag, ideally with its digest (image@sha256:...).
#   config: []
#   input: resources
package guardrails.policy.gr_sec_007

import data.guardrails.lib.util
import rego.v1

deny := [f |
	some r in input.resources
	util.live(r)
	images := sort({describe(c) |
		some t in util.templates(r)
		some c in t.containers
		not pinned(c.image)
		not controller_supplied(r, c)
	})
	count(images) > 0
	f := {"resource": r.id, "message": concat("", ["uses unpinned images: ", concat(", ", images)])}
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
	tag != ""
	not moving(tag)
}

moving(tag) if tag == "latest"

moving(tag) if startswith(tag, "latest-")

# Kinds whose controller fills in the image of a container written without one.
controller_kinds := util.types("inference_controllers")

controller_supplied(r, c) if {
	r.type in controller_kinds
	not is_string(c.image)
}
