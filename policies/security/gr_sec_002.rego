# METADATA
# title: Storage not encrypted at rest
# description: >-
#   Volumes, databases and file systems that hold datasets, checkpoints or features are
#   encrypted at rest: EBS volumes, instance and launch-template block devices, RDS instances
#   and EFS file systems.
# scope: package
# custom:
#   id: GR-SEC-002
#   severity: medium
#   category: security
#   remediation: "Encrypt the volume, file system or database at rest, ideally with a customer-managed key."
#   remediation_by:
#     aws: "Set encrypted = true (EBS volumes, EFS file systems, root_block_device and ebs_block_device) or storage_encrypted = true (RDS), ideally with a customer-managed KMS key (kms_key_id)."
#     aws_db_instance: "Set storage_encrypted = true (with kms_key_id for a customer-managed key); an existing RDS instance is encrypted by restoring an encrypted snapshot copy."
#   config: []
#   input: resources
package guardrails.policy.gr_sec_002

import data.guardrails.lib.util
import rego.v1

deny := [f |
	some r in input.resources
	util.live(r)
	problems := sort(unencrypted(r))
	count(problems) > 0
	f := {"resource": r.id, "message": concat("", ["is not encrypted at rest: ", concat("; ", problems)])}
]

flag_off(obj, key) if not obj[key] == true

unencrypted(r) := ["encrypted is not true"] if {
	r.type in {"aws_ebs_volume", "aws_efs_file_system"}
	not util.unknown_path(r, "encrypted")
	flag_off(r.attributes, "encrypted")
}

unencrypted(r) := ["storage_encrypted is not true"] if {
	r.type == "aws_db_instance"
	not util.unknown_path(r, "storage_encrypted")
	flag_off(r.attributes, "storage_encrypted")
}

unencrypted(r) := [concat("", [key, " has encrypted = false"]) |
	some key in ["root_block_device", "ebs_block_device"]
	some d in util.blocks(r.attributes[key])
	d.encrypted == false
] if r.type == "aws_instance"

unencrypted(r) := ["block_device_mappings.ebs has encrypted = false"] if {
	r.type == "aws_launch_template"
	some m in util.blocks(r.attributes.block_device_mappings)
	some e in util.blocks(m.ebs)
	e.encrypted in {false, "false"}
}
