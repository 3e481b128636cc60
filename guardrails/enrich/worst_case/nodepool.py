"""A Karpenter NodePool's worst case: its tightest ``spec.limits`` x the priciest allowed type
per unit of that limit, plus an overrun margin of ``budgets.overrun_nodes`` nodes (limits are
eventually consistent)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from guardrails.enrich.allowed import (
    Allowed,
    allowed_by_requirements,
    device_of,
    monthly,
    requirements_of,
)
from guardrails.enrich.attrs import items
from guardrails.enrich.catalog import GpuCatalog
from guardrails.enrich.clouds import NODE_CLASS_KINDS
from guardrails.enrich.cost import dollars
from guardrails.enrich.kubernetes import quantity
from guardrails.enrich.worst_case.bound import Bound, as_map, listed, rate_text, spec_of
from guardrails.model import Resource

#: Default overrun margin: nodes of the priciest allowed type Karpenter may launch past a limit.
DEFAULT_OVERRUN_NODES = 1


def nodepool_cloud(spec: Mapping[str, Any]) -> str | None:
    """The cloud a NodePool's nodeClassRef names (EKS Auto Mode's NodeClass is AWS)."""
    ref = as_map(as_map(as_map(spec.get("template")).get("spec")).get("nodeClassRef"))
    kind = str(ref.get("kind", "")).lower()
    if str(ref.get("group", "")).startswith("eks.amazonaws.com"):
        return "aws"
    return NODE_CLASS_KINDS.get(kind)


def nodepool_allowed(resource: Resource, catalog: GpuCatalog) -> Allowed:
    """The GPU types a Karpenter NodePool allows."""
    spec = spec_of(resource)
    raw = as_map(as_map(spec.get("template")).get("spec")).get("requirements")
    reqs = requirements_of(items(raw))
    cloud = nodepool_cloud(spec)
    if cloud is None and any(r.key.startswith(("karpenter.k8s.aws/", "eks.")) for r in reqs):
        cloud = "aws"
    return allowed_by_requirements(reqs, catalog, cloud)


def _limit_quantity(name: str, value: Any) -> float | None:
    if name == "memory":
        return _gib(value)
    return quantity(_decimal(value))


_SUFFIX = {"k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "m": 1e-3}
_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50}


def _decimal(value: Any) -> Any:
    text = str(value).strip()
    for suffix, factor in _SUFFIX.items():
        if text.endswith(suffix) and text[: -len(suffix)].replace(".", "", 1).isdigit():
            return float(text[: -len(suffix)]) * factor
    return text


def _gib(value: Any) -> float | None:
    text = str(value).strip()
    for suffix, factor in _BINARY.items():
        if text.endswith(suffix):
            number = quantity(text[: -len(suffix)])
            return None if number is None else number * factor / 2**30
    number = quantity(_decimal(text))
    return None if number is None else number / 2**30


def nodepool_bound(resource: Resource, catalog: GpuCatalog, overrun_nodes: int) -> Bound:
    """A Karpenter NodePool's worst case: the tightest of its limits x the priciest allowed
    type per unit of that limit, plus the overrun margin."""
    allowed = nodepool_allowed(resource, catalog)
    base: dict[str, Any] = {"id": resource.id, "address": resource.address, "kind": "NodePool"}
    limits = {str(k): v for k, v in as_map(spec_of(resource).get("limits")).items()}
    detail: dict[str, Any] = {"limits": limits, "capacity": list(allowed.capacity)}
    if not allowed.any_gpu:
        if (resource.facts or {}).get("is_gpu") is True or any(device_of(k) for k in limits):
            # It asks for GPUs (a GPU limit, a GPU requirement) yet no allowed type is known.
            return Bound(
                **base,
                monthly=None,
                problem="unpriced: it provisions GPUs but allows no instance type the catalog "
                "knows",
                compiles="nodepool",
                detail=detail,
            )
        return Bound(**base, monthly=0.0, why="allows no GPU instance type", gpu=False)
    if allowed.unpriced:
        unbounded = "" if limits else "; unbounded: no spec.limits"
        return Bound(
            **base,
            monthly=None,
            problem=f"unpriced: allows {listed(allowed.unpriced)} (no catalog price){unbounded}",
            compiles="nodepool",
            detail=detail,
        )
    ceiling = allowed.ceiling()
    assert ceiling is not None  # any_gpu with nothing unpriced: priced rows
    margin = round(overrun_nodes * monthly(ceiling.per_node), 2)
    detail["margin"] = margin  # what compile reserves, also when no limit bounds the pool yet
    candidates = []
    for name, raw in limits.items():
        amount = _limit_quantity(name, raw)
        per = ceiling.per(name)
        if amount is None or per is None:
            continue
        candidates.append((int(amount) * monthly(per), name, int(amount), per))
    bounded: dict[str, Any] = dict(base, ceiling=ceiling, compiles="nodepool", detail=detail)
    if not candidates:
        return Bound(
            **bounded,
            monthly=None,
            problem=(
                "unbounded: no spec.limits"
                if not limits
                else "unbounded: spec.limits caps no resource every allowed GPU type has "
                "(cpu, memory, nodes or " + (ceiling.device or "one accelerator resource") + ")"
            ),
        )
    cost, name, amount, per = min(candidates)
    unit = {"cpu": "vCPU", "memory": "GiB", "nodes": "node"}.get(name, "GPU")
    which = {"cpu": "", "memory": "", "nodes": ceiling.per_node_type}.get(
        name, ceiling.per_gpu_type
    )
    why = (
        f"{name} {amount} x {rate_text(per)}/{unit}-hour{f' ({which})' if which else ''} x 730 h"
        f" = {dollars(cost)}; + overrun margin {overrun_nodes} x {ceiling.per_node_type} "
        f"({rate_text(ceiling.per_node)}/h) = {dollars(margin)}"
    )
    return Bound(**bounded, monthly=round(cost, 2), margin=margin, why=why)
