"""``guardrails cost`` output: the cost breakdown as a table, JSON or Markdown."""

from __future__ import annotations

import io
import json
from collections.abc import Mapping

from rich.console import Console
from rich.table import Table

from guardrails.enrich.cost import dollars, signed_dollars
from guardrails.report.cost import CostBreakdown, CostChange, CostRow

#: What computed the cost view: enrichment from the GPU catalog; no policy engine runs for it,
#: so the figures are the same whatever ``check --engine`` would use.
COST_ENGINE = "enrichment (no policy engine)"
COST_ENGINE_NOTE = "Computed by enrichment from the bundled GPU catalog; no policy engine ran."


def money_pair(values: Mapping[str, float] | None, fmt: str = "{:,.2f}") -> str:
    """``desired / max`` of a {desired, max} money fact, ``?`` when unpriced."""
    if not values:
        return "?"
    desired, maximum = values["desired"], values["max"]
    if desired == maximum:
        return "$" + fmt.format(desired)
    return f"${fmt.format(desired)} / ${fmt.format(maximum)}"


def gpu_label(row: CostRow) -> str:
    model = row.gpu_model or "unknown GPU"
    return f"{model} x {row.gpu_count}" if row.gpu_count is not None else model


def replicas_label(row: CostRow) -> str:
    desired = "?" if row.replicas_desired is None else str(row.replicas_desired)
    maximum = "∞" if row.replicas_max is None else str(row.replicas_max)
    return desired if desired == maximum else f"{desired} / {maximum}"


def before_after(row: CostRow) -> str:
    """``$before → $after`` for updates, replaces and deletes; the after cost for creates."""
    if row.action in ("create", "apply") or row.monthly_usd_before is None:
        return dollars(row.monthly_after)
    return f"{dollars(row.monthly_usd_before)} → {dollars(row.monthly_after)}"


def totals_line(breakdown: CostBreakdown) -> str:
    change = CostChange.of(breakdown.summary)
    return f"Monthly GPU cost {change.before} → {change.after} ({change.delta}/month)"


def render_cost_table(breakdown: CostBreakdown, color: bool) -> str:
    buffer = io.StringIO()
    console = Console(
        file=buffer, force_terminal=color, no_color=not color, width=140, highlight=False
    )
    if breakdown.rows:
        table = Table(title="GPU cost by resource (USD, desired / max scale)")
        for column in ("Resource", "Type", "GPU", "Capacity", "Replicas", "Hourly", "Monthly"):
            table.add_column(column, overflow="fold")
        table.add_column("Before → after", overflow="fold")
        for row in breakdown.rows:
            monthly = money_pair(row.monthly_usd, "{:,.0f}")
            table.add_row(
                row.address,
                row.type,
                gpu_label(row),
                row.capacity,
                replicas_label(row),
                money_pair(row.hourly_usd),
                monthly if not row.price_unknown else f"? ({row.price_unknown})",
                before_after(row),
            )
        console.print(table)
    else:
        console.print("No GPU resources found.")
    console.print(totals_line(breakdown))
    console.print(COST_ENGINE_NOTE)
    return buffer.getvalue()


def render_cost_json(breakdown: CostBreakdown) -> str:
    document = {**breakdown.to_dict(), "engine": COST_ENGINE}
    return json.dumps(document, indent=2, allow_nan=False) + "\n"


def render_cost_markdown(breakdown: CostBreakdown) -> str:
    lines = [f"### GPU cost: {signed_dollars(breakdown.delta)}/month", "", totals_line(breakdown)]
    if breakdown.rows:
        lines += [
            "",
            "| Resource | GPU | Capacity | Replicas | Hourly | Monthly | Before → after |",
            "|---|---|---|---|---|---|---|",
        ]
        for row in breakdown.rows:
            monthly = money_pair(row.monthly_usd, "{:,.0f}") if not row.price_unknown else "?"
            lines.append(
                f"| `{row.address}` | {gpu_label(row)} | {row.capacity} | "
                f"{replicas_label(row)} | {money_pair(row.hourly_usd)} | {monthly} | "
                f"{before_after(row)} |"
            )
    lines += ["", f"<sub>{COST_ENGINE_NOTE}</sub>"]
    return "\n".join(lines) + "\n"
