"""Python twins of the security policies (policies/security)."""

from __future__ import annotations

import json
import re
from typing import Any

from guardrails.engines.base import RawFinding
from guardrails.engines.python.registry import twin
from guardrails.engines.python.util import (
    GPU_RESOURCE_NAMES,
    Doc,
    InputDocument,
    Resource,
    as_list,
    blocks,
    facts,
    finding,
    is_number,
    live,
    neighbors,
    one_of,
    resource_types,
    templates,
    unknown_path,
)
from guardrails.model.contract import Container, PodTemplate

_PUBLIC_ACLS = {"public-read", "public-read-write", "authenticated-read"}
_PUBLIC_MEMBERS = {"allUsers", "allAuthenticatedUsers"}
_GCS_GRANTS = {
    "google_storage_bucket_iam_member",
    "google_storage_bucket_iam_binding",
    "google_storage_bucket_acl",
}


def _attrs(r: Resource) -> Doc:
    value = r.get("attributes")
    return value if isinstance(value, dict) else {}


_PUBLIC_PREDEFINED = {"publicRead", "publicReadWrite"}
_BLOCK_SETTINGS = (
    "block_public_acls",
    "block_public_policy",
    "ignore_public_acls",
    "restrict_public_buckets",
)


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
        and not ("Condition" in s and s["Condition"] is not False)
        # Rego's `not s.Condition`: only an absent or false Condition is none.
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


@twin("GR-SEC-001")
def public_storage(doc: InputDocument, config: Doc) -> list[RawFinding]:
    resources = doc["resources"]
    enforced = {
        _attrs(b).get("name")
        for b in resources
        if b["type"] == "google_storage_bucket"
        and b["action"] != "delete"
        and _attrs(b).get("public_access_prevention") == "enforced"
        and isinstance(_attrs(b).get("name"), str)
    }
    private_accounts = {
        _attrs(a).get("name")
        for a in resources
        if a["type"] == "azurerm_storage_account"
        and a["action"] != "delete"
        and _attrs(a).get("allow_nested_items_to_be_public") is False
        and isinstance(_attrs(a).get("name"), str)
    }
    acl, policies, blocks_off, gcs, azure = [], [], [], [], []
    for r in resources:
        if not live(r):
            continue
        a = _attrs(r)
        if r["type"] in ("aws_s3_bucket", "aws_s3_bucket_acl"):
            if one_of(a.get("acl"), _PUBLIC_ACLS):
                acl.append(finding(r, f"grants the public ACL {a['acl']}"))
            elif r["type"] == "aws_s3_bucket_acl" and unknown_path(r, "acl") == "acl":
                acl.append(
                    finding(
                        r,
                        "the ACL (acl) is unknown until apply",
                        outcome="unknown",
                        attribute="acl",
                    )
                )
        if r["type"] in ("aws_s3_bucket_policy", "aws_s3_bucket"):
            if _public_policy(a.get("policy")):
                policies.append(
                    finding(r, 'has a bucket policy that allows Principal "*" without a Condition')
                )
            elif (
                r["type"] == "aws_s3_bucket_policy"
                and not isinstance(a.get("policy"), str)
                and unknown_path(r, "policy") == "policy"
            ):
                policies.append(
                    finding(
                        r,
                        "the bucket policy (policy) is unknown until apply",
                        outcome="unknown",
                        attribute="policy",
                    )
                )
        if r["type"] in ("aws_s3_bucket_public_access_block", "aws_s3_account_public_access_block"):
            off = [k for k in _BLOCK_SETTINGS if a.get(k, False) is False]
            if off:
                blocks_off.append(
                    finding(r, f"turns S3 Block Public Access off: {', '.join(off)} = false")
                )
        if r["type"] in _GCS_GRANTS and not one_of(a.get("bucket", ""), enforced):
            public = _granted(a)
            if public:
                gcs.append(finding(r, f"grants bucket access to {', '.join(public)}"))
        if (
            r["type"] == "azurerm_storage_container"
            and a.get("container_access_type") in ("blob", "container")
            and not one_of(a.get("storage_account_name", ""), private_accounts)
        ):
            azure.append(finding(r, f"has public access type {a['container_access_type']}"))
    return acl + policies + blocks_off + gcs + azure


def _unencrypted(r: Resource) -> list[str] | None:
    a = _attrs(r)
    if r["type"] in ("aws_ebs_volume", "aws_efs_file_system"):
        if not unknown_path(r, "encrypted") and a.get("encrypted") is not True:
            return ["encrypted is not true"]
        return None
    if r["type"] == "aws_db_instance":
        if not unknown_path(r, "storage_encrypted") and a.get("storage_encrypted") is not True:
            return ["storage_encrypted is not true"]
        return None
    if r["type"] == "aws_instance":
        return [
            f"{key} has encrypted = false"
            for key in ("root_block_device", "ebs_block_device")
            for d in blocks(a.get(key))
            if isinstance(d, dict) and d.get("encrypted") is False
        ]
    if r["type"] == "aws_launch_template":
        for m in blocks(a.get("block_device_mappings")):
            for e in blocks(m.get("ebs")) if isinstance(m, dict) else []:
                if isinstance(e, dict) and (
                    e.get("encrypted") is False or e.get("encrypted") == "false"
                ):
                    return ["block_device_mappings.ebs has encrypted = false"]
    return None


@twin("GR-SEC-002")
def not_encrypted(doc: InputDocument, config: Doc) -> list[RawFinding]:
    out = []
    for r in doc["resources"]:
        problems = _unencrypted(r) if live(r) else None
        if problems:
            out.append(finding(r, f"is not encrypted at rest: {'; '.join(sorted(problems))}"))
    return out


_PORTS = [
    (22, "22 (SSH)", False),
    (3389, "3389 (RDP)", False),
    (8265, "8265 (Ray dashboard)", True),
    (8888, "8888 (Jupyter)", True),
    (10001, "10001 (Ray client)", True),
]
_WORLD = {"0.0.0.0/0", "::/0", "*", "Internet", "Any"}


def _num(value: Any) -> int | float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    if isinstance(value, str) and re.fullmatch(r"[0-9]{1,18}", value):
        return int(value)
    return None


def _aws_range(protocol: Any, start: Any, end: Any) -> tuple[Any, Any] | None:
    if protocol in ("-1", -1, "all"):
        return (0, 65535)
    low, high = _num(start), _num(end)
    return None if low is None or high is None else (low, high)


def _port_range(p: Any) -> tuple[Any, Any] | None:
    if isinstance(p, str) and len(p.split("-")) == 2:
        low, high = (_num(x) for x in p.split("-"))
        return None if low is None or high is None else (low, high)
    if p == "*":
        return (0, 65535)
    value = _num(p)
    return None if value is None else (value, value)


def _world(*lists: Any) -> bool:
    return any(one_of(c, _WORLD) for value in lists for c in blocks(value))


def _open_ranges(r: Resource) -> list[tuple[Any, Any]]:
    a = _attrs(r)
    found: list[tuple[Any, Any] | None] = []
    if r["type"] == "aws_security_group":
        for rule in blocks(a.get("ingress")):
            if isinstance(rule, dict) and _world(
                rule.get("cidr_blocks"), rule.get("ipv6_cidr_blocks")
            ):
                found.append(
                    _aws_range(rule.get("protocol"), rule.get("from_port"), rule.get("to_port"))
                )
    if (
        r["type"] == "aws_security_group_rule"
        and a.get("type") == "ingress"
        and _world(a.get("cidr_blocks"), a.get("ipv6_cidr_blocks"))
    ):
        found.append(_aws_range(a.get("protocol"), a.get("from_port"), a.get("to_port")))
    if r["type"] == "aws_vpc_security_group_ingress_rule":
        for cidr in (a.get("cidr_ipv4"), a.get("cidr_ipv6")):
            if one_of(cidr, _WORLD):
                found.append(_aws_range(a.get("ip_protocol"), a.get("from_port"), a.get("to_port")))
    if r["type"] == "google_compute_firewall" and a.get("direction") != "EGRESS":
        for source in blocks(a.get("source_ranges")):
            if not one_of(source, _WORLD):
                continue
            for allow in blocks(a.get("allow")):
                if not isinstance(allow, dict):
                    continue
                ports = blocks(allow.get("ports"))
                found.extend([(0, 65535)] if not ports else [_port_range(p) for p in ports])
    for rule in _azure_rules(r):
        if not (
            isinstance(rule, dict)
            and rule.get("direction") == "Inbound"
            and rule.get("access") == "Allow"
        ):
            continue
        if one_of(rule.get("source_address_prefix"), _WORLD) or _world(
            rule.get("source_address_prefixes")
        ):
            for p in [
                *blocks(rule.get("destination_port_range")),
                *blocks(rule.get("destination_port_ranges")),
            ]:
                found.append(_port_range(p))
    return [rg for rg in found if rg is not None]


def _azure_rules(r: Resource) -> list[Any]:
    if r["type"] == "azurerm_network_security_rule":
        return [_attrs(r)]
    if r["type"] == "azurerm_network_security_group":
        return blocks(_attrs(r).get("security_rule"))
    return []


@twin("GR-SEC-003")
def admin_ports_open(doc: InputDocument, config: Doc) -> list[RawFinding]:
    out = []
    for r in doc["resources"]:
        ranges = _open_ranges(r) if live(r) else []
        if not ranges:
            continue
        if any(low <= 0 and high >= 65535 for low, high in ranges):
            names, severity = ["all ports"], "critical"
        else:
            hits = [p for p in _PORTS for low, high in ranges if low <= p[0] <= high]
            names = sorted({p[1] for p in hits})
            severity = "critical" if any(p[2] for p in hits) else "high"
        if names:
            out.append(finding(r, f"opens {', '.join(names)} to the internet", severity=severity))
    return out


@twin("GR-SEC-004")
def imds_v1(doc: InputDocument, config: Doc) -> list[RawFinding]:
    out = []
    for r in doc["resources"]:
        if not live(r) or r["type"] not in (
            "aws_instance",
            "aws_launch_template",
            "aws_spot_instance_request",
        ):
            continue
        path = unknown_path(r, "metadata_options.0.http_tokens")
        if path:
            out.append(
                finding(
                    r,
                    f"metadata_options.http_tokens is unknown until apply ({path})",
                    outcome="unknown",
                    attribute=path,
                )
            )
            continue
        tokens = [
            m.get("http_tokens")
            for m in blocks(_attrs(r).get("metadata_options"))
            if isinstance(m, dict)
        ]
        if "required" not in tokens:
            out.append(
                finding(
                    r,
                    'does not require IMDSv2 (metadata_options.http_tokens is not "required")',
                )
            )
    return out


def _sc(container: Container) -> Doc:
    """The container's securityContext (the parsers give every container a mapping)."""
    return container["security_context"]


def _host_problems(t: PodTemplate) -> list[str]:
    problems = [
        f"{key} is true"
        for key, value in (
            ("hostNetwork", t.get("host_network")),
            ("hostPID", t.get("host_pid")),
            ("hostIPC", t.get("host_ipc")),
        )
        if value is True
    ]
    for c in t.get("containers", []):
        sc = _sc(c)
        if sc.get("privileged") is True:
            problems.append(f"container {c['name']} is privileged")
        if sc.get("allowPrivilegeEscalation") is True:
            problems.append(f"container {c['name']} allows privilege escalation")
        capabilities = sc.get("capabilities")
        added = capabilities.get("add") if isinstance(capabilities, dict) else None
        for cap in added if isinstance(added, list) else []:
            if isinstance(cap, str) and cap.upper() in ("SYS_ADMIN", "CAP_SYS_ADMIN", "ALL"):
                problems.append(f"container {c['name']} adds capability {cap}")
    for v in t.get("volumes", []):
        host_path = v.get("hostPath")
        path = host_path.get("path") if isinstance(host_path, dict) else None
        if isinstance(path, str) and isinstance(v.get("name"), str):
            problems.append(f"volume {v['name']} mounts hostPath {path}")
    return problems


@twin("GR-SEC-005")
def host_level_access(doc: InputDocument, config: Doc) -> list[RawFinding]:
    out = []
    for r in doc["resources"]:
        if not live(r):
            continue
        problems = sorted({p for t in templates(r) for p in _host_problems(t)})
        if problems:
            out.append(finding(r, f"runs with host-level access: {'; '.join(problems)}"))
    return out


def _setting(t: PodTemplate, c: Container, key: str) -> Any:
    if key in _sc(c):
        return _sc(c)[key]
    return t["security_context"].get(key)


def _root(t: PodTemplate, c: Container) -> bool:
    uid = _setting(t, c, "runAsUser")
    if uid == 0 and not isinstance(uid, bool):
        return True
    non_zero = isinstance(uid, int | float) and not isinstance(uid, bool) and uid != 0
    return _setting(t, c, "runAsNonRoot") is not True and not non_zero


@twin("GR-SEC-006")
def may_run_as_root(doc: InputDocument, config: Doc) -> list[RawFinding]:
    out = []
    for r in doc["resources"]:
        if not live(r):
            continue
        names = sorted({c["name"] for t in templates(r) for c in t["containers"] if _root(t, c)})
        if names:
            out.append(finding(r, f"may run containers as root: {', '.join(names)}"))
    return out


def _pinned(image: Any) -> bool:
    if not isinstance(image, str):
        return False
    if "@" in image:
        return True
    last = image.split("/")[-1]
    if ":" not in last:
        return False
    tag = last.split(":")[1]
    return tag != "" and tag != "latest" and not tag.startswith("latest-")


#: Kinds whose controller fills in the image of a container written without one (twin of
#: controller_kinds in gr_sec_007.rego).
_CONTROLLER_KINDS = resource_types("inference_controllers")


@twin("GR-SEC-007")
def unpinned_images(doc: InputDocument, config: Doc) -> list[RawFinding]:
    out = []
    for r in doc["resources"]:
        if not live(r):
            continue
        images = sorted(
            {
                f"{c['name']} ({c['image']})"
                if isinstance(c.get("image"), str)
                else f"{c['name']} (no image)"
                for t in templates(r)
                for c in t["containers"]
                if not _pinned(c.get("image"))
                and not (r["type"] in _CONTROLLER_KINDS and not isinstance(c.get("image"), str))
            }
        )
        if images:
            out.append(finding(r, f"uses unpinned images: {', '.join(images)}"))
    return out


def _gpu_container_problems(r: Resource, c: Container) -> list[str]:
    resources = c.get("resources") or {}
    requests, limits = resources.get("requests") or {}, resources.get("limits") or {}
    names = [n for n in GPU_RESOURCE_NAMES if requests.get(n) or limits.get(n)]
    claims = c.get("claims")
    if not names:
        # Devices from DRA claims on a workload enrichment sized as GPU: CPU and memory only.
        if facts(r).get("is_gpu") is True and isinstance(claims, list) and claims:
            return [
                f"container {c['name']} has no {k} limit"
                for k in ("cpu", "memory")
                if not limits.get(k)
            ]
        return []
    problems = [f"container {c['name']} has no {n} limit" for n in names if not limits.get(n)]
    problems += [
        f"container {c['name']} has no {k} limit" for k in ("cpu", "memory") if not limits.get(k)
    ]
    return problems


@twin("GR-SEC-008")
def gpu_without_limits(doc: InputDocument, config: Doc) -> list[RawFinding]:
    out = []
    for r in doc["resources"]:
        if not live(r):
            continue
        problems = sorted(
            {
                p
                for t in templates(r)
                for c in t["containers"]
                for p in _gpu_container_problems(r, c)
            }
        )
        if problems:
            out.append(finding(r, f"has GPU containers without limits: {'; '.join(problems)}"))
    return out


_DASHBOARD_PORTS = {8265, 8888, 10001}
#: Sorted, as GR-SEC-009 lists them (``sort(dashboard_kinds)``).
_DASHBOARD_KINDS = tuple(sorted(resource_types("dashboard_kinds")))
_RAY_KINDS = resource_types("ray_kinds")
_GCP_INSTANCES = resource_types("gcp_instances")


@twin("GR-SEC-009")
def gpu_or_dashboard_public(doc: InputDocument, config: Doc) -> list[RawFinding]:
    instances: list[RawFinding] = []
    services: list[RawFinding] = []
    heads: list[RawFinding] = []
    for r in doc["resources"]:
        if not live(r):
            continue
        a = _attrs(r)
        if facts(r).get("is_gpu") is True:
            if r["type"] == "aws_instance":
                if a.get("associate_public_ip_address") is True:
                    instances.append(finding(r, "is a GPU instance with a public IP address"))
                path = unknown_path(r, "associate_public_ip_address")
                if path and a.get("associate_public_ip_address") is not True:
                    instances.append(
                        finding(
                            r,
                            f"whether the GPU instance gets a public IP ({path}) is "
                            "unknown until apply",
                            outcome="unknown",
                            attribute=path,
                        )
                    )
            if r["type"] in _GCP_INSTANCES and any(
                isinstance(nic, dict) and blocks(nic.get("access_config"))
                for nic in blocks(a.get("network_interface"))
            ):
                instances.append(
                    finding(r, "is a GPU instance with a public IP address (access_config)")
                )
        raw_spec = a.get("spec")
        spec: Doc = raw_spec if isinstance(raw_spec, dict) else {}
        if r["type"] == "Service" and spec.get("type") in ("LoadBalancer", "NodePort"):
            ports = sorted(
                {
                    p
                    for port in as_list(spec.get("ports"))
                    if isinstance(port, dict)
                    for p in (port.get("port"), port.get("targetPort"))
                    if is_number(p) and p in _DASHBOARD_PORTS
                }
            )
            reasons = [f"port {int(p)}" for p in ports]
            selected = {n["type"] for n in neighbors(r, "out") if n["kind"] == "selects"}
            reasons += [f"a {k} workload" for k in _DASHBOARD_KINDS if k in selected]
            if reasons:
                message = f"exposes {', '.join(sorted(reasons))} through a {spec['type']} Service"
                auth = _ray_auth(r)
                jupyter = "port 8888" in reasons or "Notebook" in selected
                if auth.get("enabled") is True and not jupyter:
                    workloads = ", ".join(auth["workloads"])
                    message += (
                        f"; Ray token authentication is on for {workloads}, "
                        "so only token holders can use it"
                    )
                    services.append(finding(r, message, severity="low"))
                else:
                    services.append(finding(r, message))
        heads.extend(_ray_head_finding(r))
    return instances + services + heads


def _ray_auth(r: Resource) -> Doc:
    value: Doc = facts(r)["ray_auth"] or {}  # null for anything but Ray and its Services
    return value


def _ray_head_finding(r: Resource) -> list[RawFinding]:
    """A Ray kind whose KubeRay head Service is a LoadBalancer or NodePort."""
    if r["type"] not in _RAY_KINDS:
        return []
    auth = _ray_auth(r)
    service_type = auth.get("head_service_type")
    if service_type not in ("LoadBalancer", "NodePort"):
        return []
    message = (
        "exposes the Ray dashboard (8265) and client (10001) through a "
        f"{service_type} head Service ({auth.get('head_service_field')})"
    )
    if auth.get("enabled") is True:
        message += (
            f"; Ray token authentication is on ({auth['source']}), so only token holders can use it"
        )
        return [finding(r, message, severity="low")]
    if auth.get("mode") == "token":  # asked for, not in effect (Ray older than 2.52)
        message += f"; {auth['why']}"
    return [finding(r, message)]


#: ResourceQuota kinds (GR-SEC-010).
_QUOTA_TYPES = resource_types("resource_quotas")


def _ignored(key: str) -> bool:
    if key in GPU_RESOURCE_NAMES:
        return True
    return key.startswith("limits.") and key[len("limits.") :] in GPU_RESOURCE_NAMES


def _ignored_keys(r: Resource) -> list[str]:
    attributes = r.get("attributes")
    spec = attributes.get("spec") if isinstance(attributes, dict) else None
    keys: list[str] = []
    for block in blocks(spec):
        hard = block.get("hard") if isinstance(block, dict) else None
        if isinstance(hard, dict):
            keys += [k for k in hard if _ignored(k)]
    return sorted(keys)


@twin("GR-SEC-010")
def gpu_quota_without_requests_prefix(doc: InputDocument, config: Doc) -> list[RawFinding]:
    out = []
    for r in doc["resources"]:
        if r["type"] not in _QUOTA_TYPES or not live(r):
            continue
        keys = _ignored_keys(r)
        if not keys:
            continue
        first = keys[0].removeprefix("limits.")
        out.append(
            finding(
                r,
                f"sets {', '.join(keys)} in spec.hard, which "
                "Kubernetes does not enforce for extended resources (only requests."
                f"{first} is), so GPU use in the namespace is unlimited",
            )
        )
    return out
