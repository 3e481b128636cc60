"""Python twin of GR-COST-007: budget pools over their budget."""

from __future__ import annotations

from guardrails.engines.base import RawFinding
from guardrails.engines.python.index import Resources
from guardrails.engines.python.registry import twin
from guardrails.engines.python.util import (
    Doc,
    InputDocument,
    is_number,
)


def _pools(doc: InputDocument) -> list[Doc]:
    budgets = (doc.get("summary") or {}).get("budgets")
    pools = budgets.get("pools") if isinstance(budgets, dict) else None
    return [p for p in pools if isinstance(p, dict)] if isinstance(pools, list) else []


def _change(p: Doc) -> str:
    return (
        f"{p['monthly_usd_before_display']} → {p['monthly_usd_after_display']} "
        f"({p['monthly_usd_delta_display']})"
    )


def _contributors(p: Doc) -> str:
    top = p["top_contributors_display"]
    return f"; top contributors: {top}" if top != "" else ""


def _pool_finding(p: Doc) -> RawFinding | None:
    after, budget = p["monthly_usd_after"], p["budget"]
    unpriced = ", ".join(p["unpriced_addresses"])
    if after > budget:
        note = (
            f"; {p['unpriced']} more GPU resource(s) in the pool are unpriced: {unpriced}"
            if p["unpriced"] != 0
            else ""
        )
        return {
            "resource": "change",
            "message": (
                f"Budget pool {p['name']} is {p['over_display']} over its "
                f"{p['budget_display']}/month budget: monthly GPU cost {_change(p)}"
                f"{_contributors(p)}{note}{p['caveats_display']}"
            ),
        }
    if p["unpriced"] > 0:
        return {
            "resource": "change",
            "outcome": "unknown",
            "message": (
                f"Budget pool {p['name']} cannot be checked against its {p['budget_display']}"
                f"/month budget: priced GPU cost {_change(p)}, but {p['unpriced']} GPU "
                f"resource(s) are unpriced: {unpriced}{p['caveats_display']}"
            ),
        }
    if p["unpriced"] == 0 and is_number(p.get("warn_at")) and after >= p["warn_at"] and after > 0:
        return {
            "resource": "change",
            "severity": "medium",
            "message": (
                f"Budget pool {p['name']} is at {p['percent_used']}% of its "
                f"{p['budget_display']}/month budget (warn at {p['warn_percent_display']}): "
                f"monthly GPU cost {_change(p)}{_contributors(p)}{p['caveats_display']}"
            ),
        }
    return None


@twin("GR-COST-007")
def budget_pool_exceeded(resources: Resources, config: Doc) -> list[RawFinding]:
    out = []
    for pool in _pools(resources.doc):
        if not is_number(pool.get("budget")):
            continue
        found = _pool_finding(pool)
        if found is not None:
            out.append(found)
    return out
