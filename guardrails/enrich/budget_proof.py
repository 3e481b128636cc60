"""Budget pools held against their provable worst case (``guardrails budgets prove``, GR-COST-010).

A pool's worst case is the sum of its members' bounds (enrich.worst_case); its desired cost is
the GR-COST-007 figure at desired scale. Built once in enrichment and given to every engine as
``input.summary.budgets.worst_case``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from guardrails.enrich.budgets import (
    UNATTRIBUTED,
    Budget,
    budget_entries,
    build_pools,
)
from guardrails.enrich.cost import dollars
from guardrails.enrich.worst_case import Scan, belongs, pool_value, scan_bounds
from guardrails.enrich.worst_case.bound import Bound
from guardrails.model import Resource


@dataclass(frozen=True)
class ProofPool:
    """One pool: its budget, the bounds of its members and its cost at desired scale."""

    dimension: str
    value: str
    budget: Budget | None
    bounds: tuple[Bound, ...]
    desired: float
    desired_unpriced: int

    @property
    def name(self) -> str:
        return f"{self.dimension}={self.value}"

    @property
    def bounded_part(self) -> float:
        """The sum of the members that have a bound (margins included)."""
        return round(sum(b.worst or 0.0 for b in self.bounds), 2)

    @property
    def margin(self) -> float:
        return round(sum(b.margin for b in self.bounds if b.worst is not None), 2)

    @property
    def problems(self) -> list[str]:
        return [f"{b.address}: {b.problem}" for b in self.bounds if b.problem]

    @property
    def worst(self) -> float | None:
        """Provable worst-case monthly USD; None when a member has no bound or no price."""
        return None if self.problems else self.bounded_part

    @property
    def status(self) -> str:
        """over (proven or priced part alone above budget), unknown, ok, or no budget."""
        if self.budget is None:
            return "no budget"
        if self.bounded_part > self.budget.effective:
            return "over"
        return "unknown" if self.problems else "ok"

    def to_fact(self) -> dict[str, Any]:
        """The pool as GR-COST-010 sees it in ``input.summary.budgets.worst_case``."""
        budget = self.budget.effective if self.budget is not None else None
        members = sorted(
            (b for b in self.bounds if b.worst), key=lambda b: (-(b.worst or 0.0), b.address)
        )
        return {
            "dimension": self.dimension,
            "value": self.value,
            "name": self.name,
            "budget": budget,
            "budget_display": self.budget.binding if self.budget is not None else None,
            "bounded": not self.problems,
            "monthly_usd_worst": self.bounded_part,
            "monthly_usd_worst_display": dollars(self.bounded_part),
            "monthly_usd_margin_display": dollars(self.margin),
            "monthly_usd_desired": self.desired,
            "over_display": (
                dollars(self.bounded_part - budget)
                if budget is not None and self.bounded_part > budget
                else None
            ),
            "problems": self.problems,
            "problems_display": "; ".join(self.problems),
            "members_display": "; ".join(f"{b.address}: {b.why}" for b in members[:3]),
        }


def proof_pools(
    resources: Sequence[Resource],
    budgets: Mapping[str, Any],
    dimension: str | None = None,
    scan: Scan | None = None,
) -> list[ProofPool]:
    """Every pool of every budgeted dimension (or of ``dimension``) with its worst case."""
    entries = budget_entries(budgets)
    dimensions = [dimension] if dimension is not None else sorted(entries)
    scan = scan if scan is not None else scan_bounds(resources, budgets)
    by_id = {r.id: r for r in resources}
    out = []
    for dim in dimensions:
        values = entries.get(dim, {})
        grouped: dict[str, list[Bound]] = {value: [] for value in values}
        for rid, bounds in scan.bounds.items():
            gpu = [b for b in bounds if b.gpu]
            if gpu and belongs(by_id[rid], dim):
                grouped.setdefault(pool_value(by_id[rid], dim, scan), []).extend(gpu)
        desired = {
            p.value: p
            for p in build_pools(resources, dim, {v: b.effective for v, b in values.items()})
        }
        for value, found in desired.items():
            if any(belongs(by_id[m.id], dim) for m in found.members):
                grouped.setdefault(value, [])
        for value, bounds in grouped.items():
            pool = desired.get(value)
            out.append(
                ProofPool(
                    dimension=dim,
                    value=value,
                    budget=values.get(value),
                    bounds=tuple(sorted(bounds, key=lambda b: b.address)),
                    desired=pool.after if pool is not None else 0.0,
                    desired_unpriced=len(pool.unpriced) if pool is not None else 0,
                )
            )
    out.sort(key=lambda p: (p.dimension, p.value == UNATTRIBUTED, -(p.bounded_part), p.value))
    return out


def worst_case_summary(resources: Sequence[Resource], budgets: Mapping[str, Any]) -> list[Any]:
    """``input.summary.budgets.worst_case``: each budgeted pool's provable worst case."""
    if not budget_entries(budgets):
        return []
    return [p.to_fact() for p in proof_pools(resources, budgets) if p.budget is not None]
