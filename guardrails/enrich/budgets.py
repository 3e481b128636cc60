"""Budget pools: GPU spend grouped by a tag/label dimension and held against its budget.

A pool is every GPU resource whose value for the dimension (a tag or label key such as
``team``; ``environment`` and ``workload`` use the normalized facts) is the same, whatever
format it was written in. Resources without the dimension fall in the ``unattributed`` pool.
Unpriced GPU resources are counted as unpriced, never as $0. Members priced at the assumed
default $/GPU-hour are counted and the pool says how much of its total rests on that guess. A
Kubernetes workload placed on a GPU node group of the same scan (enrich.placement) is counted
once, on the node group; one that may run on such a group without a link is counted and named
as a possible overlap.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from guardrails.enrich.cost import dollars, signed_dollars
from guardrails.enrich.tags import tag_value
from guardrails.model import Action, Resource

UNATTRIBUTED = "unattributed"
#: Dimensions read from a normalized fact instead of the raw tag (so a namespace or a kind
#: that implies the value counts, and ``production``/``prod`` are one pool).
_FACT_DIMENSIONS = {"environment": "environment", "workload": "workload_class"}
#: Dimensions a scaling object answers with its own name: budgets per NodePool / ClusterQueue.
_OWN_NAME = {"nodepool": "NodePool", "clusterqueue": "ClusterQueue"}
#: Top contributors named in a pool's finding and row.
TOP = 3


@dataclass(frozen=True)
class PoolMember:
    """One GPU resource in a pool: its monthly USD before/after (None: unpriced) and GPUs."""

    id: str
    address: str
    before: float | None
    after: float | None
    gpus: float | None
    #: Priced (in part) at the configured default $/GPU-hour, not a catalog row.
    assumed: bool = False
    #: ``assumed $1.01/GPU-hour`` when assumed.
    assumption: str | None = None
    #: Node groups this workload's GPUs are counted on (its own price is left out).
    counted_on: tuple[str, ...] = ()
    #: GPU node groups of the scan it may also run on (both are counted), and why no link holds.
    overlaps: tuple[str, ...] = ()
    overlap_reason: str | None = None

    @property
    def priced(self) -> bool:
        return self.after is not None


@dataclass(frozen=True)
class Pool:
    """The GPU resources sharing one value of a dimension, and the budget set for it."""

    dimension: str
    value: str
    members: tuple[PoolMember, ...]
    budget: float | None
    warn_percent: float | None

    @property
    def before(self) -> float:
        return round(sum(m.before or 0.0 for m in self.members), 2)

    @property
    def after(self) -> float:
        return round(sum(m.after or 0.0 for m in self.members), 2)

    @property
    def delta(self) -> float:
        return round(self.after - self.before, 2)

    @property
    def unpriced(self) -> tuple[PoolMember, ...]:
        return tuple(m for m in self.members if not m.priced)

    @property
    def assumed(self) -> tuple[PoolMember, ...]:
        return tuple(m for m in self.members if m.assumed and m.priced)

    @property
    def assumed_after(self) -> float:
        """The part of ``after`` priced at the assumed default $/GPU-hour."""
        return round(sum(m.after or 0.0 for m in self.assumed), 2)

    @property
    def counted_elsewhere(self) -> tuple[PoolMember, ...]:
        return tuple(m for m in self.members if m.counted_on)

    @property
    def overlapping(self) -> tuple[PoolMember, ...]:
        return tuple(m for m in self.members if m.overlaps)

    def caveats(self) -> str:
        """What the pool's figure rests on, for messages: ``; $X of it ...`` or empty."""
        notes = []
        assumed = self.assumed
        if assumed:
            rate = assumed[0].assumption or "an assumed price"
            names = ", ".join(sorted(m.address for m in assumed))
            # A default $/GPU-hour is no catalog price; an assumed cloud's is another cloud's row.
            what = ", not a catalog price" if rate.startswith("assumed $") else ""
            notes.append(
                f"{dollars(self.assumed_after)} of the {dollars(self.after)} is priced at "
                f"an {rate}{what} ({len(assumed)} resource(s): {names})"
            )
        for m in sorted(self.counted_elsewhere, key=lambda m: (m.address, m.id)):
            notes.append(
                f"{m.address} runs on {', '.join(m.counted_on)}: its GPUs are counted once, "
                f"adding {dollars(m.after or 0.0)} of scale-up"
            )
        for m in sorted(self.overlapping, key=lambda m: (m.address, m.id)):
            notes.append(overlap_note(m))
        return "".join(f"; {n}" for n in notes)

    @property
    def gpus(self) -> float | None:
        """GPUs at desired scale after the change (None when a member's count is unknown)."""
        counts = [m.gpus for m in self.members]
        if any(c is None for c in counts):
            return None
        total = sum(c or 0 for c in counts)
        return int(total) if float(total).is_integer() else round(total, 2)

    @property
    def headroom(self) -> float | None:
        return None if self.budget is None else round(self.budget - self.after, 2)

    @property
    def percent_used(self) -> int | None:
        if not self.budget:
            return None
        return math.floor(self.after * 100 / self.budget)

    @property
    def warn_at(self) -> float | None:
        if self.budget is None or self.warn_percent is None:
            return None
        return round(self.budget * self.warn_percent / 100, 2)

    @property
    def status(self) -> str:
        """over, unknown (unpriced members hide the total), warn, ok or no budget."""
        if self.budget is None:
            return "no budget"
        if self.after > self.budget:
            return "over"
        if self.unpriced:
            return "unknown"
        if self.warn_at is not None and self.after >= self.warn_at and self.after > 0:
            return "warn"
        return "ok"

    def top_contributors(self) -> list[PoolMember]:
        priced = [m for m in self.members if m.priced and (m.after or not m.counted_on)]
        return sorted(priced, key=lambda m: (-(m.after or 0.0), m.address, m.id))[:TOP]

    def to_fact(self) -> dict[str, Any]:
        """The pool as policies see it in ``input.summary.budgets.pools``."""
        unpriced = self.unpriced
        top = self.top_contributors()
        return {
            "dimension": self.dimension,
            "value": self.value,
            "name": f"{self.dimension}={self.value}",
            "budget": self.budget,
            "budget_display": dollars(self.budget) if self.budget is not None else None,
            "warn_percent": self.warn_percent,
            "warn_at": self.warn_at,
            "warn_percent_display": (
                f"{self.warn_percent:g}%" if self.warn_percent is not None else None
            ),
            "percent_used": self.percent_used,
            "monthly_usd_before": self.before,
            "monthly_usd_after": self.after,
            "monthly_usd_delta": self.delta,
            "monthly_usd_before_display": dollars(self.before),
            "monthly_usd_after_display": dollars(self.after),
            "monthly_usd_delta_display": signed_dollars(self.delta),
            "over_display": (
                dollars(self.after - self.budget)
                if self.budget is not None and self.after > self.budget
                else None
            ),
            "resources": len(self.members),
            "gpus": self.gpus,
            "unpriced": len(unpriced),
            "unpriced_addresses": sorted(m.address for m in unpriced),
            "assumed": len(self.assumed),
            "assumed_addresses": sorted(m.address for m in self.assumed),
            "monthly_usd_assumed": self.assumed_after,
            "monthly_usd_assumed_display": dollars(self.assumed_after),
            "counted_on_node_groups": [
                {"address": m.address, "node_groups": list(m.counted_on)}
                for m in self.counted_elsewhere
            ],
            "possible_overlap": [
                {"address": m.address, "node_groups": list(m.overlaps)} for m in self.overlapping
            ],
            "caveats_display": self.caveats(),
            "top_contributors": [
                {"resource": m.id, "address": m.address, "monthly_usd_after": m.after} for m in top
            ],
            "top_contributors_display": ", ".join(
                f"{m.address} ({dollars(m.after or 0.0)})" for m in top
            ),
        }


def dimension_value(resource: Resource, dimension: str) -> str | None:
    """The resource's value for ``dimension``: the normalized fact, else its tag/label."""
    fact = _FACT_DIMENSIONS.get(dimension)
    if fact is not None:
        value = (resource.facts or {}).get(fact)
        return str(value) if isinstance(value, str) and value != "unknown" else None
    # The tag rule every GR-TAG policy uses: any case, and the configured tag_aliases.
    found = tag_value(resource.facts or {}, dimension)
    if found:
        return found
    # A scaling object answers the dimension named for its kind by its own name.
    if _OWN_NAME.get(dimension) == resource.type and resource.is_kubernetes_object:
        return resource.name
    return None


def _addresses(placement: Mapping[str, Any]) -> tuple[str, ...]:
    groups = placement.get("node_groups")
    return tuple(
        str(g["address"]) for g in groups or () if isinstance(g, Mapping) and "address" in g
    )


def _whole(value: Any) -> float:
    number = float(value)
    return int(number) if number.is_integer() else number


def _member(resource: Resource) -> PoolMember:
    facts = resource.facts or {}
    placement = facts.get("placement")
    placement = placement if isinstance(placement, Mapping) else {}
    if placement.get("status") == "on_node_group":
        # Its GPUs are the node group's, counted there once; it adds only the scale-up.
        counted = float(placement.get("monthly_usd_counted") or 0.0)
        was = facts.get("monthly_usd_before")
        gone = resource.action == Action.DELETE
        return PoolMember(
            id=resource.id,
            address=resource.address,
            before=0.0 if not was else counted,
            after=0.0 if gone else counted,
            gpus=0 if gone else _whole(placement.get("gpus_counted") or 0),
            assumed=facts.get("price_basis") == "assumed" and counted > 0 and not gone,
            assumption=(facts.get("price_assumption") or {}).get("display"),
            counted_on=_addresses(placement),
        )
    month = facts.get("monthly_usd")
    gpu = facts.get("gpu") or {}
    replicas = facts.get("replicas") or {}
    deleted = resource.action == Action.DELETE
    after = None if not isinstance(month, Mapping) else float(month["desired"])
    total = gpu.get("total")
    per_replica, desired = gpu.get("count"), replicas.get("desired")
    if deleted:
        gpus: float | None = 0
    elif isinstance(total, Mapping):
        gpus = total.get("desired")
    else:
        gpus = per_replica * desired if per_replica is not None and desired is not None else None
    before = facts.get("monthly_usd_before")
    return PoolMember(
        id=resource.id,
        address=resource.address,
        before=float(before) if isinstance(before, int | float) else None,
        after=0.0 if deleted else after,
        gpus=gpus,
        assumed=facts.get("price_basis") == "assumed" and not deleted,
        assumption=(facts.get("price_assumption") or {}).get("display"),
        overlaps=(_addresses(placement) if placement.get("status") == "possible_overlap" else ()),
        overlap_reason=placement.get("reason"),
    )


def overlap_note(m: PoolMember) -> str:
    """``Job/x may also run on aws_eks_node_group.gpu; why: counted on both, possibly twice``."""
    why = f" ({m.overlap_reason})" if m.overlap_reason else ""
    groups = ", ".join(dict.fromkeys(m.overlaps))
    return f"{m.address} may also run on {groups}{why}: counted on both, possibly twice"


def build_pools(
    resources: Iterable[Resource],
    dimension: str,
    budgets: Mapping[str, float] | None = None,
    warn_percent: float | None = None,
) -> list[Pool]:
    """Pools of the GPU resources by ``dimension``; budgeted pools appear even when empty.

    Sorted by monthly cost after the change (largest first), ``unattributed`` last.
    """
    budgets = budgets or {}
    grouped: dict[str, list[PoolMember]] = {value: [] for value in budgets}
    for resource in resources:
        facts = resource.facts or {}
        if resource.mode != "managed" or facts.get("is_gpu") is not True:
            continue
        value = dimension_value(resource, dimension) or UNATTRIBUTED
        grouped.setdefault(value, []).append(_member(resource))
    pools = [
        Pool(
            dimension=dimension,
            value=value,
            members=tuple(sorted(members, key=lambda m: (m.address, m.id))),
            budget=budgets.get(value),
            warn_percent=warn_percent,
        )
        for value, members in grouped.items()
    ]
    pools.sort(key=lambda p: (p.value == UNATTRIBUTED, -p.after, p.value))
    return pools


#: Keys of ``budgets:`` that are settings, not dimensions.
SETTINGS = ("warn_at_percent", "overrun_nodes", "flavor_types")


@dataclass(frozen=True)
class Budget:
    """One pool's budget: monthly USD, optional hourly USD, and the monthly figure that binds."""

    monthly: float | None
    hourly: float | None

    @property
    def effective(self) -> float:
        """The monthly cap both figures allow: the lower of monthly and hourly x 730."""
        caps = [
            c
            for c in (self.monthly, None if self.hourly is None else self.hourly * 730)
            if c is not None
        ]
        return round(min(caps), 2)

    @property
    def binding(self) -> str:
        """``$40,000/month`` or ``$50/hour x 730 h`` — what the effective figure comes from."""
        if self.hourly is not None and (self.monthly is None or self.hourly * 730 < self.monthly):
            return f"${self.hourly:,g}/hour x 730 h = {dollars(self.effective)}/month"
        return f"{dollars(self.effective)}/month"


def budget_entries(budgets: Mapping[str, Any]) -> dict[str, dict[str, Budget]]:
    """The ``budgets:`` config without its settings: dimension → value → Budget. A value is a
    monthly USD figure or ``{monthly: USD, hourly: USD}``."""
    out: dict[str, dict[str, Budget]] = {}
    for dimension, values in budgets.items():
        if dimension in SETTINGS or not isinstance(values, Mapping):
            continue
        out[dimension] = {}
        for value, figure in values.items():
            if isinstance(figure, Mapping):
                month, hour = figure.get("monthly"), figure.get("hourly")
                out[dimension][value] = Budget(
                    float(month) if isinstance(month, int | float) else None,
                    float(hour) if isinstance(hour, int | float) else None,
                )
            elif isinstance(figure, int | float):
                out[dimension][value] = Budget(float(figure), None)
    return out


def budget_dimensions(budgets: Mapping[str, Any]) -> dict[str, dict[str, float]]:
    """The ``budgets:`` config without its settings: dimension → value → monthly USD (the
    lower of ``monthly`` and ``hourly`` x 730 when both are set)."""
    return {
        dimension: {value: budget.effective for value, budget in values.items()}
        for dimension, values in budget_entries(budgets).items()
    }


@dataclass(frozen=True)
class BudgetSettings:
    """The settings under ``budgets:`` the worst-case proof and the compiler use."""

    overrun_nodes: int
    #: ResourceFlavor name → instance types / GPU accelerators its nodes are (the operator's word).
    flavor_types: dict[str, list[str]]


def budget_settings(budgets: Mapping[str, Any]) -> BudgetSettings:
    overrun = budgets.get("overrun_nodes", 1)
    declared = budgets.get("flavor_types")
    return BudgetSettings(
        overrun_nodes=overrun if isinstance(overrun, int) and not isinstance(overrun, bool) else 1,
        flavor_types={
            str(k): [str(v) for v in vs]
            for k, vs in (declared.items() if isinstance(declared, Mapping) else ())
            if isinstance(vs, list)
        },
    )


def budget_summary(resources: Sequence[Resource], budgets: Mapping[str, Any]) -> dict[str, Any]:
    """``input.summary.budgets``: every pool of every budgeted dimension."""
    warn = budgets.get("warn_at_percent")
    warn_percent = float(warn) if isinstance(warn, int | float) else None
    pools = [
        pool.to_fact()
        for dimension, values in sorted(budget_dimensions(budgets).items())
        for pool in build_pools(resources, dimension, values, warn_percent)
    ]
    return {"warn_at_percent": warn_percent, "pools": pools}


@dataclass(frozen=True)
class PoolBreakdown:
    """Every pool of one dimension, with the budgets configured for it."""

    dimension: str
    pools: tuple[Pool, ...]
    warn_percent: float | None

    @property
    def budgeted(self) -> bool:
        return any(p.budget is not None for p in self.pools)


def pool_breakdown(
    resources: Iterable[Resource], dimension: str, budgets: Mapping[str, Any]
) -> PoolBreakdown:
    """The pools of ``dimension`` over enriched resources, with budgets from the config."""
    warn = budgets.get("warn_at_percent")
    warn_percent = float(warn) if isinstance(warn, int | float) else None
    values = budget_dimensions(budgets).get(dimension, {})
    pools = build_pools(resources, dimension, values, warn_percent)
    return PoolBreakdown(dimension, tuple(pools), warn_percent)
