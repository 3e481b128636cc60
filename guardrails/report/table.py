"""Terminal output with rich: a summary per policy, then each policy's findings (capped, its
remediation once); cost panel; the verdict last."""

from __future__ import annotations

import io

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel

from guardrails.enrich.cost import dollars
from guardrails.limits import TABLE_DETAILS_PER_POLICY
from guardrails.model import Finding, Graph, Outcome, Severity
from guardrails.report.by_policy import PolicyGroup, group_by_policy
from guardrails.report.lines import Piece, StyledLines
from guardrails.report.model import Report
from guardrails.report.terminal import report_console
from guardrails.report.views.cost import CostChange, is_partial, partial_suffix, totals_note
from guardrails.report.width import output_width, wrap_at_separators
from guardrails.safe_text import one_line

_STYLE = {
    Severity.CRITICAL: "bold white on red",
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
}


#: Findings shown per policy unless ``--all``; the summary and JSON/SARIF/JUnit count them all.
DETAIL_LIMIT = TABLE_DETAILS_PER_POLICY
MORE_HINT = "`--all` or `--format json` for every finding"


def _add_finding(lines: StyledLines, finding: Finding, severity: Severity) -> None:
    """The resource and where it is written, then the message, indented under it."""
    tags: list[Piece] = []
    if finding.severity != severity:
        tags.append((str(finding.severity), _STYLE[finding.severity]))
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
    resource, where = one_line(finding.resource), one_line(finding.where)
    width = lines.width
    if width and len(resource) + len(where) + 2 > width:
        # Long addresses break after '.', '/', '-' ..., never inside a name.
        lines.add(0, (wrap_at_separators(resource, width), "bold"))
        if where:
            lines.add(0, (wrap_at_separators(where, width), "dim"))
    else:
        lines.add(0, (resource, "bold"), ("  ", ""), (where, "dim"))
    # Values from inputs stay on their line: a newline in a label must not start a line of
    # its own in a CI log (``::error …`` is obeyed there).
    lines.add(2, (one_line(finding.message), ""), *suffix)


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


def _counted(group: PolicyGroup) -> str:
    count = len(group.findings)
    pairs = ((group.unknown, "unknown"), (group.waived, "waived"))
    notes = [f"{n} {what}" for n, what in pairs if n]
    return f"{count:,} finding{'s' if count != 1 else ''}" + (
        f" ({', '.join(notes)})" if notes else ""
    )


def _summary(lines: StyledLines, groups: list[PolicyGroup]) -> None:
    """One row per policy (severity, id, count, title), then what is at stake and where."""
    id_width = min(max(len(one_line(g.policy)) for g in groups), 24)
    for group in groups:
        severity = group.severity
        lines.add(
            2,
            (f"{str(severity).upper():<8}", _STYLE[severity]),
            (f"  {one_line(group.policy):<{id_width}}  ", "bold"),
            (f"{_counted(group)}  ", ""),
            (one_line(group.title), "dim"),
        )
        stake = f"{dollars(group.monthly_usd)}/month at stake; " if group.monthly_usd else ""
        more = group.resources - len(group.top)
        names = ", ".join(one_line(t) for t in group.top) + (f", +{more:,} more" if more else "")
        label = "resources" if group.resources != 1 else "resource"
        lines.add(14 + id_width, (stake, "bold"), (f"{label}: {names}", ""))


def render_findings(
    console: Console,
    findings: list[Finding],
    graph: Graph,
    width: int | None,
    limit: int | None = DETAIL_LIMIT,
    title: str = "Findings by policy",
) -> None:
    """A summary row per policy, then each policy's findings (at most ``limit`` of them) with
    its remediation said once."""
    if not findings:
        return
    groups = group_by_policy(findings, graph)
    lines = StyledLines(width)
    policies = f"{len(groups)} polic{'ies' if len(groups) != 1 else 'y'}"
    heading(console, f"{title}: {len(findings):,} finding(s) from {policies}", width)
    _summary(lines, groups)
    lines.blank()
    _emit(console, lines)
    for group in groups:
        severity = group.severity
        policy, title = escape(one_line(group.policy)), escape(one_line(group.title))
        heading(
            console,
            f"[{_STYLE[severity]}] {str(severity).upper()} [/] [bold]{policy}[/bold] {title}: "
            f"{_counted(group)}",
            width,
        )
        for remediation in group.remediations:
            lines.add(2, (f"↳ {one_line(remediation)}", "dim"))
        shown = group.findings if limit is None else group.findings[:limit]
        for finding in shown:
            _add_finding(lines, finding, severity)
        hidden = len(group.findings) - len(shown)
        if hidden:
            lines.add(2, (f"+{hidden:,} more — {MORE_HINT}", "bold"))
        lines.blank()
        _emit(console, lines)


#: A contributor line: two spaces, the amount right-aligned in 12, two spaces, the address.
_AMOUNT = 16
#: The panel's borders and padding.
_PANEL_FRAME = 4


def cost_panel(report: Report, width: int | None = None) -> Panel | None:
    """Monthly GPU cost before → after, the delta and the top five contributors.

    At a terminal ``width``, a long address (a Pulumi URN) wraps at its separators under
    itself, so its amount keeps it on the same line instead of the address moving below."""
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
        room = max(20, width - _PANEL_FRAME - _AMOUNT) if width else None
        for address, delta in change.contributors:
            text = one_line(address)
            parts = wrap_at_separators(text, room).split("\n") if room else [text]
            lines.append(f"  {delta:>12}  {escape(parts[0])}")
            lines += [" " * _AMOUNT + escape(part) for part in parts[1:]]
    style = "red" if change.delta_usd > 0 else "green"
    return Panel("\n".join(lines), title="GPU cost", expand=False, border_style=style)


def render_table(report: Report, color: bool, limit: int | None = DETAIL_LIMIT) -> str:
    """Render ``report`` for a terminal; plain text (no escape codes) when ``color`` is False.

    ``limit`` caps the findings shown per policy (None: every one); the summary counts all.
    """
    width = output_width()
    buffer = io.StringIO()
    console = report_console(buffer, color, width)
    ordered = sorted(report.findings, key=lambda f: f.sort_key)
    changed = [f for f in ordered if f.outcome != Outcome.EXISTING]
    render_findings(console, changed, report.graph, width, limit)
    unchanged = [f for f in ordered if f.outcome == Outcome.EXISTING]
    render_findings(
        console,
        unchanged,
        report.graph,
        width,
        limit,
        title="EXISTING, on resources this change leaves as they are (informational)",
    )
    panel = cost_panel(report, width)
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
