"""Python twins of the storage policies: public storage (GR-SEC-001) and storage not
encrypted at rest (GR-SEC-002)."""

from __future__ import annotations

import json
from typing import Any

from guardrails.engines.base import RawFinding
from guardrails.engines.python.index import Resources
from guardrails.engines.python.registry import twin
from guardrails.engines.python.util import (
    Doc,
    Resource,
    attributes,
    blocks,
    finding,
    holds,
    one_of,
    unknown_path,
)

_PUBLIC_ACLS = {"public-read", "public-read-write", "authenticated-read"}
_PUBLIC_MEMBERS = {"allUsers", "allAuthenticatedUsers"}
_PUBLIC_PREDEFINED = {"publicRead", "publicReadWrite"}
_BLOCK_SETTINGS = (
    "block_public_acls",
    "block_public_policy",
    "ignore_public_acls",
    "restrict_public_buckets",
)
_ACL_HOLDERS = ("aws_s3_bucket", "aws_s3_bucket_acl")
_POLICY_HOLDERS = ("aws_s3_bucket_policy", "aws_s3_bucket")
_PUBLIC_ACCESS_BLOCKS = ("aws_s3_bucket_public_access_block", "aws_s3_account_public_access_block")
_GCS_GRANTS = (
    "google_storage_bucket_iam_member",
    "google_storage_bucket_iam_binding",
    "google_storage_bucket_acl",
)
_AZURE_CONTAINER = "azurerm_storage_container"


def _statements(doc: Any) -> list[Any]:
    statement = doc.get("Statement") if isinstance(doc, dict) else None
    if isinstance(statement, list):
        return statement
    return [statement] if isinstance(statement, dict) else []


def _everyone(principal: Any) -> bool:
    if principal == "*":
        return True
    aws = principal.get("AWS") if isinstance(principal, dict) else None
    values = aws if isinstance(aws, list) else [aws] if isinstance(aws, str) else []
    return "*" in values


def _public_policy(text: Any) -> bool:
    if not isinstance(text, str):
        return False
    try:
        doc = json.loads(text)
    except ValueError:
        return False
    return any(
        isinstance(s, dict)
        and s.get("Effect") == "Allow"
        and not holds(s, "Condition")  # Rego's `not s.Condition`: absent or false
        and _everyone(s.get("Principal"))
        for s in _statements(doc)
    )


def _granted(a: Doc) -> list[str]:
    members = [a["member"]] if isinstance(a.get("member"), str) else []
    members += a["members"] if isinstance(a.get("members"), list) else []
    entries = a["role_entity"] if isinstance(a.get("role_entity"), list) else []
    members += [e.split(":")[-1] for e in entries if isinstance(e, str)]
    found = {m for m in members if one_of(m, _PUBLIC_MEMBERS)}
    if one_of(a.get("predefined_acl"), _PUBLIC_PREDEFINED):
        found.add(a["predefined_acl"])
    return sorted(found)


def _enforced_buckets(resources: Resources) -> set[Any]:
    """Buckets not being deleted that enforce public access prevention (the policy's
    aggregate: it reads data sources and unchanged buckets too)."""
    return {
        a.get("name")
        for r in resources.of_types(("google_storage_bucket",))
        if r["action"] != "delete"
        and (a := attributes(r)).get("public_access_prevention") == "enforced"
        and isinstance(a.get("name"), str)
    }


def _private_accounts(resources: Resources) -> set[Any]:
    """Storage accounts not being deleted that keep nested items private."""
    return {
        a.get("name")
        for r in resources.of_types(("azurerm_storage_account",))
        if r["action"] != "delete"
        and (a := attributes(r)).get("allow_nested_items_to_be_public") is False
        and isinstance(a.get("name"), str)
    }


def _public_acl(r: Resource) -> RawFinding | None:
    a = attributes(r)
    if one_of(a.get("acl"), _PUBLIC_ACLS):
        return finding(r, f"grants the public ACL {a['acl']}")
    if r["type"] == "aws_s3_bucket_acl" and unknown_path(r, "acl") == "acl":
        return finding(
            r, "the ACL (acl) is unknown until apply", outcome="unknown", attribute="acl"
        )
    return None


def _public_bucket_policy(r: Resource) -> RawFinding | None:
    a = attributes(r)
    if _public_policy(a.get("policy")):
        return finding(r, 'has a bucket policy that allows Principal "*" without a Condition')
    if (
        r["type"] == "aws_s3_bucket_policy"
        and not isinstance(a.get("policy"), str)
        and unknown_path(r, "policy") == "policy"
    ):
        return finding(
            r,
            "the bucket policy (policy) is unknown until apply",
            outcome="unknown",
            attribute="policy",
        )
    return None


def _block_off(r: Resource) -> RawFinding | None:
    a = attributes(r)
    off = [k for k in _BLOCK_SETTINGS if a.get(k, False) is False]
    if not off:
        return None
    return finding(r, f"turns S3 Block Public Access off: {', '.join(off)} = false")


@twin("GR-SEC-001")
def public_storage(resources: Resources, config: Doc) -> list[RawFinding]:
    out: list[RawFinding] = []
    for types, check in (
        (_ACL_HOLDERS, _public_acl),
        (_POLICY_HOLDERS, _public_bucket_policy),
        (_PUBLIC_ACCESS_BLOCKS, _block_off),
    ):
        out.extend(f for r in resources.live_of(types) if (f := check(r)) is not None)
    grants = resources.live_of(_GCS_GRANTS)
    if grants:
        enforced = _enforced_buckets(resources)
        for r in grants:
            a = attributes(r)
            if not one_of(a.get("bucket", ""), enforced) and (public := _granted(a)):
                out.append(finding(r, f"grants bucket access to {', '.join(public)}"))
    containers = resources.live_of((_AZURE_CONTAINER,))
    if containers:
        private = _private_accounts(resources)
        for r in containers:
            a = attributes(r)
            if a.get("container_access_type") in ("blob", "container") and not one_of(
                a.get("storage_account_name", ""), private
            ):
                out.append(finding(r, f"has public access type {a['container_access_type']}"))
    return out


_ENCRYPTED_FLAG = {
    "aws_ebs_volume": "encrypted",
    "aws_efs_file_system": "encrypted",
    "aws_db_instance": "storage_encrypted",
}
_ENCRYPTABLE = (*_ENCRYPTED_FLAG, "aws_instance", "aws_launch_template")


def _unencrypted(r: Resource) -> list[str]:
    a = attributes(r)
    flag = _ENCRYPTED_FLAG.get(r["type"])
    if flag is not None:
        if not unknown_path(r, flag) and a.get(flag) is not True:
            return [f"{flag} is not true"]
        return []
    if r["type"] == "aws_instance":
        return [
            f"{key} has encrypted = false"
            for key in ("root_block_device", "ebs_block_device")
            for d in blocks(a.get(key))
            if isinstance(d, dict) and d.get("encrypted") is False
        ]
    for m in blocks(a.get("block_device_mappings")):  # aws_launch_template
        for e in blocks(m.get("ebs")) if isinstance(m, dict) else []:
            encrypted = e.get("encrypted") if isinstance(e, dict) else None
            if encrypted is False or encrypted == "false":  # not `in`: 0 == False in Python
                return ["block_device_mappings.ebs has encrypted = false"]
    return []


@twin("GR-SEC-002")
def not_encrypted(resources: Resources, config: Doc) -> list[RawFinding]:
    out = []
    for r in resources.live_of(_ENCRYPTABLE):
        problems = _unencrypted(r)
        if problems:
            out.append(finding(r, f"is not encrypted at rest: {'; '.join(sorted(problems))}"))
    return out
