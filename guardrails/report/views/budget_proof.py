"""``guardrails budgets prove``: each pool's budget against its provable worst case and its
cost at desired scale, as a table, JSON, Markdown or a self-contained HTML chart."""

from __future__ import annotations

import io
import json
from html import escape

from rich.console import Console
from rich.table import Table

from guardrails.enrich.budget_proof import ProofPool
from guardrails.enrich.cost import dollars, signed_dollars
from guardrails.report.md_text import cell, code
from guardrails.report.views.pools_html import COLORS, CSS, short
from guardrails.safe_text import one_line

COLUMNS = ("Pool", "Budget", "Desired", "Worst case", "Overrun margin", "Headroom", "Status")
STATUS_LABEL = {
    "over": "OVER BUDGET",
    "unknown": "unknown (no bound)",
    "ok": "within budget",
    "no budget": "no budget",
}
TITLE = "Worst-case monthly GPU spend per pool (USD, 730 h, on-demand ceilings)"


def worst_label(pool: ProofPool) -> str:
    """The worst case, or ``≥ $X`` when a member has no bound (the priced part is a floor)."""
    if pool.worst is None:
        return f"≥ {dollars(pool.bounded_part)} + {len(pool.problems)} unbounded"
    return dollars(pool.worst)


def cells(pool: ProofPool) -> tuple[str, ...]:
    budget = pool.budget.effective if pool.budget is not None else None
    headroom = "—" if budget is None or pool.worst is None else signed_dollars(budget - pool.worst)
    if headroom.startswith("+"):
        headroom = headroom[1:]
    return (
        pool.name,
        pool.budget.binding if pool.budget is not None else "—",
        dollars(pool.desired)
        + (f" + {pool.desired_unpriced} unpriced" if pool.desired_unpriced else ""),
        worst_label(pool),
        dollars(pool.margin) if pool.margin else "—",
        headroom,
        STATUS_LABEL[pool.status],
    )


def notes(pool: ProofPool) -> list[str]:
    """The arithmetic per member, then what has no bound."""
    out = [f"{b.address}: {b.why}" for b in pool.bounds if b.why and b.worst]
    out += [f"{p} (worst case unknown)" for p in pool.problems]
    return out


def render_proof_table(pools: list[ProofPool], color: bool) -> str:
    buffer = io.StringIO()
    console = Console(
        file=buffer, force_terminal=color, no_color=not color, width=140, highlight=False
    )
    if not pools:
        console.print("No budgeted pool: set budgets in .guardrails.yaml or pass --by.")
        return buffer.getvalue()
    table = Table(title=TITLE)
    for column in COLUMNS:
        table.add_column(column, overflow="fold", justify="left" if column == "Pool" else "right")
    styles = {"over": "bold red", "unknown": "magenta"}
    for pool in pools:
        table.add_row(*map(one_line, cells(pool)), style=styles.get(pool.status))
    console.print(table)
    for pool in pools:
        for note in notes(pool):
            console.print(f"{one_line(pool.name)}: {one_line(note)}", markup=False)
    return buffer.getvalue()


def proof_dict(pool: ProofPool) -> dict[str, object]:
    return {
        "pool": pool.value,
        "dimension": pool.dimension,
        "budget": pool.budget.effective if pool.budget is not None else None,
        "budget_hourly": pool.budget.hourly if pool.budget is not None else None,
        "monthly_usd_desired": pool.desired,
        "monthly_usd_worst": pool.worst,
        "monthly_usd_bounded_part": pool.bounded_part,
        "monthly_usd_overrun_margin": pool.margin,
        "status": pool.status,
        "members": [
            {
                "address": b.address,
                "kind": b.kind,
                "monthly_usd_worst": b.worst,
                "overrun_margin": b.margin,
                "arithmetic": b.why or None,
                "problem": b.problem,
                "price_source": b.ceiling.source if b.ceiling else None,
                "price_as_of": b.ceiling.as_of if b.ceiling else None,
            }
            for b in pool.bounds
        ],
    }


def render_proof_json(pools: list[ProofPool]) -> str:
    return json.dumps({"version": 1, "pools": [proof_dict(p) for p in pools]}, indent=2) + "\n"


def render_proof_markdown(pools: list[ProofPool]) -> str:
    lines = [f"### {TITLE}", ""]
    if not pools:
        return "\n".join([*lines, "No budgeted pool."]) + "\n"
    lines += ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for pool in pools:
        row = [cell(c) for c in cells(pool)]
        row[0] = code(pool.name)
        if pool.status == "over":
            row[-1] = f"**{row[-1]}**"
        lines.append("| " + " | ".join(row) + " |")
    bullets = [f"- {code(p.name)}: {cell(n)}" for p in pools for n in notes(p)]
    return "\n".join([*lines, *(["", *bullets] if bullets else [])]) + "\n"


_LABEL, _AREA, _VALUE, _ROW = 220, 520, 360, 52


def _chart(pools: list[ProofPool]) -> str:
    top = max(
        [p.bounded_part for p in pools]
        + [p.desired for p in pools]
        + [p.budget.effective for p in pools if p.budget is not None]
        + [1.0]
    )
    width, height = _LABEL + _AREA + _VALUE, _ROW * len(pools) + 10
    rows = []
    for index, pool in enumerate(pools):
        y = 5 + index * _ROW
        worst_w = round(_AREA * pool.bounded_part / top, 1)
        desired_w = round(_AREA * pool.desired / top, 1)
        label = escape(
            f"{pool.name}: worst case {worst_label(pool)}, desired {dollars(pool.desired)}"
        )
        parts = [
            f'<g class="pool" data-pool="{escape(pool.name)}" data-status="{pool.status}">',
            f'<text x="0" y="{y + 26}">{escape(short(pool.name, 28))}</text>',
            f'<rect class="bar worst" x="{_LABEL}" y="{y + 6}" width="{worst_w}" height="18" '
            f'fill="{COLORS[pool.status]}" aria-label="{label}"><title>{label}</title></rect>',
            f'<rect class="bar desired" x="{_LABEL}" y="{y + 28}" width="{desired_w}" height="10" '
            f'fill="#90a4ae"><title>desired {escape(dollars(pool.desired))}</title></rect>',
        ]
        if pool.budget is not None:
            x = round(_LABEL + _AREA * pool.budget.effective / top, 1)
            parts.append(
                f'<line class="budget-marker" x1="{x}" x2="{x}" y1="{y + 2}" y2="{y + _ROW - 6}">'
                f"<title>budget {escape(dollars(pool.budget.effective))}</title></line>"
            )
        text = f"{worst_label(pool)} worst / {dollars(pool.desired)} desired"
        if pool.budget is not None:
            text += f" / {dollars(pool.budget.effective)} budget"
        parts.append(
            f'<text class="value-label" x="{_LABEL + _AREA + 12}" y="{y + 26}">'
            f"{escape(text)}</text></g>"
        )
        rows.append("".join(parts))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(TITLE)}" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">{"".join(rows)}</svg>'
    )


def render_proof_html(pools: list[ProofPool]) -> str:
    """One self-contained page: per pool a bar for the worst case (status colour), a grey bar
    for the cost at desired scale and a dashed marker at the budget; the table and the notes."""
    header = "".join(f"<th>{escape(c)}</th>" for c in COLUMNS)
    body = "".join(
        f'<tr class="{p.status.replace(" ", "-")}">'
        + "".join(f"<td>{escape(c)}</td>" for c in cells(p))
        + "</tr>"
        for p in pools
    )
    items = "".join(f"<li>{escape(p.name)}: {escape(n)}</li>" for p in pools for n in notes(p))
    legend = (
        '<figcaption class="legend"><span><i style="background:#2e7d32"></i>worst case</span>'
        '<span><i style="background:#90a4ae"></i>desired</span>'
        '<span><i style="border-left:2px dashed #111;width:0"></i>budget</span></figcaption>'
    )
    chart = f"<figure>{_chart(pools)}{legend}</figure>" if pools else "<p>No budgeted pool.</p>"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(TITLE)}</title><style>{CSS}</style></head><body><main>"
        f"<h1>{escape(TITLE)}</h1>{chart}"
        f"<table><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>"
        f'<h2>The arithmetic</h2><ul class="notes">{items}</ul>'
        "<p><small>Generated by guardrails budgets prove.</small></p></main></body></html>\n"
    )
