"""The cost breakdown: per GPU resource and for the change, from the enrichment facts.

The numbers are the facts the policies see (``resource.facts``, ``summary.cost``); this
module only selects and formats them, so the cost view and the policies never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from guardrails.enrich.cost import dollars, signed_dollars
from guardrails.model import Graph, Resource

#: The change-level monthly totals every report carries (JSON summary.cost, cost --format json).
CHANGE_TOTAL_KEYS = ("monthly_usd_before", "monthly_usd_after", "monthly_usd_delta")
#: What the totals rest on and leave out (enrich.cost.coverage_summary).
COVERAGE_KEYS = (
    "assumed",
    "assumed_usd_per_gpu_hour",
    "assumed_resources",
    "unpriced",
    "unpriced_resources",
    "counted_on_node_groups",
    "possible_overlap",
    "unevaluated",
    "unevaluated_resources",
    "partial",
    "coverage_note",
)
#: What a GPU cost total never includes, said wherever the total is shown.
SCOPE_NOTE = "GPU compute only: storage, network and CPU-only instances are not included"


def change_totals(summary: Mapping[str, Any]) -> dict[str, Any]:
    """Monthly GPU USD before, after and delta from ``summary.cost`` (0 when absent), with what
    the totals leave out (unpriced resources) and rest on (assumed prices)."""
    totals = {key: summary.get(key, 0.0) for key in CHANGE_TOTAL_KEYS}
    coverage = {key: summary[key] for key in COVERAGE_KEYS if key in summary}
    return {**totals, **coverage}


def is_partial(summary: Mapping[str, Any]) -> bool:
    """True when the totals leave something out (unpriced resources, unexpanded modules)."""
    return bool(summary.get("partial"))


def partial_suffix(summary: Mapping[str, Any]) -> str:
    """`` (partial)`` after a headline whose total leaves something out, else empty."""
    return " (partial)" if is_partial(summary) else ""


def totals_note(summary: Mapping[str, Any]) -> str:
    """``1 resource unpriced, not in the total; ...`` or empty when everything was priced."""
    note = summary.get("coverage_note")
    return note if isinstance(note, str) else ""


@dataclass(frozen=True)
class CostRow:
    """One GPU resource in the cost breakdown."""

    address: str
    type: str
    action: str
    gpu_model: str | None
    gpu_count: int | None
    capacity: str
    environment: str
    replicas_desired: int | None
    replicas_max: int | None
    hourly_usd: Mapping[str, float] | None
    monthly_usd: Mapping[str, float] | None
    monthly_usd_before: float | None
    #: Why the resource could not be priced (None when priced).
    price_unknown: str | None
    file: str | None
    line: int | None
    #: ``assumed $1.01/GPU-hour`` when a unit is priced at the configured default, else None.
    assumption: str | None = None
    #: What was priced: facts.priced_items (name, count, capacity, USD/hour, source, as_of).
    items: tuple[Mapping[str, Any], ...] = ()
    #: facts.placement: the GPU node group of the change a workload runs on (enrich.placement).
    placement: Mapping[str, Any] | None = None

    @property
    def counted_on(self) -> tuple[str, ...]:
        """Node groups whose GPUs this workload's are (it adds only their scale-up)."""
        if not self.placement or self.placement.get("status") != "on_node_group":
            return ()
        return tuple(str(g.get("address")) for g in self.placement.get("node_groups") or ())

    @property
    def monthly_after(self) -> float:
        """Monthly USD at desired scale once the change is applied (0 when deleted); a workload
        on a node group of the change counts only the scale-up it adds."""
        if self.action == "delete" or self.monthly_usd is None:
            return 0.0
        if self.counted_on and self.placement is not None:
            return float(self.placement.get("monthly_usd_counted") or 0.0)
        return float(self.monthly_usd["desired"])

    @property
    def monthly_delta(self) -> float:
        return round(self.monthly_after - float(self.monthly_usd_before or 0.0), 2)

    def to_dict(self) -> dict[str, Any]:
        return {
            "address": self.address,
            "type": self.type,
            "action": self.action,
            "gpu": {"model": self.gpu_model, "count": self.gpu_count},
            "capacity": self.capacity,
            "environment": self.environment,
            "replicas": {"desired": self.replicas_desired, "max": self.replicas_max},
            "hourly_usd": dict(self.hourly_usd) if self.hourly_usd else None,
            "monthly_usd": dict(self.monthly_usd) if self.monthly_usd else None,
            "monthly_usd_before": self.monthly_usd_before,
            "monthly_usd_delta": self.monthly_delta,
            "price_unknown": self.price_unknown,
            "price_basis": None
            if self.price_unknown or self.monthly_usd is None
            else ("assumed" if self.assumption else "catalog"),
            "price_assumption": self.assumption,
            "priced_items": [dict(i) for i in self.items],
            "placement": dict(self.placement) if self.placement else None,
            "location": {"file": self.file, "line": self.line},
        }


@dataclass(frozen=True)
class CostBreakdown:
    """Every GPU resource of an enriched graph and the change's monthly totals."""

    rows: tuple[CostRow, ...]
    summary: Mapping[str, Any]

    @property
    def delta(self) -> float:
        return float(self.summary.get("monthly_usd_delta", 0.0))

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": 1,
            "summary": {
                **change_totals(self.summary),
                "gpu_resources": len(self.rows),
                "unpriced": sum(1 for r in self.rows if r.price_unknown),
                "scope": SCOPE_NOTE,
                "top_contributors": [
                    {"address": c["address"], "monthly_usd_delta": c["monthly_usd_delta"]}
                    for c in self.summary.get("top_contributors", ())
                ],
            },
            "resources": [r.to_dict() for r in self.rows],
        }


@dataclass(frozen=True)
class CostChange:
    """``summary.cost`` ready to print: monthly before, after and signed delta."""

    before: str
    after: str
    delta: str
    delta_usd: float
    contributors: tuple[tuple[str, str], ...]  # (address, signed delta)

    @classmethod
    def of(cls, summary: Mapping[str, Any]) -> CostChange:
        delta = float(summary.get("monthly_usd_delta", 0.0))
        return cls(
            before=dollars(float(summary.get("monthly_usd_before", 0.0))),
            after=dollars(float(summary.get("monthly_usd_after", 0.0))),
            delta=signed_dollars(delta),
            delta_usd=delta,
            contributors=tuple(
                (str(c["address"]), signed_dollars(float(c["monthly_usd_delta"])))
                for c in summary.get("top_contributors") or ()
            ),
        )


def _row(resource: Resource) -> CostRow:
    facts = resource.facts or {}
    gpu = facts.get("gpu") or {}
    replicas = facts.get("replicas") or {}
    unknown = facts.get("price_unknown") or {}
    return CostRow(
        address=resource.address,
        type=resource.type,
        action=str(resource.action),
        gpu_model=gpu.get("model"),
        gpu_count=gpu.get("count"),
        capacity=str(facts.get("capacity") or "unknown"),
        environment=str(facts.get("environment") or "unknown"),
        replicas_desired=replicas.get("desired"),
        replicas_max=replicas.get("max"),
        hourly_usd=facts.get("hourly_usd"),
        monthly_usd=facts.get("monthly_usd"),
        monthly_usd_before=facts.get("monthly_usd_before"),
        price_unknown=unknown.get("reason") if facts.get("price_unknown") else None,
        file=resource.location.file if resource.location else None,
        line=resource.location.line if resource.location else None,
        assumption=(facts.get("price_assumption") or {}).get("display"),
        items=tuple(i for i in facts.get("priced_items") or () if isinstance(i, Mapping)),
        placement=facts.get("placement") if isinstance(facts.get("placement"), Mapping) else None,
    )


def cost_breakdown(graph: Graph) -> CostBreakdown:
    """The cost view of an enriched graph: GPU resources, most expensive change first."""
    rows = [_row(r) for r in graph.resources if (r.facts or {}).get("is_gpu")]
    rows.sort(key=lambda r: (-abs(r.monthly_delta), -r.monthly_after, r.address, r.file or ""))
    return CostBreakdown(tuple(rows), graph.summary.get("cost") or {})
