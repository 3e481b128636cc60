# METADATA
# title: Public storage
# description: >-
#   Training data, checkpoints and model weights must not be readable by the internet: S3
#   buckets with a public ACL or policy or without a public-access block, GCS buckets granted to
#   allUsers/allAuthenticatedUsers, Azure storage with public blob access.
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
#   aggregates: {blocked_names: set}
package guardrails.policy.gr_sec_001

import data.guardrails.lib.util
import rego.v1

public_acls := {"public-read", "public-read-write", "authenticated-read"}

public_members := {"allUsers", "allAuthenticatedUsers"}

# A bucket is blocked when a public-access block references it (an edge into the bucket, read
# from facts.neighbors so the check stays linear) or names it in its bucket attribute.
blocked_by_edge(r) if {
	some n in r.facts.neighbors["in"]
	n.kind in {"references", "depends_on"}
	n.type == "aws_s3_bucket_public_access_block"
}

blocked_names := {b.attributes.bucket |
	some b in input.resources
	b.type == "aws_s3_bucket_public_access_block"
	b.action != "delete"
	is_string(b.attributes.bucket)
}

deny := array.concat(array.concat(acl_findings, unblocked), array.concat(gcs, azure))

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

unblocked := [f |
	some r in input.resources
	util.live(r)
	r.type == "aws_s3_bucket"
	r.source_format != "kubernetes"
	not blocked_by_edge(r)
	not named_block(r)
	f := {"resource": r.id, "message": concat("", ["has no aws_s3_bucket_public_access_block"])}
]

named_block(r) if blocked_names[r.attributes.bucket]

gcs := [f |
	some r in input.resources
	util.live(r)
	r.type in {"google_storage_bucket_iam_member", "google_storage_bucket_iam_binding", "google_storage_bucket_acl"}
	members := granted(r)
	count(members) > 0
	f := {"resource": r.id, "message": concat("", ["grants bucket access to ", concat(", ", members)])}
]

granted(r) := sort([m |
	some m in array.concat(one(object.get(r.attributes, "member", null)), many(object.get(r.attributes, "members", null)))
	m in public_members
])

one(m) := [m] if {
	is_string(m)
} else := []

many(ms) := ms if {
	is_array(ms)
} else := []

azure := [f |
	some r in input.resources
	util.live(r)
	reason := azure_public(r)
	f := {"resource": r.id, "message": concat("", [reason])}
]

azure_public(r) := "allows public blob access" if {
	r.type == "azurerm_storage_account"
	some key in ["allow_nested_items_to_be_public", "allow_blob_public_access"]
	r.attributes[key] == true
}

azure_public(r) := concat("", ["has public access type ", r.attributes.container_access_type]) if {
	r.type == "azurerm_storage_container"
	r.attributes.container_access_type in {"blob", "container"}
}
