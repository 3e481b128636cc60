"""``guardrails cost`` output: the cost breakdown as a table, JSON or Markdown."""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from rich.markup import escape
from rich.table import Table

from guardrails.enrich.cost import dollars, signed_dollars
from guardrails.report.md_text import code
from guardrails.report.terminal import report_console
from guardrails.report.views.cost import (
    SCOPE_NOTE,
    CostBreakdown,
    CostChange,
    CostRow,
    is_partial,
    partial_suffix,
    totals_note,
)
from guardrails.report.width import output_width, wrap_at_separators, wrap_words
from guardrails.safe_text import one_line

#: What computed the cost view: enrichment from the GPU catalog; no policy engine runs for it,
#: so the figures are the same whatever ``check --engine`` would use.
COST_ENGINE = "enrichment (no policy engine)"
COST_ENGINE_NOTE = "Computed by enrichment from the bundled GPU catalog; no policy engine ran."
#: Shown for a side of a change that does not exist (before a create, after a delete).
ABSENT = "—"


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
    unbounded = "?" if row.replicas_desired is None else "∞"  # unknown count: no max either
    maximum = unbounded if row.replicas_max is None else str(row.replicas_max)
    return desired if desired == maximum else f"{desired} / {maximum}"


def delta_label(row: CostRow) -> str:
    """``— → $5,840`` for a new resource, ``$384 → $734`` for a change, ``$734 → —`` for a
    delete; ``?`` for a side that cannot be priced (it is not in the total)."""
    if row.counted_on:
        return f"on {', '.join(row.counted_on)}: +{dollars(row.monthly_after)} scale-up"
    if row.price_unknown:
        return "? (not in total)"
    before = (
        ABSENT
        if row.action in ("create", "apply") or row.monthly_usd_before is None
        else dollars(row.monthly_usd_before)
    )
    after = ABSENT if row.action == "delete" else dollars(row.monthly_after)
    return f"{before} → {after}"


def monthly_label(row: CostRow) -> str:
    return "unpriced" if row.price_unknown else money_pair(row.monthly_usd, "{:,.0f}")


def _count(value: Any) -> str:
    """``8``, or a fraction for a slice (``1/7``) when one with a small denominator fits."""
    number = float(value)
    if number.is_integer():
        return str(int(number))
    fraction = Fraction(number).limit_denominator(8)
    if abs(float(fraction) - number) < 1e-4:
        return f"{fraction.numerator}/{fraction.denominator}"
    return f"{number:g}"


def unpriced_lines(breakdown: CostBreakdown) -> list[str]:
    """One line per GPU resource left out of the total, with why."""
    rows = [r for r in breakdown.rows if r.price_unknown]
    if not rows:
        return []
    return ["Not in the total (cannot be priced):"] + [
        f"  {one_line(r.address)}: {one_line(r.price_unknown or '')}" for r in rows
    ]


class Sources:
    """Footnotes naming each price's catalog row (source and date), numbered in order of use."""

    def __init__(self) -> None:
        self.notes: dict[tuple[str, str, str], int] = {}

    def ref(self, item: Mapping[str, Any]) -> str:
        price = item.get("usd_per_hour")
        key = (
            str(item.get("name")),
            f"${price:,.4g}/h {item.get('price_kind', '')}" if price is not None else "no price",
            f"{item.get('source') or 'no source'}"
            + (f" (as of {item['as_of']})" if item.get("as_of") else ""),
        )
        if key not in self.notes:
            self.notes[key] = len(self.notes) + 1
        return f"[{self.notes[key]}]"

    def lines(self) -> list[str]:
        return [
            f"[{n}] {name} {price}: {source}" for (name, price, source), n in self.notes.items()
        ]


def priced_as(row: CostRow, sources: Sources) -> str:
    """What was priced, one line per unit: ``p4d.24xlarge x 1 [1]``; assumed prices say so."""
    lines = []
    for item in row.items:
        label = f"{item.get('name')} x {_count(item.get('count', 1))} {item.get('capacity', '')}"
        if row.price_unknown:
            lines.append(f"{label} (no price)")
        elif item.get("assumed"):
            lines.append(f"{label} ({row.assumption or 'assumed price'})")
        else:
            lines.append(f"{label} {sources.ref(item)}")
    return "\n".join(lines) or f"{gpu_label(row)} {row.capacity}"


def totals_line(breakdown: CostBreakdown) -> str:
    """The total, what it leaves out and what it rests on."""
    change = CostChange.of(breakdown.summary)
    # A partial total says so in the headline itself, never a bare "+$0" beside what it left out.
    scope = " for what could be priced" if is_partial(breakdown.summary) else ""
    line = (
        f"Monthly GPU cost{partial_suffix(breakdown.summary)} {change.before} → {change.after}"
        f" ({change.delta}/month{scope})"
    )
    note = totals_note(breakdown.summary)
    return f"{line}; {note}. {SCOPE_NOTE}." if note else f"{line}. {SCOPE_NOTE}."


_HEADERS = ("Resource", "Priced as", "Replicas", "Hourly", "Monthly", "Delta")
_HOURLY = 3
#: Columns that wrap (at separators) when the terminal is narrow, with their narrowest width.
_SHRINKABLE = {0: 16, 1: 14}
#: Below this many columns the Hourly column is left out (Monthly carries the cost).
_HOURLY_MIN_WIDTH = 100


def _column_widths(headers: list[str], cells: list[list[str]], width: int) -> list[int]:
    """Natural widths, narrowed (resource and item names first) to fit ``width`` columns."""
    natural = [
        max([len(h), *(len(line) for row in cells for line in row[i].splitlines() or [""])])
        for i, h in enumerate(headers)
    ]
    available = width - (3 * len(headers) + 1)  # borders and padding of a rich box
    widths = list(natural)
    while sum(widths) > available:
        room = [(widths[i] - floor, i) for i, floor in _SHRINKABLE.items() if widths[i] > floor]
        if not room:
            break
        widths[max(room)[1]] -= 1  # narrow the widest shrinkable column first
    return widths


def render_cost_table(breakdown: CostBreakdown, color: bool) -> str:
    width = output_width()
    buffer = io.StringIO()
    console = report_console(buffer, color, width)
    sources = Sources()
    if breakdown.rows:
        cells = [
            [
                one_line(row.address),
                priced_as(row, sources),
                replicas_label(row),
                money_pair(row.hourly_usd),
                monthly_label(row),
                delta_label(row),
            ]
            for row in breakdown.rows
        ]
        headers = list(_HEADERS)
        if width is not None and width < _HOURLY_MIN_WIDTH:
            del headers[_HOURLY]
            cells = [c[:_HOURLY] + c[_HOURLY + 1 :] for c in cells]
        widths = _column_widths(headers, cells, width) if width else None
        table = Table(title="GPU cost by resource (USD, desired / max scale)", title_justify="left")
        for index, header in enumerate(headers):
            table.add_column(
                header,
                width=widths[index] if widths else None,
                no_wrap=widths is None,
                overflow="fold",
            )
        for row_cells in cells:
            if widths:
                row_cells = [
                    wrap_at_separators(c, widths[i]) if i == 0 else wrap_words(c, widths[i])
                    for i, c in enumerate(row_cells)
                ]
            table.add_row(*(escape(c) for c in row_cells))
        console.print(table)
    else:
        console.print(
            "No GPU resources found in what could be read."
            if is_partial(breakdown.summary)
            else "No GPU resources found."
        )
    console.print(escape(totals_line(breakdown)))
    for line in [*unpriced_lines(breakdown), *sources.lines()]:
        console.print(escape(line))
    console.print(COST_ENGINE_NOTE)
    text = buffer.getvalue()
    return text if color else "".join(line.rstrip() + "\n" for line in text.splitlines())


def render_cost_json(breakdown: CostBreakdown) -> str:
    document = {**breakdown.to_dict(), "engine": COST_ENGINE}
    return json.dumps(document, indent=2, allow_nan=False) + "\n"


def render_cost_markdown(breakdown: CostBreakdown) -> str:
    headline = f"{signed_dollars(breakdown.delta)}/month{partial_suffix(breakdown.summary)}"
    lines = [f"### GPU cost: {headline}", "", totals_line(breakdown)]
    sources = Sources()
    if breakdown.rows:
        lines += [
            "",
            "| Resource | Priced as | Replicas | Hourly | Monthly | Delta |",
            "|---|---|---|---|---|---|",
        ]
        for row in breakdown.rows:
            priced = priced_as(row, sources).replace("\n", "<br>")
            lines.append(
                f"| {code(row.address)} | {priced} | "
                f"{replicas_label(row)} | {money_pair(row.hourly_usd)} | {monthly_label(row)} | "
                f"{delta_label(row)} |"
            )
    unpriced = unpriced_lines(breakdown)
    if unpriced:
        lines += ["", unpriced[0], "", *(f"- {code(u.strip())}" for u in unpriced[1:])]
    notes = sources.lines()
    if notes:
        lines += ["", "Prices:", "", *(f"- {note}" for note in notes)]
    lines += ["", f"<sub>{COST_ENGINE_NOTE}</sub>"]
    return "\n".join(lines) + "\n"
