"""A pull-request comment body: verdict, GPU cost headline, capped findings table, details.

Deterministic (no timestamps, stable order) so it can be golden-tested and so a bot that
edits its previous comment only changes it when the findings change.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from guardrails.catalog import category_order, category_title
from guardrails.model import Finding, Outcome
from guardrails.report.cost import CostChange
from guardrails.report.model import Report
from guardrails.report.paths import repo_relative, repository_root

#: Rows of the findings table before a "+N more" line.
TABLE_LIMIT = 20
_ICON = {"critical": "🟥", "high": "🟧", "medium": "🟨", "low": "🟦"}


def cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return " ".join(text.replace("|", "\\|").split())


def _where(finding: Finding, root: Path) -> str:
    if not finding.location:
        return ""
    return f"`{repo_relative(finding.location.file, root)}:{finding.location.report_line}`"


def verdict(report: Report) -> str:
    """The first line: passes or fails, and against which threshold."""
    threshold = report.threshold
    active = report.judged
    waived = len(report.findings) - len(report.active)
    extra = f", {report.unknown_count} unknown" if report.unknown_count else ""
    extra += f", {waived} waived" if waived else ""
    existing = len(report.existing)
    if existing:
        extra += f", {existing} existing on unchanged resources"
    blocking = report.blocking_findings
    if blocking:
        return (
            f"## ❌ guardrails: {len(blocking)} finding(s) block this change under --fail-on"
            f" {threshold or 'never'} --unknown {report.config_value('unknown', 'warn')}"
            f" ({len(active)} in total{extra})"
        )
    if threshold is None:
        return f"## ✅ guardrails: passes with --fail-on never ({len(active)} findings{extra})"
    return f"## ✅ guardrails: no findings at or above {threshold} ({len(active)} in total{extra})"


def cost_headline(report: Report) -> list[str]:
    if not report.cost:
        return []
    change = CostChange.of(report.cost)
    lines = [f"**{change.delta}/month GPU** ({change.before} → {change.after})"]
    if change.contributors:
        top = ", ".join(f"`{address}` {delta}" for address, delta in change.contributors)
        lines.append(f"Top contributors: {top}")
    return lines


def _row(finding: Finding, root: Path) -> str:
    severity = f"{_ICON[str(finding.severity)]} {finding.severity}"
    if finding.waived:
        severity += " (waived)"
    elif finding.outcome == Outcome.UNKNOWN:
        severity += " (unknown)"
    elif finding.outcome == Outcome.EXISTING:
        severity += " (existing)"
    return (
        f"| {severity} | {finding.policy} | `{cell(finding.resource)}` | {cell(finding.message)} "
        f"| {_where(finding, root)} |"
    )


def render_markdown(report: Report, root: Path | None = None) -> str:
    """The PR comment body for ``report``."""
    root = root or report.root or repository_root()
    findings = sorted(
        report.findings, key=lambda f: (f.waived, f.outcome == Outcome.EXISTING, f.sort_key)
    )
    out = [verdict(report), ""]
    headline = cost_headline(report)
    if headline:
        out += ["  \n".join(headline), ""]
    if findings:
        out += ["| Severity | Policy | Resource | Message | Location |", "|---|---|---|---|---|"]
        out += [_row(f, root) for f in findings[:TABLE_LIMIT]]
        if len(findings) > TABLE_LIMIT:
            out.append(f"| | | | +{len(findings) - TABLE_LIMIT} more | |")
        out.append("")
        by_category: dict[str, list[Finding]] = defaultdict(list)
        for finding in findings:
            by_category[finding.category].append(finding)
        for category in sorted(by_category, key=category_order):
            items = by_category[category]
            title = category_title(category)
            out += [f"<details><summary>{title} ({len(items)})</summary>", ""]
            for f in items:
                state = " — waived: " + (f.waiver_reason or "") if f.waived else ""
                out.append(
                    f"- **{f.policy}** {cell(f.message)} {_where(f, root)}{state}  \n"
                    f"  _Fix:_ {cell(f.remediation)}"
                )
            out += ["", "</details>", ""]
    resources = len(report.graph.resources)
    out.append(
        f"<sub>{resources} resources checked by guardrails {report.tool_version} "
        f"({report.engine} engine).</sub>"
    )
    return "\n".join(out) + "\n"
