"""Whether a Ray cluster's dashboard and client require a token (``facts.ray_auth``).

Ray 2.52 added token authentication, off by default (``RAY_AUTH_MODE=token``). KubeRay turns it
on with ``spec.authOptions.mode: token`` on a RayCluster (``spec.rayClusterConfig`` of a
RayService, ``spec.rayClusterSpec`` of a RayJob): the operator then sets ``RAY_AUTH_MODE=token``
on the Ray containers unless the head container already sets the variable itself, and an
explicit head variable wins either way. A Ray image older than 2.52 ignores the setting, so it
does not count. A Service gets the fact of the Ray workloads it reaches: by its ``selects``
edges, or by the labels KubeRay puts on every head pod (``ray.io/node-type: head`` and, for a
RayCluster, ``ray.io/cluster: <name>``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from guardrails.bundled import shared_data
from guardrails.lazy_regex import LazyPattern
from guardrails.model import Resource

#: KubeRay kinds (policies/data/resource_types.json, as GR-SEC-009 reads them).
RAY_KINDS = tuple(shared_data("resource_types")["ray_kinds"])
#: The first Ray release with token authentication.
TOKEN_AUTH_SINCE = (2, 52)
AUTH_ENV = "RAY_AUTH_MODE"
_VERSION = LazyPattern(r"^(\d+)\.(\d+)(?:\.(\d+))?")
#: Where each Ray kind keeps its cluster spec.
_CLUSTER_SPEC = {"RayCluster": None, "RayService": "rayClusterConfig", "RayJob": "rayClusterSpec"}


def _map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def cluster_spec(resource: Resource) -> Mapping[str, Any] | None:
    """The RayCluster spec a Ray kind runs (None for a RayJob on an existing cluster)."""
    spec = _map(_map(resource.attributes).get("spec"))
    key = _CLUSTER_SPEC.get(resource.type)
    if key is None:
        return spec
    inner = spec.get(key)
    return inner if isinstance(inner, Mapping) else None


def _head_template(spec: Mapping[str, Any]) -> Mapping[str, Any]:
    return _map(_map(spec.get("headGroupSpec")).get("template"))


def _head_container(spec: Mapping[str, Any]) -> Mapping[str, Any]:
    # KubeRay treats the first container of the head pod as the Ray container.
    containers = _list(_map(_head_template(spec).get("spec")).get("containers"))
    return _map(containers[0]) if containers else {}


def _head_env(container: Mapping[str, Any]) -> str | None:
    for item in _list(container.get("env")):
        entry = _map(item)
        if entry.get("name") == AUTH_ENV and isinstance(entry.get("value"), str):
            return str(entry["value"]).strip().lower()
    return None


def ray_version(spec: Mapping[str, Any]) -> str | None:
    """The Ray version the head runs: its image tag (``rayproject/ray:2.52.0-py311``), else
    ``spec.rayVersion``; None when neither names one (``latest``, a digest, a custom image)."""
    image = _head_container(spec).get("image")
    if isinstance(image, str) and "@" not in image:
        name, _, tag = image.rpartition(":")
        if "/" not in tag and "ray" in name.rsplit("/", 1)[-1] and _VERSION.match(tag):
            return tag
    declared = spec.get("rayVersion")
    if isinstance(declared, str) and _VERSION.match(declared.strip()):
        return declared.strip()
    return None


def _too_old(version: str | None) -> bool:
    match = _VERSION.match(version or "")
    if match is None:
        return False  # no version to go by: the setting is taken at its word
    return (int(match.group(1)), int(match.group(2))) < TOKEN_AUTH_SINCE


def _head_service(spec: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """(type, field) of the head Service KubeRay creates: a custom ``headService`` wins (KubeRay
    appends the dashboard and client ports to it), else ``serviceType``."""
    head = _map(spec.get("headGroupSpec"))
    explicit = _map(_map(head.get("headService")).get("spec")).get("type")
    if isinstance(explicit, str):
        return explicit, "headGroupSpec.headService.spec.type"
    value = head.get("serviceType")
    return (value, "headGroupSpec.serviceType") if isinstance(value, str) else (None, None)


def ray_auth_of(resource: Resource) -> dict[str, Any] | None:
    """``facts.ray_auth`` of a RayCluster, RayService or RayJob; None for other kinds."""
    if resource.type not in RAY_KINDS or not resource.is_kubernetes_object:
        return None
    spec = cluster_spec(resource)
    if spec is None:
        return {
            "enabled": False,
            "mode": None,
            "source": None,
            "ray_version": None,
            "head_service_type": None,
            "head_service_field": None,
            "why": "runs on an existing Ray cluster (clusterSelector), whose authentication is"
            " set there",
        }
    mode = _map(spec.get("authOptions")).get("mode")
    mode = mode.strip().lower() if isinstance(mode, str) else None
    source = "spec.authOptions.mode" if mode else None
    env = _head_env(_head_container(spec))
    if env is not None:
        mode, source = env, f"{AUTH_ENV} on the head container"
    version = ray_version(spec)
    service_type, service_field = _head_service(spec)
    enabled = mode == "token" and not _too_old(version)
    if enabled:
        why = f"token authentication is on ({source})"
    elif mode == "token":
        why = f"{source} asks for token authentication, but Ray {version} has none (2.52+)"
    else:
        why = "token authentication is off (Ray's default)"
    return {
        "enabled": enabled,
        "mode": mode,
        "source": source,
        "ray_version": version,
        "head_service_type": service_type,
        "head_service_field": service_field,
        "why": why,
    }


def head_labels(resource: Resource) -> dict[str, str]:
    """The labels of a Ray kind's head pod: its template's and the ones KubeRay adds."""
    spec = cluster_spec(resource) or {}
    labels = {
        str(k): str(v)
        for k, v in _map(_map(_head_template(spec).get("metadata")).get("labels")).items()
    }
    labels["ray.io/node-type"] = "head"
    if resource.type == "RayCluster":
        labels["ray.io/cluster"] = resource.name
    return labels


def service_ray_auth(
    service: Resource,
    selected: Iterable[Resource],
    ray_in_namespace: Iterable[tuple[Resource, Mapping[str, Any]]],
) -> dict[str, Any] | None:
    """``facts.ray_auth`` of a Service: on only when every Ray workload it reaches requires a
    token; None when it reaches none (a port alone says nothing about which cluster answers)."""
    facts: dict[str, Mapping[str, Any]] = {}
    by_id = dict((r.id, (r, f)) for r, f in ray_in_namespace)
    for workload in selected:
        if workload.id in by_id:
            facts[workload.address] = by_id[workload.id][1]
    selector = _map(_map(_map(service.attributes).get("spec")).get("selector"))
    if selector:
        wanted = {str(k): str(v) for k, v in selector.items()}
        for workload, fact in by_id.values():
            labels = head_labels(workload)
            if all(labels.get(k) == v for k, v in wanted.items()):
                facts[workload.address] = fact
    if not facts:
        return None
    enabled = all(f.get("enabled") is True for f in facts.values())
    off = sorted(a for a, f in facts.items() if f.get("enabled") is not True)
    return {
        "enabled": enabled,
        "workloads": sorted(facts),
        "why": (
            "token authentication is on for every Ray workload it reaches"
            if enabled
            else "token authentication is off for " + ", ".join(off)
        ),
    }
