# METADATA
# title: Public storage
# description: >-
#   Training data, checkpoints and model weights must not be readable by the internet. Only
#   what makes storage public is reported, not the absence of a setting whose default is
#   already private: since April 2023 new S3 buckets block public access and disable ACLs by
#   default, so an S3 bucket is reported for a public ACL (`public-read`,
#   `public-read-write`, `authenticated-read`), a bucket policy that allows Principal "*"
#   without a Condition, or a public-access block (bucket or account) that turns a
#   `block_public_*`/`ignore_public_acls`/`restrict_public_buckets` setting off. A GCS bucket
#   is public through grants to allUsers/allAuthenticatedUsers (IAM member, binding, bucket
#   ACL `role_entity` or `predefined_acl` publicRead/publicReadWrite), unless its
#   `google_storage_bucket` in the scan enforces public access prevention. Azure: a container
#   with `container_access_type` blob or container, unless its storage account in the scan
#   sets `allow_nested_items_to_be_public = false` (the account setting alone, true by
#   default in azurerm, only lets containers opt in). A bucket policy known only after apply
#   is `unknown`.
# scope: package
# custom:
#   id: GR-SEC-001
#   severity: high
#   category: security
#   remediation: "Remove public access to the bucket or storage account (public ACLs, grants to everyone, anonymous blob access) and block public access at the bucket or account level."
#   remediation_by:
#     aws: "Make the bucket private (no public-read ACL or grant) and add an aws_s3_bucket_public_access_block for it with block_public_acls, block_public_policy, ignore_public_acls and restrict_public_buckets all true."
#     google: "Remove allUsers and allAuthenticatedUsers from the bucket's IAM members, bindings and ACL, and set public_access_prevention = \"enforced\" with uniform_bucket_level_access on the google_storage_bucket."
#     azure: "Set allow_nested_items_to_be_public = false on the storage account and container_access_type = \"private\" on its containers; grant access with Azure AD roles or short-lived SAS tokens instead."
#   config: []
#   input: resources
#   aggregates: {enforced_buckets: set, private_accounts: set}
package guardrails.policy.gr_sec_001

import data.guardrails.lib.util
import rego.v1

public_acls := {"public-read", "public-read-write", "authenticated-read"}

public_members := {"allUsers", "allAuthenticatedUsers"}

public_predefined := {"publicRead", "publicReadWrite"}

block_settings := ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"]

# GCS buckets that enforce public access prevention: grants to everyone cannot take effect.
enforced_buckets := {b.attributes.name |
	some b in input.resources
	b.type == "google_storage_bucket"
	b.action != "delete"
	b.attributes.public_access_prevention == "enforced"
	is_string(b.attributes.name)
}

# Azure storage accounts whose containers cannot be made public.
private_accounts := {a.attributes.name |
	some a in input.resources
	a.type == "azurerm_storage_account"
	a.action != "delete"
	object.get(a.attributes, "allow_nested_items_to_be_public", null) == false
	is_string(a.attributes.name)
}

deny := array.concat(array.concat(acl_findings, policy_findings), array.concat(array.concat(blocks_off, gcs), azure))

acl_findings := [f |
	some r in input.resources
	util.live(r)
	r.type in {"aws_s3_bucket", "aws_s3_bucket_acl"}
	f := acl_finding(r)
]

acl_finding(r) := {"resource": r.id, "message": concat("", ["grants the public ACL ", r.attributes.acl])} if {
	r.attributes.acl in public_acls
}

acl_finding(r) := {"resource": r.id, "outcome": "unknown", "attribute": path, "message": concat("", ["the ACL (", path, ") is unknown until apply"])} if {
	r.type == "aws_s3_bucket_acl"
	not object.get(r.attributes, "acl", null) in public_acls
	path := util.unknown_path(r, "acl")
	path == "acl"
}

policy_findings := [f |
	some r in input.resources
	util.live(r)
	r.type in {"aws_s3_bucket_policy", "aws_s3_bucket"}
	f := policy_finding(r)
]

policy_finding(r) := {"resource": r.id, "message": "has a bucket policy that allows Principal \"*\" without a Condition"} if {
	text := r.attributes.policy
	is_string(text)
	json.is_valid(text)
	some s in statements(json.unmarshal(text))
	public_statement(s)
}

policy_finding(r) := {"resource": r.id, "outcome": "unknown", "attribute": "policy", "message": "the bucket policy (policy) is unknown until apply"} if {
	r.type == "aws_s3_bucket_policy"
	not is_string(object.get(r.attributes, "policy", null))
	util.unknown_path(r, "policy") == "policy"
}

statements(doc) := doc.Statement if is_array(doc.Statement)

statements(doc) := [doc.Statement] if is_object(doc.Statement)

public_statement(s) if {
	s.Effect == "Allow"
	not s.Condition
	everyone(s.Principal)
}

everyone(p) if p == "*"

everyone(p) if {
	is_object(p)
	some v in principal_values(p.AWS)
	v == "*"
}

principal_values(v) := v if is_array(v)

principal_values(v) := [v] if is_string(v)

blocks_off := [f |
	some r in input.resources
	util.live(r)
	r.type in {"aws_s3_bucket_public_access_block", "aws_s3_account_public_access_block"}
	off := [k | some k in block_settings; object.get(r.attributes, k, false) == false]
	count(off) > 0
	f := {"resource": r.id, "message": concat("", ["turns S3 Block Public Access off: ", concat(", ", off), " = false"])}
]

gcs := [f |
	some r in input.resources
	util.live(r)
	r.type in {"google_storage_bucket_iam_member", "google_storage_bucket_iam_binding", "google_storage_bucket_acl"}
	not enforced_buckets[object.get(r.attributes, "bucket", "")]
	members := granted(r)
	count(members) > 0
	f := {"resource": r.id, "message": concat("", ["grants bucket access to ", concat(", ", members)])}
]

granted(r) := sort({m |
	some m in array.concat(array.concat(one(object.get(r.attributes, "member", null)), many(object.get(r.attributes, "members", null))), entities(r))
	m in public_members
} | predefined(r))

# A bucket ACL's role_entity entries ("READER:allUsers") name their grantees.
entities(r) := [e |
	some entry in many(object.get(r.attributes, "role_entity", null))
	is_string(entry)
	parts := split(entry, ":")
	e := parts[count(parts) - 1]
]

predefined(r) := {a | a := object.get(r.attributes, "predefined_acl", null); a in public_predefined}

one(m) := [m] if {
	is_string(m)
} else := []

many(ms) := ms if {
	is_array(ms)
} else := []

azure := [f |
	some r in input.resources
	util.live(r)
	r.type == "azurerm_storage_container"
	r.attributes.container_access_type in {"blob", "container"}
	not private_accounts[object.get(r.attributes, "storage_account_name", "")]
	f := {"resource": r.id, "message": concat("", ["has public access type ", r.attributes.container_access_type])}
]
