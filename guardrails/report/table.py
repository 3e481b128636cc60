"""Terminal output with rich: findings grouped by severity, then resource; cost panel; summary."""

from __future__ import annotations

import io
from itertools import groupby

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel

from guardrails.model import Finding, Outcome, Severity
from guardrails.report.lines import Piece, StyledLines
from guardrails.report.model import Report
from guardrails.report.terminal import SafeConsole
from guardrails.report.views.cost import CostChange, is_partial, partial_suffix, totals_note
from guardrails.report.width import UNWRAPPED, output_width, wrap_at_separators
from guardrails.safe_text import one_line

_STYLE = {
    Severity.CRITICAL: "bold white on red",
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
}


def _add_finding(lines: StyledLines, finding: Finding) -> None:
    """The finding and its remediation, indented so wrapped lines stay under their resource."""
    tags: list[Piece] = []
    if finding.outcome == Outcome.UNKNOWN:
        tags.append((finding.unknown_label, "magenta"))
    if finding.outcome == Outcome.EXISTING:
        tags.append(("existing: unchanged by this change", "dim"))
    if finding.waived:
        tags.append((f"waived: {one_line(finding.waiver_reason or '')}", "dim"))
    suffix: list[Piece] = []
    for index, tag in enumerate(tags):
        suffix += [("  (" if index == 0 else "; ", ""), tag]
    if suffix:
        suffix.append((")", ""))
    # Values from inputs stay on their line: a newline in a label must not start a line of
    # its own in a CI log (``::error …`` is obeyed there).
    message = one_line(finding.message)
    lines.add(2, (one_line(finding.policy), "bold"), (f" {message}", ""), *suffix)
    lines.add(4, (f"↳ {one_line(finding.remediation)}", "dim"))


def _emit(console: Console, lines: StyledLines) -> None:
    """Write ``lines`` in one go, in colour unless the console has none."""
    console.file.write(lines.plain() if console.no_color else lines.styled(console))
    lines.lines.clear()


def heading(console: Console, text: str, width: int | None) -> None:
    """A section rule across the terminal; off a terminal a short line (no 10,000-column rule)."""
    if width:
        console.rule(text, align="left", style="dim")
    else:
        console.print(f"── {text} ──")


def render_findings(
    console: Console, findings: list[Finding], width: int | None, headings: bool = True
) -> None:
    """Severity headings, then each resource with its location, then its findings."""
    lines = StyledLines(width)
    for severity, in_severity in groupby(findings, key=lambda f: f.severity):
        group = list(in_severity)
        if headings:
            heading(
                console,
                f"[{_STYLE[severity]}] {str(severity).upper()} [/] {len(group)} finding(s)",
                width,
            )
        for (address, location), items in groupby(group, key=lambda f: (f.resource, f.where)):
            resource, where = one_line(address), one_line(location)
            if width and len(resource) + len(where) + 2 > width:
                # Long addresses break after '.', '/', '-' ..., never inside a name.
                lines.add(0, (wrap_at_separators(resource, width), "bold"))
                lines.add(0, (wrap_at_separators(where, width), "dim"))
            else:
                lines.add(0, (resource, "bold"), ("  ", ""), (where, "dim"))
            for finding in items:
                _add_finding(lines, finding)
        lines.blank()
        _emit(console, lines)


def cost_panel(report: Report) -> Panel | None:
    """Monthly GPU cost before → after, the delta and the top five contributors."""
    cost = report.cost
    if not cost or not (
        cost.get("monthly_usd_before") or cost.get("monthly_usd_after") or is_partial(cost)
    ):
        return None
    change = CostChange.of(cost)
    lines = [
        f"Monthly GPU cost{partial_suffix(cost)}: {change.before} → {change.after}"
        f"  ([bold]{change.delta}[/bold]/month)"
    ]
    note = totals_note(cost)
    if note:
        lines.append(escape(one_line(note)))
    if change.contributors:
        lines.append("Top contributors:")
        lines += [
            f"  {delta:>12}  {escape(one_line(address))}" for address, delta in change.contributors
        ]
    style = "red" if change.delta_usd > 0 else "green"
    return Panel("\n".join(lines), title="GPU cost", expand=False, border_style=style)


def render_table(report: Report, color: bool) -> str:
    """Render ``report`` for a terminal; plain text (no escape codes) when ``color`` is False."""
    width = output_width()
    buffer = io.StringIO()
    console = SafeConsole(
        file=buffer,
        force_terminal=color,
        no_color=not color,
        width=width or UNWRAPPED,
        highlight=False,
    )
    ordered = sorted(report.findings, key=lambda f: f.sort_key)
    render_findings(console, [f for f in ordered if f.outcome != Outcome.EXISTING], width)
    unchanged = [f for f in ordered if f.outcome == Outcome.EXISTING]
    if unchanged:
        heading(
            console,
            f"[dim] EXISTING [/] {len(unchanged)} finding(s) on resources this change leaves as"
            " they are (informational)",
            width,
        )
        render_findings(console, unchanged, width, headings=False)
    panel = cost_panel(report)
    if panel is not None:
        console.print(panel)
    counts = report.counts_by_severity()
    parts = ", ".join(f"{n} {sev}" for sev, n in counts.items() if n)
    waived = len(report.findings) - len(report.active)
    existing = len(report.existing)
    inputs = len([i for i in report.graph.inputs if i.evaluated])
    verdict = report.verdict
    if report.partial:
        console.print(report.partial_note, style="bold", markup=False)
    threshold = report.threshold
    for change in report.waiver_changes or ():
        console.print(f"waiver {change.describe()}", style="bold", markup=False)
    for line in report.ledger.summary(report.gates_new) if report.ledger else ():
        console.print(line, markup=False)
    source = report.config_source
    console.print(source.summary(), style="bold" if source.relaxations else "", markup=False)
    console.print(
        f"[bold]{verdict}[/bold] {len(report.graph.resources)} resources from {inputs} input(s) "
        f"checked with the {report.engine} engine: {len(report.judged)} finding(s)"
        + (f" ({parts})" if parts else "")
        + (f", {report.unknown_count} unknown" if report.unknown_count else "")
        + (f", {waived} waived" if waived else "")
        + (f", {existing} existing (unchanged resources)" if existing else "")
        + (f"; fail-on {threshold}" if threshold else "; fail-on never")
    )
    text = buffer.getvalue()
    # Wrapped, indented lines are padded to the console width; plain text should not carry that.
    return text if color else "".join(line.rstrip() + "\n" for line in text.splitlines())
