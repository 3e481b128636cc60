"""Terraform ``kubernetes_*`` resources as the Kubernetes objects they create.

The hashicorp/kubernetes provider writes an object in its own shape: nested blocks are lists
of one block (``spec { template { ... } }`` is ``spec: [{template: [{...}]}]``), names are
snake_case (``run_as_user``, ``node_selector``), repeated blocks are singular (``container``,
``volume``, ``toleration``) and some integers are strings (``replicas = "2"``). This module
turns it into the manifest shape (``kubernetes_manifest`` already holds one in ``manifest``),
so the workload model, every Kubernetes policy and the GPU facts read one shape whether the
workload was written as YAML, as HCL or in a plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from guardrails.inputs.secrets import redact_kubernetes
from guardrails.lazy_regex import LazyPattern
from guardrails.model import Resource
from guardrails.parsers.ids import string_map
from guardrails.parsers.kubernetes import address_of
from guardrails.parsers.kubernetes_pods import as_map, pod_templates

#: Terraform type -> (apiVersion, kind) of the object it creates.
KINDS: dict[str, tuple[str, str]] = {
    **{
        f"kubernetes_{name}{suffix}": (api, kind)
        for name, api, kind in (
            ("deployment", "apps/v1", "Deployment"),
            ("stateful_set", "apps/v1", "StatefulSet"),
            ("daemon_set", "apps/v1", "DaemonSet"),
            ("replication_controller", "v1", "ReplicationController"),
            ("job", "batch/v1", "Job"),
            ("cron_job", "batch/v1", "CronJob"),
            ("pod", "v1", "Pod"),
            ("horizontal_pod_autoscaler", "autoscaling/v2", "HorizontalPodAutoscaler"),
        )
        for suffix in ("", "_v1")
    },
    "kubernetes_daemonset": ("apps/v1", "DaemonSet"),
    "kubernetes_horizontal_pod_autoscaler_v2": ("autoscaling/v2", "HorizontalPodAutoscaler"),
    "kubernetes_horizontal_pod_autoscaler_v2beta2": (
        "autoscaling/v2beta2",
        "HorizontalPodAutoscaler",
    ),
}
MANIFEST = "kubernetes_manifest"

#: Repeated blocks: the provider's singular block name -> the manifest's list field.
_REPEATED = {
    "container": "containers",
    "init_container": "initContainers",
    "ephemeral_container": "ephemeralContainers",
    "volume": "volumes",
    "volume_mount": "volumeMounts",
    "volume_device": "volumeDevices",
    "port": "ports",
    "env": "env",
    "env_from": "envFrom",
    "toleration": "tolerations",
    "node_selector_term": "nodeSelectorTerms",
    "match_expressions": "matchExpressions",
    "match_fields": "matchFields",
    "image_pull_secrets": "imagePullSecrets",
    "host_aliases": "hostAliases",
    "topology_spread_constraint": "topologySpreadConstraints",
    "readiness_gate": "readinessGates",
    "volume_claim_template": "volumeClaimTemplates",
    "preferred_during_scheduling_ignored_during_execution": (
        "preferredDuringSchedulingIgnoredDuringExecution"
    ),
    "metric": "metrics",
    "items": "items",
    "sources": "sources",
    "option": "options",
    "sysctl": "sysctls",
}
#: Names camelCase does not spell as Kubernetes does.
_NAMES = {
    "host_pid": "hostPID",
    "host_ipc": "hostIPC",
    "cluster_ip": "clusterIP",
    "load_balancer_ip": "loadBalancerIP",
    "external_ips": "externalIPs",
    "pod_ip": "podIP",
}
#: Fields the provider types as strings that Kubernetes types as integers.
_INTEGERS = {
    "replicas",
    "run_as_user",
    "run_as_group",
    "fs_group",
    "ttl_seconds_after_finished",
    "active_deadline_seconds",
    "termination_grace_period_seconds",
    "backoff_limit",
    "parallelism",
    "completions",
    "min_replicas",
    "max_replicas",
}
_CAMEL = LazyPattern(r"_([a-z0-9])")


def _name(key: str) -> str:
    return _NAMES.get(key) or _CAMEL.sub(lambda m: m.group(1).upper(), key)


def _integer(value: Any) -> Any:
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value.strip()) if len(value.strip()) <= 18 else value
    return value


def _block(value: Mapping[str, Any], parent: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, item in value.items():
        key = str(key)
        if item is None:
            continue
        repeated = key in _REPEATED or (
            # Pod (anti-)affinity terms are a list; node affinity's is one selector.
            key == "required_during_scheduling_ignored_during_execution"
            and parent != "node_affinity"
        )
        name = _REPEATED.get(key) or _name(key)
        if isinstance(item, list) and all(isinstance(b, Mapping) for b in item) and item:
            blocks = [_block(b, key) for b in item]
            out[name] = blocks if repeated else (blocks[0] if len(blocks) == 1 else blocks)
        elif isinstance(item, list) and not item and repeated:
            out[name] = []
        elif isinstance(item, list) and not item:
            continue  # an absent block in a plan
        elif key in _INTEGERS:
            out[name] = _integer(item)
        else:
            # Maps (labels, node_selector, resources limits) keep their keys as written.
            out[name] = item
    return out


def kubernetes_object(rtype: str, attributes: Mapping[str, Any]) -> dict[str, Any] | None:
    """The manifest-shaped object a ``kubernetes_*`` resource creates, else None."""
    if rtype == MANIFEST:
        manifest = attributes.get("manifest")
        if (
            isinstance(manifest, Mapping)
            and isinstance(manifest.get("kind"), str)
            and "apiVersion" in manifest
        ):
            return dict(manifest)
        return None
    found = KINDS.get(rtype)
    if found is None:
        return None
    api_version, kind = found
    return {"apiVersion": api_version, "kind": kind, **_block(attributes, None)}


def object_path(rtype: str, path: str) -> str:
    """An unknown-value path in the provider's shape (``spec.0.replicas``) in the object's
    (``spec.replicas``); ``manifest.spec.x`` -> ``spec.x``."""
    parts = path.split(".")
    if rtype == MANIFEST:
        return ".".join(parts[1:]) if parts[:1] == ["manifest"] and len(parts) > 1 else path
    out: list[str] = []
    previous: str | None = None
    for part in parts:
        if part.isdigit() and previous is not None and previous not in _REPEATED:
            continue  # the index of a one-block list
        out.append(part if part.isdigit() else (_REPEATED.get(part) or _name(part)))
        previous = None if part.isdigit() else part
    return ".".join(out)


def as_kubernetes(resource: Resource) -> Resource:
    """``resource`` as the Kubernetes object it creates (type the kind, ``native_type`` the
    Terraform type, attributes/before/unknown in the manifest shape, labels, namespace and
    pod templates as a manifest's); any other resource unchanged."""
    if resource.mode != "managed" or not resource.type.startswith("kubernetes_"):
        return resource
    obj = kubernetes_object(resource.type, resource.attributes)
    if obj is None:
        return resource
    obj = redact_kubernetes(obj)
    before = (
        kubernetes_object(resource.type, resource.before) if resource.before is not None else None
    )
    meta = as_map(obj.get("metadata"))
    named = {**obj, "metadata": {"name": resource.name, **meta}}
    _, _, namespace = address_of(named)
    templates = pod_templates(named)
    return replace(
        resource,
        type=str(obj["kind"]),
        native_type=resource.type,
        attributes=obj,
        before=redact_kubernetes(before) if before is not None else None,
        unknown=frozenset(object_path(resource.type, u) for u in resource.unknown),
        labels=string_map(as_map(meta.get("labels"))),
        namespace=namespace,
        workload={"pod_templates": templates} if templates is not None else None,
    )
