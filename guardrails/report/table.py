"""Terminal output with rich: findings grouped by severity, then a summary line."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table

from guardrails.model import Severity
from guardrails.report.model import Report

_STYLE = {
    Severity.CRITICAL: "bold white on red",
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
}


def render_table(report: Report, color: bool) -> str:
    """Render ``report`` for a terminal; plain text (no escape codes) when ``color`` is False."""
    buffer = io.StringIO()
    console = Console(
        file=buffer, force_terminal=color, no_color=not color, width=120, highlight=False
    )
    findings = sorted(report.findings, key=lambda f: f.sort_key)
    if findings:
        table = Table(show_lines=False, expand=False)
        for column in ("Severity", "Policy", "Resource", "Message", "Location"):
            table.add_column(column, overflow="fold")
        for f in findings:
            where = f"{f.location.file}:{f.location.line or 1}" if f.location else ""
            sev = f"{f.severity}" + (" (waived)" if f.waived else "")
            table.add_row(
                sev,
                f.policy,
                f.resource,
                f"{f.message}\n↳ {f.remediation}",
                where,
                style=_STYLE[f.severity] if not f.waived else "dim",
            )
        console.print(table)
    counts = report.counts_by_severity()
    parts = ", ".join(f"{n} {sev}" for sev, n in counts.items() if n)
    inputs = len([i for i in report.graph.inputs if i.format != "skipped"])
    console.print(
        f"{len(report.graph.resources)} resources from {inputs} input(s) checked with the "
        f"{report.engine} engine: {len(report.active)} finding(s)"
        + (f" ({parts})" if parts else "")
    )
    return buffer.getvalue()
