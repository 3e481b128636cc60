"""Pricing sized resources and totalling the change (730 hours a month)."""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from typing import Any

from guardrails.enrich.catalog import HOURS_PER_MONTH
from guardrails.enrich.sizing import Sizing, Unit
from guardrails.model.contract import Scale


def dollars(value: float) -> str:
    """``12345.6`` → ``$12,346`` (whole dollars)."""
    return f"${value:,.0f}" if value >= 0 else f"-${-value:,.0f}"


def signed_dollars(value: float) -> str:
    """``+$1,234`` / ``-$1,234`` / ``+$0``."""
    return f"+{dollars(value)}" if value >= 0 else dollars(value)


def _unit_price(unit: Unit) -> float | None:
    if unit.spot and unit.spec.spot is not None:
        return unit.spec.spot
    return unit.spec.on_demand


def price(sizing: Sizing) -> tuple[Scale | None, str | None]:
    """Hourly USD (unrounded) at desired and max scale, or None and why it cannot be priced."""
    if sizing.price_problem is not None:
        return None, sizing.price_problem[0]
    if not sizing.units:
        return None, "no GPU price could be determined"
    desired = maximum = 0.0
    for unit in sizing.units:
        hourly = _unit_price(unit)
        if hourly is None:
            return None, f"{unit.spec.instance_type} has no public on-demand list price"
        if unit.desired is None:
            return None, "the replica count is not known"
        desired += hourly * unit.count * unit.desired
        # An unbounded max is priced at desired scale; GR-COST-004 reports the missing max.
        scale = unit.max if unit.max is not None else unit.desired
        maximum += hourly * unit.count * max(scale, unit.desired)
    return {"desired": desired, "max": maximum}, None


def assumed_rate(sizing: Sizing) -> float | None:
    """The configured per-GPU price a unit was priced at when no catalog row matched."""
    rates = [unit.spec.on_demand for unit in sizing.units if unit.spec.assumed]
    return rates[0] if rates else None


def assumption_text(rate: float) -> str:
    """``assumed $1.01/GPU-hour``: how every format names a default price."""
    return f"assumed ${rate:,.2f}/GPU-hour"


#: Why a cloud's price was taken for a resource that names none (``price_assumption.reason``).
NO_CLOUD = "nothing in the resource names its cloud (node labels, selectors, instance type)"
NO_CATALOG_PRICE = "no catalog price for this accelerator"


def assumption(sizing: Sizing) -> dict[str, Any] | None:
    """``facts.price_assumption``: what a priced resource's cost assumes, or None.

    ``{usd_per_gpu_hour, display, cloud, sku, reason}``: the configured default $/GPU-hour when
    no catalog row prices the accelerator (cloud/sku null), or another cloud's row (``cloud``,
    ``sku``) when nothing in the resource names the cloud it runs on."""
    rate = assumed_rate(sizing)
    if rate is not None:
        return {
            "usd_per_gpu_hour": rate,
            "display": assumption_text(rate),
            "cloud": None,
            "sku": None,
            "reason": NO_CATALOG_PRICE,
        }
    for unit in sizing.units:
        if unit.spec.assumption is not None:
            return {
                "usd_per_gpu_hour": unit.spec.on_demand,
                "display": unit.spec.assumption,
                "cloud": unit.spec.provider,
                "sku": unit.spec.sku or unit.spec.instance_type,
                "reason": NO_CLOUD,
            }
    return None


def priced_items(sizing: Sizing) -> list[dict[str, Any]]:
    """What was priced, per unit: name, count per replica, capacity, USD/hour, source and date."""
    out = []
    for unit in sizing.units:
        hourly = _unit_price(unit)
        spot_price = unit.spot and unit.spec.spot is not None
        out.append(
            {
                "name": unit.name or unit.spec.instance_type,
                "gpu_model": None if unit.spec.assumed else unit.spec.gpu_model,
                "count": unit.count if not float(unit.count).is_integer() else int(unit.count),
                "replicas": {"desired": unit.desired, "max": unit.max},
                "capacity": "spot" if unit.spot else "on-demand",
                "price_kind": "spot" if spot_price else "on-demand",
                "usd_per_hour": hourly,
                "source": unit.spec.source,
                "as_of": unit.spec.as_of,
                "assumed": unit.spec.assumed or unit.spec.assumption is not None,
                "cloud": unit.spec.provider,
            }
        )
    return out


def coverage_summary(
    assumed: list[tuple[str, str]],
    unpriced: list[tuple[str, str, str]],
    rate: float,
    unevaluated: Sequence[tuple[str, str, str]] = (),
    cloud_assumed: Sequence[tuple[str, str, str]] = (),
) -> dict[str, Any]:
    """What the change's totals rest on (resources at an assumed price) and leave out (unpriced
    resources, and parts of the input nobody could look into: a module that is not expanded, an
    input that could not be read, whose GPU resources may be missing from the total)."""
    notes = []
    if unpriced:
        notes.append(f"{_resources(len(unpriced))} unpriced, not in the total")
    for what, items in _grouped(unevaluated).items():
        if what == ACCELERATORS_UNKNOWN:
            notes.append(
                f"{_resources(len(items))} with accelerators not counted: " + ", ".join(items)
            )
            continue
        whose = "its" if len(items) == 1 else "their"
        notes.append(
            f"{_count(len(items), what)}, so {whose} resources are not in the total: "
            + ", ".join(items)
        )
    if assumed:
        notes.append(f"{_resources(len(assumed))} priced at an {assumption_text(rate)}")
    if cloud_assumed:
        notes.append(
            f"{_resources(len(cloud_assumed))} priced at an assumed cloud's list price, as "
            f"nothing names the cloud: {'; '.join(sorted({d for _, _, d in cloud_assumed}))}"
        )
    return {
        "assumed": len(assumed) + len(cloud_assumed),
        "assumed_usd_per_gpu_hour": rate,
        "assumed_resources": [
            {"resource": rid, "address": a, "assumption": assumption_text(rate)}
            for rid, a in assumed
        ]
        + [
            {"resource": rid, "address": a, "assumption": display}
            for rid, a, display in cloud_assumed
        ],
        "unpriced": len(unpriced),
        "unpriced_resources": [
            {"resource": rid, "address": a, "reason": why} for rid, a, why in unpriced
        ],
        "unevaluated": len(unevaluated),
        "unevaluated_resources": [
            {"resource": rid, "address": a, "reason": what} for rid, a, what in unevaluated
        ],
        # True when the totals cover only part of the change: never a bare $0 for what is unseen.
        "partial": bool(unpriced or unevaluated),
        "coverage_note": "; ".join(notes),
    }


#: Why a part of the input was not looked into (the cost unknown labels reports show).
MODULE_NOT_EXPANDED = "module not expanded"
INPUT_NOT_READ = "input not read"
NOT_EVALUATED = "not evaluated"
#: A resource naming accelerators nothing counts (an unmodelled kind, a claim not in the scan).
ACCELERATORS_UNKNOWN = "accelerators not counted"
#: The other reasons an outcome is unknown: a value only known after apply, no price.
UNTIL_APPLY = "unknown until apply"
UNPRICED = "unpriced"
#: Plurals of those reasons for the coverage note.
_PLURAL = {
    MODULE_NOT_EXPANDED: "modules not expanded",
    INPUT_NOT_READ: "inputs not read",
    NOT_EVALUATED: "parts not evaluated",
}


def unevaluated_reason(mode: str, unknown: frozenset[str] = frozenset()) -> str:
    """Why a node with ``unevaluated`` set was not looked into, by its mode (a module call
    whose ``count``/``for_each`` is unknown was expanded once: its count was not evaluated)."""
    if "count" in unknown:
        return NOT_EVALUATED
    return {"module": MODULE_NOT_EXPANDED, "input": INPUT_NOT_READ}.get(mode, NOT_EVALUATED)


def _grouped(unevaluated: Sequence[tuple[str, str, str]]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for _, address, what in unevaluated:
        found.setdefault(what, []).append(address)
    return found


def _count(n: int, what: str) -> str:
    return f"{n} {what if n == 1 else _PLURAL.get(what, what)}"


def _resources(n: int) -> str:
    return f"{n} resource" if n == 1 else f"{n} resources"


def ceiling_monthly(sizing: Sizing) -> float | None:
    """Monthly USD at max size/replicas at on-demand prices (spot capacity can cost up to
    on-demand): a bound budgets can prove with. None: a max or an on-demand price is unknown."""
    if sizing.price_problem is not None or not sizing.units:
        return None
    total = 0.0
    for unit in sizing.units:
        if unit.spec.on_demand is None or unit.max is None or unit.spec.assumed:
            return None
        total += unit.spec.on_demand * unit.count * max(unit.max, unit.desired or 0)
    return round(total * HOURS_PER_MONTH, 2)


def monthly(hourly: Scale) -> Scale:
    """Monthly USD from unrounded hourly USD."""
    return {
        "desired": round(hourly["desired"] * HOURS_PER_MONTH, 2),
        "max": round(hourly["max"] * HOURS_PER_MONTH, 2),
    }


def rounded(hourly: Scale) -> Scale:
    return {"desired": round(hourly["desired"], 2), "max": round(hourly["max"], 2)}


def spot_saving(sizing: Sizing) -> float | None:
    """Monthly saving at desired scale if the on-demand units ran on spot (None: not priced)."""
    if sizing.capacity != "on-demand" or not sizing.units:
        return None
    saving = 0.0
    for unit in sizing.units:
        if unit.spec.spot is None or unit.spec.on_demand is None or unit.desired is None:
            return None
        saving += (unit.spec.on_demand - unit.spec.spot) * unit.count * unit.desired
    return round(saving * HOURS_PER_MONTH, 2)


def change_summary(rows: Iterable[tuple[str, str, float, float]]) -> dict[str, Any]:
    """``summary.cost`` from (id, address, monthly before, monthly after) per priced resource."""
    before = after = 0.0
    deltas: list[tuple[float, str, str]] = []
    for resource_id, address, was, now in rows:
        before += was
        after += now
        change = round(now - was, 2)
        if change:
            deltas.append((change, resource_id, address))
    # The top five in the order a full sort gives (nsmallest is sorted(...)[:n], stable).
    top = heapq.nsmallest(5, deltas, key=lambda d: (-abs(d[0]), d[2], d[1]))
    delta = round(after - before, 2)
    return {
        "monthly_usd_before": round(before, 2),
        "monthly_usd_after": round(after, 2),
        "monthly_usd_delta": delta,
        "monthly_usd_before_display": dollars(before),
        "monthly_usd_after_display": dollars(after),
        "monthly_usd_delta_display": signed_dollars(delta),
        "top_contributors": [
            {
                "resource": rid,
                "address": address,
                "monthly_usd_delta": d,
                "monthly_usd_delta_display": signed_dollars(d),
            }
            for d, rid, address in top
        ],
    }
