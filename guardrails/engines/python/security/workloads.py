"""Python twins of the workload policies: host-level access (GR-SEC-005), containers that
may run as root (GR-SEC-006), unpinned images (GR-SEC-007) and GPU containers without limits
(GR-SEC-008)."""

from __future__ import annotations

from typing import Any

from guardrails.engines.base import RawFinding
from guardrails.engines.python.index import Resources
from guardrails.engines.python.registry import twin
from guardrails.engines.python.util import (
    GPU_RESOURCE_NAMES,
    Doc,
    Resource,
    finding,
    holds,
    resource_types,
    templates,
)
from guardrails.model.contract import Container, PodTemplate

_SYS_ADMIN = ("SYS_ADMIN", "CAP_SYS_ADMIN", "ALL")
#: (the pod spec's name, the template field) of the host namespaces a pod can share.
_HOST_NAMESPACES = (
    ("hostNetwork", "host_network"),
    ("hostPID", "host_pid"),
    ("hostIPC", "host_ipc"),
)
_GPU_NAMES = frozenset(GPU_RESOURCE_NAMES)


def _sc(container: Container) -> Doc:
    """The container's securityContext (the parsers give every container a mapping)."""
    return container["security_context"]


def _host_problems(t: PodTemplate) -> list[str]:
    problems = [f"{key} is true" for key, field in _HOST_NAMESPACES if t.get(field) is True]
    for c in t.get("containers", []):
        sc = _sc(c)
        if sc.get("privileged") is True:
            problems.append(f"container {c['name']} is privileged")
        if sc.get("allowPrivilegeEscalation") is True:
            problems.append(f"container {c['name']} allows privilege escalation")
        capabilities = sc.get("capabilities")
        added = capabilities.get("add") if isinstance(capabilities, dict) else None
        for cap in added if isinstance(added, list) else []:
            if isinstance(cap, str) and cap.upper() in _SYS_ADMIN:
                problems.append(f"container {c['name']} adds capability {cap}")
    for v in t.get("volumes", []):
        host_path = v.get("hostPath")
        path = host_path.get("path") if isinstance(host_path, dict) else None
        if isinstance(path, str) and isinstance(v.get("name"), str):
            problems.append(f"volume {v['name']} mounts hostPath {path}")
    return problems


@twin("GR-SEC-005")
def host_level_access(resources: Resources, config: Doc) -> list[RawFinding]:
    out = []
    for r in resources.group("workloads"):
        problems = sorted({p for t in templates(r) for p in _host_problems(t)})
        if problems:
            out.append(finding(r, f"runs with host-level access: {'; '.join(problems)}"))
    return out


def _root(t: PodTemplate, c: Container) -> bool:
    # A container's securityContext setting wins over the pod's, even when null.
    sc, pod = c["security_context"], t["security_context"]
    uid = sc["runAsUser"] if "runAsUser" in sc else pod.get("runAsUser")
    if uid == 0 and not isinstance(uid, bool):
        return True
    non_zero = isinstance(uid, int | float) and not isinstance(uid, bool) and uid != 0
    non_root = sc["runAsNonRoot"] if "runAsNonRoot" in sc else pod.get("runAsNonRoot")
    return non_root is not True and not non_zero


@twin("GR-SEC-006")
def may_run_as_root(resources: Resources, config: Doc) -> list[RawFinding]:
    out = []
    for r in resources.group("workloads"):
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
def unpinned_images(resources: Resources, config: Doc) -> list[RawFinding]:
    out = []
    for r in resources.group("workloads"):
        controlled = r["type"] in _CONTROLLER_KINDS
        images = sorted(
            {
                f"{c['name']} ({c['image']})"
                if isinstance(c.get("image"), str)
                else f"{c['name']} (no image)"
                for t in templates(r)
                for c in t["containers"]
                if not _pinned(c.get("image"))
                and not (controlled and not isinstance(c.get("image"), str))
            }
        )
        if images:
            out.append(finding(r, f"uses unpinned images: {', '.join(images)}"))
    return out


def _gpu_container_problems(r: Resource, c: Container) -> list[str]:
    resources = c.get("resources") or {}
    requests, limits = resources.get("requests") or {}, resources.get("limits") or {}
    names = (
        []
        if _GPU_NAMES.isdisjoint(requests) and _GPU_NAMES.isdisjoint(limits)
        else [n for n in GPU_RESOURCE_NAMES if holds(requests, n) or holds(limits, n)]
    )
    if not names:
        # Devices from DRA claims on a workload enrichment sized as GPU: CPU and memory only.
        claims = c.get("claims")
        if isinstance(claims, list) and claims and r["facts"].get("is_gpu") is True:
            return [
                f"container {c['name']} has no {k} limit"
                for k in ("cpu", "memory")
                if not holds(limits, k)
            ]
        return []
    problems = [f"container {c['name']} has no {n} limit" for n in names if not holds(limits, n)]
    problems += [
        f"container {c['name']} has no {k} limit" for k in ("cpu", "memory") if not holds(limits, k)
    ]
    return problems


def _gpu_problems(r: Resource) -> list[str]:
    return sorted(
        {p for t in templates(r) for c in t["containers"] for p in _gpu_container_problems(r, c)}
    )


@twin("GR-SEC-008")
def gpu_without_limits(resources: Resources, config: Doc) -> list[RawFinding]:
    out = []
    for r in resources.group("workloads"):
        problems = _gpu_problems(r)
        if problems:
            out.append(finding(r, f"has GPU containers without limits: {'; '.join(problems)}"))
    return out
