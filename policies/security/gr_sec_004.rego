# METADATA
# title: EC2 instance metadata without IMDSv2
# description: >-
#   EC2 instances and launch templates require IMDSv2 session tokens (metadata_options
#   http_tokens = "required"), so an SSRF in a notebook or model server cannot read the
#   instance role's credentials. When http_tokens is only known after apply the outcome is
#   `unknown`.
# scope: package
# custom:
#   id: GR-SEC-004
#   severity: medium
#   category: security
#   remediation: Add metadata_options { http_tokens = "required" } to the instance or launch template.
#   remediation_by:
#     aws_launch_template: "Add metadata_options { http_tokens = \"required\" } to the launch template so every instance it starts requires IMDSv2."
#   config: []
#   input: resources
package guardrails.policy.gr_sec_004

import data.guardrails.lib.util
import rego.v1

deny := [f |
	some r in input.resources
	util.live(r)
	r.type in {"aws_instance", "aws_launch_template", "aws_spot_instance_request"}
	f := finding(r)
]

tokens(r) := [t |
	some m in util.blocks(r.attributes.metadata_options)
	is_object(m)
	t := object.get(m, "http_tokens", null)
]

finding(r) := f if {
	path := util.unknown_path(r, "metadata_options.0.http_tokens")
	f := {"resource": r.id, "outcome": "unknown", "attribute": path, "message": concat("", ["metadata_options.http_tokens is unknown until apply (", path, ")"])}
}

finding(r) := f if {
	not util.unknown_path(r, "metadata_options.0.http_tokens")
	not "required" in tokens(r)
	f := {"resource": r.id, "message": concat("", ["does not require IMDSv2 (metadata_options.http_tokens is not \"required\")"])}
}
