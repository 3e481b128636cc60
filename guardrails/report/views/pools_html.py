"""``guardrails cost --by DIMENSION --format html``: one self-contained page (no scripts, no
external assets) with a bar per pool against its budget, for people who read charts, not JSON."""

from __future__ import annotations

from html import escape

from guardrails.enrich.budgets import Pool, PoolBreakdown
from guardrails.enrich.cost import dollars, signed_dollars
from guardrails.report.views.pools import (
    COLUMNS,
    after_label,
    pool_cells,
    pool_notes,
    status_label,
    title,
)

#: Fill colour per pool status (also named in the legend).
COLORS = {
    "ok": "#2e7d32",
    "warn": "#f9a825",
    "over": "#c62828",
    "unknown": "#8e24aa",
    "no budget": "#546e7a",
}
_LABEL_WIDTH = 190
_BAR_AREA = 560
_VALUE_WIDTH = 330
_ROW = 44
_BAR_HEIGHT = 24

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 2rem;
       color: #1b1f23; background: #fff; }
h1 { font-size: 1.4rem; margin: 0 0 .3rem; }
p.summary { margin: 0 0 1.2rem; color: #444; }
figure { margin: 0 0 1.5rem; }
svg text { font-size: 14px; fill: #1b1f23; }
svg text.value-label { font-variant-numeric: tabular-nums; }
.budget-marker { stroke: #111; stroke-width: 2; stroke-dasharray: 4 3; }
.legend span { display: inline-block; margin-right: 1.2rem; font-size: .9rem; }
.legend i { display: inline-block; width: .9rem; height: .9rem; margin-right: .35rem;
            vertical-align: -.1rem; }
table { border-collapse: collapse; font-size: .9rem; }
th, td { border-bottom: 1px solid #ddd; padding: .35rem .7rem; text-align: right; }
th:first-child, td:first-child { text-align: left; }
tr.over td { color: #c62828; font-weight: 600; }
ul.notes { color: #4a148c; }
"""


def _bar_label(pool: Pool) -> str:
    """What a bar says, in words: pool, cost after, budget and share used."""
    budget = f" of {dollars(pool.budget)} budget" if pool.budget is not None else ", no budget"
    used = f" ({pool.percent_used}%)" if pool.percent_used is not None else ""
    return f"{pool.value}: {after_label(pool)}{budget}{used}, {status_label(pool)}"


def _value_text(pool: Pool) -> str:
    budget = f" / {dollars(pool.budget)}" if pool.budget is not None else " / no budget"
    used = f" ({pool.percent_used}%)" if pool.percent_used is not None else ""
    return f"{after_label(pool)}{budget}{used}"


def _chart(breakdown: PoolBreakdown) -> str:
    pools = breakdown.pools
    scale_top = max([p.after for p in pools] + [p.budget or 0 for p in pools] + [1.0])
    width = _LABEL_WIDTH + _BAR_AREA + _VALUE_WIDTH
    height = _ROW * len(pools) + 10
    rows = []
    for index, pool in enumerate(pools):
        y = 5 + index * _ROW
        bar_y = y + (_ROW - _BAR_HEIGHT) / 2
        text_y = y + _ROW / 2 + 5
        bar_width = round(_BAR_AREA * pool.after / scale_top, 1)
        label = escape(_bar_label(pool))
        parts = [
            f'<g class="pool" data-pool="{escape(pool.value)}" data-status="{pool.status}">',
            f'<text class="pool-label" x="0" y="{text_y}">{escape(short(pool.value))}</text>',
            f'<rect class="bar" x="{_LABEL_WIDTH}" y="{bar_y}" width="{bar_width}" '
            f'height="{_BAR_HEIGHT}" fill="{COLORS[pool.status]}" aria-label="{label}">'
            f"<title>{label}</title></rect>",
        ]
        if pool.budget is not None:
            marker_x = round(_LABEL_WIDTH + _BAR_AREA * pool.budget / scale_top, 1)
            parts.append(
                f'<line class="budget-marker" x1="{marker_x}" x2="{marker_x}" y1="{y + 4}" '
                f'y2="{y + _ROW - 4}"><title>budget {escape(dollars(pool.budget))}</title></line>'
            )
        value_x = _LABEL_WIDTH + _BAR_AREA + 12
        parts.append(
            f'<text class="value-label" x="{value_x}" y="{text_y}">'
            f"{escape(_value_text(pool))}</text></g>"
        )
        rows.append("".join(parts))
    summary = escape(f"Bar chart of monthly GPU cost per {breakdown.dimension} against budget")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{summary}" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
        + "".join(rows)
        + "</svg>"
    )


def short(value: str, limit: int = 24) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _legend() -> str:
    items = "".join(
        f'<span><i style="background:{color}"></i>{escape(status)}</span>'
        for status, color in COLORS.items()
    )
    marker = '<span><i style="border-left:2px dashed #111;width:0"></i>budget</span>'
    return f'<figcaption class="legend">{items}{marker}</figcaption>'


def _table(breakdown: PoolBreakdown) -> str:
    header = "".join(
        f"<th>{escape(breakdown.dimension if c == 'Pool' else c)}</th>" for c in COLUMNS
    )
    body = "".join(
        f'<tr class="{pool.status.replace(" ", "-")}">'
        + "".join(f"<td>{escape(cell)}</td>" for cell in pool_cells(pool))
        + "</tr>"
        for pool in breakdown.pools
    )
    return f"<table><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>"


def _notes(breakdown: PoolBreakdown) -> str:
    """Unpriced members, assumed prices and GPUs shared with node groups, per pool."""
    items = [
        f"<li>{escape(pool.value)}: {escape(note)}</li>"
        for pool in breakdown.pools
        for note in pool_notes(pool)
    ]
    if not items:
        return ""
    legend = (
        "<p>Assumed: the part of After priced at the default $/GPU-hour (no catalog row).</p>"
        if any(pool.assumed for pool in breakdown.pools)
        else ""
    )
    return f'<h2>What the figures rest on</h2>{legend}<ul class="notes">{"".join(items)}</ul>'


def render_pools_html(breakdown: PoolBreakdown) -> str:
    """The whole page: heading, totals, bar chart, table and the unpriced resources."""
    heading = escape(title(breakdown))
    before = sum(p.before for p in breakdown.pools)
    after = sum(p.after for p in breakdown.pools)
    over = sum(1 for p in breakdown.pools if p.status == "over")
    summary = (
        f"{len(breakdown.pools)} pool(s); monthly GPU cost {dollars(before)} → {dollars(after)} "
        f"({signed_dollars(after - before)}); {over} over budget"
    )
    if breakdown.warn_percent is not None:
        summary += f"; warning at {breakdown.warn_percent:g}% of budget"
    chart = (
        f"<figure>{_chart(breakdown)}{_legend()}</figure>"
        if breakdown.pools
        else "<p>No GPU resources found.</p>"
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{heading}</title><style>{CSS}</style></head><body><main>"
        f'<h1>{heading}</h1><p class="summary">{escape(summary)}</p>'
        f"{chart}{_table(breakdown) if breakdown.pools else ''}{_notes(breakdown)}"
        "<p><small>Generated by guardrails cost --by "
        f"{escape(breakdown.dimension)}.</small></p></main></body></html>\n"
    )
