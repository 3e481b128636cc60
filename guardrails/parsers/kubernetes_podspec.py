"""One pod spec in the graph's pod-template shape: containers, scheduling, replicas."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from guardrails.parsers.ids import string_map
from guardrails.parsers.kubernetes_values import as_count, as_list, as_map

Object = Mapping[str, Any]


Template = dict[str, Any]


def _container(raw: Any, init: bool) -> dict[str, Any] | None:
    return container_of(raw, init) if isinstance(raw, Mapping) else None


def container_of(raw: Mapping[str, Any], init: bool) -> dict[str, Any]:
    """One container (``init``: an init container) in the template's container shape."""
    resources = as_map(raw.get("resources"))
    image = raw.get("image")
    return {
        "name": str(raw.get("name") or ""),
        "image": str(image) if image is not None else None,
        "init": init,
        "resources": {
            "requests": string_map(as_map(resources.get("requests"))),
            "limits": string_map(as_map(resources.get("limits"))),
        },
        # Dynamic Resource Allocation: the pod's resourceClaims this container uses.
        "claims": [
            str(c.get("name"))
            for c in as_list(resources.get("claims"))
            if isinstance(c, Mapping) and c.get("name")
        ],
        "security_context": as_map(raw.get("securityContext")),
        "ports": [p for p in as_list(raw.get("ports")) if isinstance(p, Mapping)],
    }


def pod_template(
    spec: Any,
    role: str,
    desired: int | None,
    maximum: int | None,
    metadata: Any = None,
    backoff_limit: int | None = None,
    head: bool = False,
) -> Template:
    """Normalize one pod spec (and its template metadata) into the graph's pod-template shape.

    ``head``: the pod coordinates the workload (a Ray head) and is not one of its worker replicas.
    """
    pod = as_map(spec)
    meta = as_map(metadata)
    containers = []
    for key, init in (("containers", False), ("initContainers", True)):
        for raw in as_list(pod.get(key)):
            container = _container(raw, init)
            if container is not None:
                containers.append(container)
    grace = pod.get("terminationGracePeriodSeconds")
    return {
        "role": role,
        "head": head,
        "replicas": {"desired": desired, "max": maximum},
        "containers": containers,
        "node_selector": string_map(as_map(pod.get("nodeSelector"))),
        "affinity": as_map(pod.get("affinity")),
        "tolerations": [t for t in as_list(pod.get("tolerations")) if isinstance(t, Mapping)],
        "volumes": [v for v in as_list(pod.get("volumes")) if isinstance(v, Mapping)],
        "security_context": as_map(pod.get("securityContext")),
        "host_network": pod.get("hostNetwork") is True,
        "host_pid": pod.get("hostPID") is True,
        "host_ipc": pod.get("hostIPC") is True,
        "termination_grace_period_seconds": as_count(grace),
        "annotations": string_map(as_map(meta.get("annotations"))),
        "labels": string_map(as_map(meta.get("labels"))),
        "restart_policy": str(pod["restartPolicy"]) if pod.get("restartPolicy") else None,
        "service_account": (
            str(pod.get("serviceAccountName") or pod.get("serviceAccount"))
            if pod.get("serviceAccountName") or pod.get("serviceAccount")
            else None
        ),
        "backoff_limit": backoff_limit,
        "group_member": False,
        "resource_claims": _resource_claims(pod.get("resourceClaims")),
    }


def _resource_claims(value: Any) -> list[dict[str, str | None]]:
    """A pod's DRA ``resourceClaims``: ``{name, claim, template}`` (the ResourceClaim it shares
    with other pods, or the ResourceClaimTemplate each pod gets its own claim from). Before
    Kubernetes 1.31 the names sat under ``source``."""
    claims: list[dict[str, str | None]] = []
    for raw in as_list(value):
        if not isinstance(raw, Mapping):
            continue
        source = as_map(raw.get("source")) or raw
        claim = source.get("resourceClaimName")
        template = source.get("resourceClaimTemplateName")
        claims.append(
            {
                "name": str(raw.get("name") or ""),
                "claim": str(claim) if claim else None,
                "template": str(template) if template else None,
            }
        )
    return claims


def group_members(template: Template) -> Template:
    """Pods that join another template's pod to form one replica (a multi-node model copy)."""
    return {**template, "group_member": True}


def from_template(
    template: Any,
    role: str,
    desired: int | None,
    maximum: int | None,
    backoff: int | None = None,
    head: bool = False,
) -> Template:
    """A ``PodTemplateSpec`` (``metadata`` + ``spec``) as a pod template."""
    t = as_map(template)
    return pod_template(t.get("spec"), role, desired, maximum, t.get("metadata"), backoff, head)
