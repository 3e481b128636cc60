"""Helpers shared by the Python twins (the counterparts of policies/lib/util.rego)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any, Literal

from guardrails.bundled import shared_data
from guardrails.model.contract import InputDocument as InputDocument  # Resources.doc
from guardrails.model.contract import Neighbor, PodTemplate, ResourceDoc

Doc = dict[str, Any]
#: One item of ``input.resources`` (the typed input contract).
Resource = ResourceDoc

#: Node taints that mark spot capacity (``util.spot_taint_keys``, policies/data/spot.json).
SPOT_TAINT_KEYS = frozenset(shared_data("spot")["taint_keys"])
#: Whole-accelerator resource names, sorted as Rego iterates ``util.gpu_resource_names``
#: (policies/data/accelerators.json).
GPU_RESOURCE_NAMES = tuple(sorted(shared_data("accelerators")["whole_devices"]))


def unknown_path(r: Resource, path: str) -> str | None:
    """``util.unknown_path``: the first (sorted) unknown path at, above or below ``path``."""
    unknown = r.get("unknown")
    if not unknown:
        return None
    below = path + "."
    found = [u for u in unknown if u == path or path.startswith(u + ".") or u.startswith(below)]
    return min(found) if found else None


def holds(value: Any, key: str) -> bool:
    """Rego's ``value[key]`` as a condition: defined and not ``false`` (``0``, ``""`` and
    ``null`` hold, unlike Python's truthiness)."""
    return isinstance(value, dict) and key in value and value[key] is not False


def live(r: Resource) -> bool:
    """``util.live``: managed and not being deleted."""
    return r.get("mode") == "managed" and r.get("action") != "delete"


def templates(r: Resource) -> Sequence[PodTemplate]:
    """``util.templates``: the pod templates of a workload (parsers give every workload a
    list of mapping templates), none for anything else."""
    workload = r["workload"]
    return workload["pod_templates"] if workload is not None else ()


def attributes(r: Resource) -> Doc:
    """The resource's attributes when they are an object, else empty."""
    value = r.get("attributes")
    return value if isinstance(value, dict) else {}


def blocks(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        return [value]
    return []


def tag(r: Resource, key: str) -> str | None:
    """``util.tag``: the tag by the one key rule (facts.tags, lower-case canonical keys); an
    empty value counts as missing."""
    value: str | None = r["facts"]["tags"].get(key.lower())
    return value or None  # enrichment keeps string values only (enrich.tags)


#: Attributes that carry a resource's tags or labels (AWS ``tag`` blocks on an Auto Scaling
#: group, GKE ``node_config`` labels): unknown until apply, they make a tag check unknown
#: (policies/data/tags.json).
TAG_PATHS = tuple(shared_data("tags")["unknown_paths"])
_TAG_PATH_SET = frozenset(TAG_PATHS)
_TAG_PREFIXES = tuple(f"{p}." for p in TAG_PATHS)


def tag_unknowns(r: Resource) -> list[str]:
    """``util.tag_unknowns``: the resource's unknown paths that could hold tags, sorted."""
    unknown = r["unknown"]
    if not unknown:
        return []
    found = [
        u
        for u in unknown
        if u in _TAG_PATH_SET or (u.startswith(_TAG_PREFIXES) and ("tag" in u or "label" in u))
    ]
    return sorted(found) if len(found) > 1 else found


def tag_key(r: Resource, key: str) -> str:
    """``util.tag_key``: the key as the resource writes it."""
    found: str = r["facts"]["tag_keys"].get(key.lower(), key)
    return found


def has_value(obj: Any, key: str) -> bool:
    """``obj[key]`` is set and not null."""
    return isinstance(obj, dict) and key in obj and obj[key] is not None


def first_block(value: Any) -> Any:
    """The first of ``blocks(value)``, else ``{}``."""
    found = blocks(value)
    return found[0] if found else {}


def object_get(value: Any, key: str, default: Any) -> Any:
    """``object.get(value, key, default)``."""
    return value.get(key, default) if isinstance(value, dict) else default


def finding(r: Resource, message: str, **extra: Any) -> Doc:
    """A raw finding on ``r``: ``resource``, ``message``, then ``extra`` in its order."""
    found = {"resource": r["id"], "message": message}
    if extra:
        found.update(extra)
    return found


def one_of(value: Any, options: Collection[Any]) -> bool:
    """``value in options`` for a value of any JSON type (a list or object is never one of
    them, as in Rego, where Python would raise on the unhashable value)."""
    return isinstance(value, str) and value in options


def is_number(value: Any) -> bool:
    """Rego's ``is_number``: JSON numbers, never booleans."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def as_list(value: Any) -> list[Any]:
    """``value`` when it is a list, else empty (Rego: ``xs if is_array(xs) else := []``)."""
    return value if isinstance(value, list) else []


def resource_types(name: str) -> frozenset[str]:
    """``data.guardrails.resource_types[name]``: a set of types a policy selects by name."""
    return frozenset(shared_data("resource_types")[name])


def neighbors(r: Resource, direction: Literal["in", "out"]) -> list[Neighbor]:
    """``facts.neighbors.in|out``: the resource's edges with the type at the other end."""
    return r["facts"]["neighbors"][direction]


def at(value: Any, *path: str) -> Any:
    """``object.get(value, path, None)``."""
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value
