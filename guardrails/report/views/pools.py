"""``guardrails cost --by DIMENSION``: GPU spend per pool against its budget.

Pools are built by ``enrich.budgets`` (``pool_breakdown``) from the same facts the policies read,
so the view and GR-COST-007 never disagree. Rendered as a table, JSON or Markdown here; HTML in
pools_html.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Mapping
from typing import Any

from rich.console import Console
from rich.table import Table

from guardrails.enrich.budgets import (
    Pool,
    PoolBreakdown,
    budget_dimensions,
    overlap_note,
    pool_breakdown,
)
from guardrails.enrich.cost import dollars, signed_dollars
from guardrails.model import Graph
from guardrails.report.md_text import cell, code
from guardrails.safe_text import one_line

STATUS_LABEL = {
    "over": "OVER BUDGET",
    "unknown": "unknown (unpriced)",
    "warn": "warning",
    "ok": "ok",
    "no budget": "no budget",
}


def breakdown_dict(breakdown: PoolBreakdown) -> dict[str, Any]:
    """``cost --by`` JSON: every pool of one dimension."""
    return {
        "version": 1,
        "dimension": breakdown.dimension,
        "warn_at_percent": breakdown.warn_percent,
        "pools": [pool_dict(p) for p in breakdown.pools],
    }


def pool_dict(pool: Pool) -> dict[str, Any]:
    """One pool in ``cost --by`` JSON."""
    return {
        "pool": pool.value,
        "monthly_usd_before": pool.before,
        "monthly_usd_after": pool.after,
        "monthly_usd_delta": pool.delta,
        "budget": pool.budget,
        "headroom": pool.headroom,
        "percent_used": pool.percent_used,
        "status": pool.status,
        "gpus": pool.gpus,
        "resources": len(pool.members),
        "unpriced": sorted(m.address for m in pool.unpriced),
        "monthly_usd_assumed": pool.assumed_after,
        "assumed": sorted(m.address for m in pool.assumed),
        "price_assumption": pool.assumed[0].assumption if pool.assumed else None,
        "counted_on_node_groups": [
            {
                "address": m.address,
                "node_groups": list(m.counted_on),
                "monthly_usd_scale_up": m.after,
            }
            for m in pool.counted_elsewhere
        ],
        "possible_overlap": [
            {"address": m.address, "node_groups": list(m.overlaps), "reason": m.overlap_reason}
            for m in pool.overlapping
        ],
        "notes": pool_notes(pool),
        "top_contributors": [
            {"address": m.address, "monthly_usd_after": m.after} for m in pool.top_contributors()
        ],
    }


def after_label(pool: Pool) -> str:
    """Monthly cost after the change; unpriced members are named, never counted as $0."""
    unpriced = len(pool.unpriced)
    return dollars(pool.after) + (f" + {unpriced} unpriced" if unpriced else "")


def assumed_label(pool: Pool) -> str:
    """The part of the cost after priced at the assumed default $/GPU-hour, and its share."""
    if not pool.assumed:
        return "—"
    share = math.floor(pool.assumed_after * 100 / pool.after) if pool.after else 0
    return f"{dollars(pool.assumed_after)} ({share}%)"


def pool_notes(pool: Pool) -> list[str]:
    """What a pool's figures rest on, one sentence each: guesses, unpriced and shared GPUs."""
    notes = []
    if pool.unpriced:
        names = ", ".join(sorted(m.address for m in pool.unpriced))
        notes.append(f"unpriced GPU resources (cost unknown, not counted as $0): {names}")
    if pool.assumed:
        names = ", ".join(sorted(m.address for m in pool.assumed))
        rate = pool.assumed[0].assumption or "assumed price"
        notes.append(
            f"{dollars(pool.assumed_after)} of {dollars(pool.after)} priced at an {rate}, "
            f"not a catalog price: {names}"
        )
    for m in pool.counted_elsewhere:
        notes.append(
            f"{m.address} runs on {', '.join(m.counted_on)}: its GPUs are counted once, "
            f"adding {dollars(m.after or 0.0)} of scale-up beyond the node group's desired size"
        )
    notes += [overlap_note(m) for m in pool.overlapping]
    return notes


def budget_label(pool: Pool) -> str:
    return dollars(pool.budget) if pool.budget is not None else "—"


def headroom_label(pool: Pool) -> str:
    if pool.headroom is None:
        return "—"
    if pool.unpriced and pool.headroom >= 0:
        return f"≤ {dollars(pool.headroom)}"
    return signed_dollars(pool.headroom) if pool.headroom < 0 else dollars(pool.headroom)


def used_label(pool: Pool) -> str:
    return "—" if pool.percent_used is None else f"{pool.percent_used}%"


def gpus_label(pool: Pool) -> str:
    return "?" if pool.gpus is None else f"{pool.gpus:g}"


def status_label(pool: Pool) -> str:
    return STATUS_LABEL[pool.status]


COLUMNS = (
    "Pool",
    "Before",
    "After",
    "Assumed",
    "Delta",
    "Budget",
    "Headroom",
    "Used",
    "GPUs",
    "Resources",
    "Status",
)


def pool_cells(pool: Pool) -> tuple[str, ...]:
    """The cells of one pool row, in COLUMNS order."""
    return (
        pool.value,
        dollars(pool.before),
        after_label(pool),
        assumed_label(pool),
        signed_dollars(pool.delta),
        budget_label(pool),
        headroom_label(pool),
        used_label(pool),
        gpus_label(pool),
        str(len(pool.members)),
        status_label(pool),
    )


def title(breakdown: PoolBreakdown) -> str:
    return f"Monthly GPU cost by {breakdown.dimension} (USD, desired scale)"


def render_pools_table(breakdown: PoolBreakdown, color: bool) -> str:
    buffer = io.StringIO()
    console = Console(
        file=buffer, force_terminal=color, no_color=not color, width=140, highlight=False
    )
    if not breakdown.pools:
        console.print("No GPU resources found.")
        return buffer.getvalue()
    table = Table(title=title(breakdown))
    for column in COLUMNS:
        table.add_column(column, overflow="fold", justify="left" if column == "Pool" else "right")
    styles = {"over": "bold red", "warn": "yellow", "unknown": "magenta"}
    for pool in breakdown.pools:
        table.add_row(*map(one_line, pool_cells(pool)), style=styles.get(pool.status))
    console.print(table)
    if any(pool.assumed for pool in breakdown.pools):
        console.print(
            "Assumed: the part of After priced at the default $/GPU-hour (no catalog row)."
        )
    for pool in breakdown.pools:
        for note in pool_notes(pool):
            console.print(f"{one_line(pool.value)}: {one_line(note)}", markup=False)
    return buffer.getvalue()


def render_pools_json(breakdown: PoolBreakdown) -> str:
    return json.dumps(breakdown_dict(breakdown), indent=2) + "\n"


def pools_markdown_table(pools: tuple[Pool, ...], dimension: str) -> list[str]:
    """Markdown table rows of ``pools`` (shared by ``cost --by`` and the PR comment)."""
    header = [dimension if c == "Pool" else c for c in COLUMNS]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(COLUMNS)]
    for pool in pools:
        cells = list(pool_cells(pool))
        cells[0] = code(cells[0])
        if pool.status == "over":
            cells[-1] = f"**{cells[-1]}**"
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def pools_markdown_notes(pools: tuple[Pool, ...]) -> list[str]:
    """A bullet per pool note (empty when every figure is a catalog price, counted once)."""
    return [f"- {code(pool.value)}: {cell(note)}" for pool in pools for note in pool_notes(pool)]


def render_pools_markdown(breakdown: PoolBreakdown) -> str:
    lines = [f"### {title(breakdown)}", ""]
    if not breakdown.pools:
        return "\n".join([*lines, "No GPU resources found."]) + "\n"
    lines += pools_markdown_table(breakdown.pools, breakdown.dimension)
    notes = pools_markdown_notes(breakdown.pools)
    lines += ["", *notes] if notes else []
    return "\n".join(lines) + "\n"


def budget_section(graph: Graph, budgets: Mapping[str, Any]) -> list[str]:
    """The PR comment's budget pools section (empty when no budgets are configured)."""
    dimensions = budget_dimensions(budgets)
    if not dimensions:
        return []
    lines = ["### GPU budget pools", ""]
    for dimension in sorted(dimensions):
        breakdown = pool_breakdown(graph.resources, dimension, budgets)
        lines += [f"**By {dimension}** (monthly USD, desired scale)", ""]
        lines += pools_markdown_table(breakdown.pools, dimension) if breakdown.pools else []
        notes = pools_markdown_notes(breakdown.pools)
        lines += ["", *notes] if notes else []
        lines.append("")
    return lines
