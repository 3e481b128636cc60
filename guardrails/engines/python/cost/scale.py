"""Python twin of GR-COST-009: GPU scale no queue or limit bounds (Volcano, Kueue)."""

from __future__ import annotations

from typing import Any

from guardrails.engines.base import RawFinding
from guardrails.engines.python.index import Resources
from guardrails.engines.python.registry import twin
from guardrails.engines.python.util import (
    GPU_RESOURCE_NAMES,
    Doc,
    Resource,
    at,
    blocks,
    finding,
    holds,
    one_of,
    templates,
    unknown_path,
)

_VOLCANO_QUEUE = "Queue"
_KUEUE_QUEUE = "ClusterQueue"


def _api_version(r: Resource) -> str:
    attributes = r.get("attributes")
    value = attributes.get("apiVersion") if isinstance(attributes, dict) else None
    return value if isinstance(value, str) else ""


def _gpu_in(resources: Any) -> bool:
    return any(holds(resources, name) for name in GPU_RESOURCE_NAMES)


def _queue_names(w: Resource) -> set[str]:
    """The Volcano queues a workload names (Volcano Job spec.queue, "default" when unset)."""
    a = w.get("attributes")
    names: list[Any] = []
    if w["type"] == "Job" and _api_version(w).startswith("batch.volcano.sh/"):
        spec = at(a, "spec")
        # object.get(..., "default"): only an absent queue is the default one.
        names.append(spec.get("queue", "default") if isinstance(spec, dict) else "default")
    names.append(at(a, "spec", "runPolicy", "schedulingPolicy", "queue"))
    names.append(at(a, "metadata", "labels", "volcano.sh/queue-name"))
    names.append(at(a, "metadata", "annotations", "scheduling.volcano.sh/queue-name"))
    names += [at(t, "annotations", "scheduling.volcano.sh/queue-name") for t in templates(w)]
    return {n for n in names if isinstance(n, str)}


def _gpu_landing(resources: Resources) -> tuple[set[str], bool]:
    """(queues GPU workloads name, whether the scan holds GPU capacity)."""
    queues: set[str] = set()
    capacity = False
    for w in resources.group("gpu"):
        queues |= _queue_names(w)
        capacity = capacity or w.get("workload") is None
    return queues, capacity


def _volcano_uncapped(r: Resource, landing: tuple[set[str], bool]) -> bool:
    if r["type"] != _VOLCANO_QUEUE or not _api_version(r).startswith("scheduling.volcano.sh/"):
        return False
    attributes = r.get("attributes")
    capability = at(attributes, "spec", "capability")
    if _gpu_in(capability):
        return False
    queues, capacity = landing
    name = at(attributes, "metadata", "name")
    return (
        (not isinstance(capability, dict) and (one_of(name, queues) or capacity))
        or _gpu_in(at(attributes, "spec", "deserved"))
        or _gpu_in(at(attributes, "spec", "guarantee", "resource"))
    )


def _kueue_uncapped_flavors(r: Resource) -> list[str]:
    if r["type"] != _KUEUE_QUEUE or not _api_version(r).startswith("kueue.x-k8s.io/"):
        return []
    names = []
    for group in blocks(at(r.get("attributes"), "spec", "resourceGroups") or []):
        if not isinstance(group, dict):
            continue
        for covered in blocks(group.get("coveredResources", [])):
            if not one_of(covered, GPU_RESOURCE_NAMES):
                continue
            for flavor in blocks(group.get("flavors", [])):
                if not isinstance(flavor, dict):
                    continue
                capped = any(
                    isinstance(e, dict)
                    and e.get("name") == covered
                    and e.get("nominalQuota") is not None
                    for e in blocks(flavor.get("resources", []))
                )
                if not capped:
                    name = flavor.get("name")
                    names.append(name if isinstance(name, str) else "(unnamed)")
    return sorted(names)


@twin("GR-COST-009")
def unbounded_gpu_scale(resources: Resources, config: Doc) -> list[RawFinding]:
    out = []
    queues = resources.live_of((_VOLCANO_QUEUE,))
    # Only a Volcano queue asks where GPU workloads land: skip the walk when there is none.
    landing = _gpu_landing(resources) if queues else (set(), False)
    for r in resources.live_of((_VOLCANO_QUEUE, _KUEUE_QUEUE), groups=("gpu",)):
        f = r["facts"]
        scaling = f.get("autoscaling")
        if f.get("is_gpu") is True and isinstance(scaling, dict) and scaling.get("enabled"):
            attribute = scaling.get("attribute")
            hidden = unknown_path(r, attribute) if isinstance(attribute, str) else None
            if not hidden and not scaling.get("explicit_max"):
                out.append(
                    finding(
                        r,
                        f"autoscales GPU capacity with no maximum at "
                        f"{attribute}, so nothing bounds how many GPUs it can add",
                    )
                )
        if _volcano_uncapped(r, landing):
            out.append(
                finding(
                    r,
                    "is a Volcano queue whose spec.capability sets "
                    "no GPU limit, so the jobs it admits can take every GPU in the cluster",
                )
            )
        missing = _kueue_uncapped_flavors(r)
        if missing:
            out.append(
                finding(
                    r,
                    f"covers GPUs but sets no nominalQuota for them "
                    f"in flavor(s) {', '.join(missing)}",
                )
            )
    return out
