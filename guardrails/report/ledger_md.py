"""The ledger in a pull-request comment: new and escalated first, then fixed (good news, with
the cost saved), unchanged collapsed with a count."""

from __future__ import annotations

from pathlib import Path

from guardrails.enrich.cost import dollars, signed_dollars
from guardrails.ledger import Change, Ledger, LedgerEntry
from guardrails.report.md_text import cell, code

_ICON = {"critical": "🟥", "high": "🟧", "medium": "🟨", "low": "🟦"}


def _where(entry: LedgerEntry) -> str:
    f = entry.finding
    file = f.repo_path or (f.location.file if f.location else "")
    line = f.location.report_line if f.location else 1
    return code(f"{file}:{line}") if file else ""


def _row(entry: LedgerEntry, what: str) -> str:
    f = entry.finding
    severity = f"{_ICON[str(f.severity)]} {f.severity}" + (" (waived)" if f.waived else "")
    return (
        f"| {what} | {severity} | {cell(f.policy)} | {code(f.resource)} "
        f"| {cell(f.message)} | {_where(entry)} |"
    )


def ledger_section(ledger: Ledger, rows: int, full_report: str, root: Path) -> list[str]:
    """Markdown lines for ``ledger``, at most ``rows`` rows per table."""
    del root  # paths in the ledger are already repository-relative
    new, escalated = ledger.of(Change.NEW), ledger.of(Change.ESCALATED)
    fixed, unchanged = ledger.of(Change.FIXED), ledger.of(Change.UNCHANGED)
    out = [
        f"**Against the base** ({cell(ledger.base)}): {len(new)} new, {len(escalated)} "
        f"escalated, {len(fixed)} fixed, {len(unchanged)} unchanged",
        "",
    ]
    worse = [*new, *escalated]
    if worse:
        delta = ledger.cost_delta(Change.NEW) + ledger.cost_delta(Change.ESCALATED)
        cost = f" ({signed_dollars(delta)}/month at max scale)" if delta else ""
        out += [f"### 🆕 New and escalated{cost}", ""]
        out += [
            "| | Severity | Policy | Resource | Message | Location |",
            "|---|---|---|---|---|---|",
        ]
        for e in worse[:rows]:
            what = "new" if e.change is Change.NEW else "⬆️ " + cell("; ".join(e.escalations))
            out.append(_row(e, what))
        if len(worse) > rows:
            out.append(f"| | | | | +{len(worse) - rows} more, {full_report} | |")
        out.append("")
    if fixed:
        saved = -ledger.cost_delta(Change.FIXED)
        cost = f", {dollars(saved)}/month saved at max scale" if saved > 0 else ""
        out += [f"### ✅ Good news: {len(fixed)} fixed{cost}", ""]
        out += [
            f"- **{cell(e.finding.policy)}** {code(e.finding.resource)}: "
            f"{cell(e.finding.message, 1_000)}"
            for e in fixed[:rows]
        ]
        if len(fixed) > rows:
            out.append(f"- +{len(fixed) - rows} more, {full_report}")
        out.append("")
    if unchanged:
        out += [f"<details><summary>{len(unchanged)} unchanged</summary>", ""]
        out += [
            f"- {cell(e.finding.policy)} {code(e.finding.resource)}: {cell(e.finding.message)}"
            for e in unchanged[:rows]
        ]
        if len(unchanged) > rows:
            out.append(f"- +{len(unchanged) - rows} more, {full_report}")
        out += ["", "</details>", ""]
    return out
