"""What every cloud's sizer shares: attribute types, replicas, autoscaling, capacity, pricing."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from guardrails.enrich.attrs import is_unknown
from guardrails.enrich.catalog import GpuCatalog, is_gpu_family
from guardrails.enrich.sizing import Sizing, Unit, most_expensive
from guardrails.model import Resource

Attrs = Mapping[str, Any]
#: Resolves a resource the given one references, by type (e.g. an ASG's launch template).
Referenced = Callable[[Resource, tuple[str, ...]], Resource | None]
#: A sizer: the resource, its attributes, the catalog and the reference resolver.
SizingFunction = Callable[[Resource, Attrs, GpuCatalog, Referenced], Sizing]


def lowered(value: Any) -> str:
    """The value as trimmed lower-case text ('' for None)."""
    return str(value).strip().lower() if value is not None else ""


def fixed(sizing: Sizing, desired: int | None, maximum: int | None = None) -> None:
    """Set the replicas: ``desired``, and ``maximum`` (else the desired count) at most."""
    sizing.desired = desired
    sizing.max = desired if maximum is None else maximum


def autoscale(sizing: Sizing, maximum: int | None, attribute: str, explicit: bool) -> None:
    """Mark autoscaling on, up to ``maximum`` as ``attribute`` says (``explicit``: it is set)."""
    sizing.autoscaling = {
        "enabled": True,
        "max": maximum,
        "explicit_max": explicit,
        "attribute": attribute,
    }


def price_types(
    sizing: Sizing, catalog: GpuCatalog, resource: Resource, types: list[str], path: tuple[str, ...]
) -> None:
    """Price the priciest GPU type among ``types`` (the attribute at ``path``) as one unit."""
    unknown = is_unknown(resource, *path)
    spec, name = most_expensive(catalog, types)
    if spec is not None and name is not None:
        sizing.use_spec(spec)
        sizing.instance_type = name
        spot = sizing.capacity == "spot"
        sizing.units.append(Unit(spec, 1, spot, sizing.desired, sizing.max, name))
        return
    gpu_types = [t for t in types if is_gpu_family(t)]
    if gpu_types:
        sizing.is_gpu = True
        sizing.instance_type = gpu_types[0]
        sizing.price_problem = (f"instance type {gpu_types[0]} is not in the GPU catalog", None)
    elif unknown and not types:
        # The type is only known after apply: it may be a GPU type, so the price is unknown.
        sizing.is_gpu = True
        sizing.price_problem = (f"{unknown} is unknown until apply", unknown)


def capacity(sizing: Sizing, resource: Resource, spot: bool, *path: str) -> None:
    """Spot, else unknown when the attribute at ``path`` is known only after apply, else
    on-demand."""
    unknown = is_unknown(resource, *path) if path else None
    if spot:
        sizing.capacity = "spot"
    elif unknown:
        sizing.capacity, sizing.capacity_attribute = "unknown", unknown
    else:
        sizing.capacity = "on-demand"


def roll_up(s: Sizing, gpu_pools: list[Sizing], counted: list[Sizing]) -> Sizing:
    """A cluster's price problem, capacity, replicas and autoscaling from its pools: the first
    GPU pool's price problem; spot when any counted pool is; replicas summed over ``counted``."""
    s.price_problem = next((p.price_problem for p in gpu_pools if p.price_problem), None)
    capacities = {p.capacity for p in counted}
    s.capacity = (
        "spot" if "spot" in capacities else ("unknown" if "unknown" in capacities else "on-demand")
    )
    s.capacity_attribute = next(
        (p.capacity_attribute for p in counted if p.capacity_attribute), None
    )
    s.desired = _sum(p.desired for p in counted) if counted else 0
    s.max = _sum(p.max for p in counted) if counted else 0
    scaling = [p.autoscaling for p in counted if p.autoscaling["enabled"]]
    if scaling:
        open_ended = [x for x in scaling if not x["explicit_max"]]
        autoscale(s, s.max, (open_ended or scaling)[0]["attribute"], not open_ended)
    return s


def _sum(values: Iterable[int | None]) -> int | None:
    listed = list(values)
    return None if any(v is None for v in listed) else sum(v for v in listed if v is not None)
