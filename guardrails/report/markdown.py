"""A pull-request comment body: verdict, GPU cost headline, capped findings table, details.

Deterministic (no timestamps, stable order) so it can be golden-tested and so a bot that
edits its previous comment only changes it when the findings change. GitHub refuses a comment
over 65,536 characters and a job summary over 1 MiB: every section is capped ("+N more") and
the caps shrink until the whole body fits.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from guardrails.catalog import category_order, category_title
from guardrails.model import Finding, Outcome
from guardrails.report.ledger_md import ledger_section
from guardrails.report.md_text import cell, code
from guardrails.report.model import Report
from guardrails.report.paths import repo_relative, repository_root
from guardrails.report.views.cost import CostChange
from guardrails.report.views.pools import budget_section

#: Rows of the findings table before a "+N more" line.
TABLE_LIMIT = 20
#: Findings listed per category in the details before a "+N more" line.
DETAILS_LIMIT = 50
#: GitHub's limit on an issue or pull-request comment body, in characters.
COMMENT_LIMIT = 65_536
#: GitHub's limit on one step's job summary, in bytes.
SUMMARY_LIMIT = 1024 * 1024
#: The last line of a comment body: the workflow finds its previous comment by it.
COMMENT_MARKER = "<!-- guardrails:pr-comment -->"
_ICON = {"critical": "🟥", "high": "🟧", "medium": "🟨", "low": "🟦"}


def _where(finding: Finding, root: Path) -> str:
    if not finding.location:
        return ""
    file = repo_relative(finding.location.file, root)
    return code(f"{file}:{finding.location.line}" if finding.location.line else file)


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
        kind = "new or escalated finding(s)" if report.gates_new else "finding(s)"
        return (
            f"## ❌ guardrails: {len(blocking)} {kind} block this change under --fail-on"
            f" {threshold or 'never'} --unknown {report.config_value('unknown', 'warn')}"
            f" ({len(active)} in total{extra})"
        )
    if report.unknown_count:
        return (
            f"## ⚠️ guardrails: nothing blocks under --fail-on {threshold or 'never'}, but"
            f" {report.unknown_count} outcome(s) are unknown and were not checked"
            f" ({len(active)} finding(s) in total{extra})"
        )
    if report.gates_new and threshold is not None:
        return (
            f"## ✅ guardrails: nothing new or escalated at or above {threshold}"
            f" ({len(active)} in total{extra})"
        )
    if threshold is None:
        return f"## ✅ guardrails: passes with --fail-on never ({len(active)} findings{extra})"
    return f"## ✅ guardrails: no findings at or above {threshold} ({len(active)} in total{extra})"


def config_line(report: Report) -> str:
    """Which config gated the run; what it relaxes relative to the root config, if anything."""
    source = report.config_source
    line = f"Config: {code(source.name)}"
    if not source.relaxations:
        return line
    relaxed = "; ".join(source.relaxations)
    return f"{line} — ⚠️ **relaxes {cell(source.reference)}:** {cell(relaxed, 2_000)}"


def waiver_changes_section(report: Report) -> list[str]:
    """The waivers this change adds or extends (against ``--baseline``), each on its line."""
    changes = report.waiver_changes
    if not changes:
        return []
    lines = [f"**⚠️ {len(changes)} waiver(s) added or extended by this change:**", ""]
    lines += [
        f"- {c.change}: **{cell(c.policy)}** on {code(c.resource)} until {cell(c.expires)}"
        + (f" (was {cell(c.previous)})" if c.previous else "")
        + f" — {cell(c.reason)} (owner {cell(c.owner)}, {code(c.origin)})"
        for c in changes
    ]
    return [*lines, ""]


def cost_headline(report: Report) -> list[str]:
    if not report.cost:
        return []
    change = CostChange.of(report.cost)
    lines = [f"**{change.delta}/month GPU** ({change.before} → {change.after})"]
    if change.contributors:
        top = ", ".join(f"{code(address)} {delta}" for address, delta in change.contributors)
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
        f"| {severity} | {cell(finding.policy)} | {code(finding.resource)} "
        f"| {cell(finding.message)} | {_where(finding, root)} |"
    )


def render_markdown(
    report: Report,
    root: Path | None = None,
    *,
    limit: int = COMMENT_LIMIT,
    table_rows: int = TABLE_LIMIT,
    details: int = DETAILS_LIMIT,
    marker: bool = True,
    in_bytes: bool = False,
    full_report: str = "full report in the job summary and the SARIF/JSON artifact",
) -> str:
    """The PR comment body for ``report``, at most ``limit`` characters (UTF-8 bytes with
    ``in_bytes``, as the job summary limit is counted).

    ``table_rows`` and ``details`` cap the table and each category's details; when the body is
    still too long they are halved until it fits. Every cut says how much was left out and
    where the rest is (``full_report``).
    """
    root = root or report.root or repository_root()
    findings = sorted(
        report.findings, key=lambda f: (f.waived, f.outcome == Outcome.EXISTING, f.sort_key)
    )

    def size(text: str) -> int:
        return len(text.encode("utf-8")) if in_bytes else len(text)

    while True:
        text = _body(report, findings, root, table_rows, details, full_report, marker)
        if size(text) <= limit:
            return text
        if table_rows == 0 and details == 0:
            short = f"{verdict(report)}\n\n{len(findings)} finding(s), {full_report}.\n"
            return short + (COMMENT_MARKER + "\n" if marker else "")
        table_rows, details = table_rows // 2, details // 2


def _body(
    report: Report,
    findings: list[Finding],
    root: Path,
    table_rows: int,
    details: int,
    full_report: str,
    marker: bool,
) -> str:
    out = [verdict(report), ""]
    if report.config_source.relaxations:  # a relaxed gate leads, right under the verdict
        out += [config_line(report), ""]
    if report.partial:
        out = [f"## ⚠️ guardrails: {cell(report.partial_note, 2_000)}", "", *out]
    headline = cost_headline(report)
    if headline:
        out += ["  \n".join(headline), ""]
    out += budget_section(report.graph, report.config.get("budgets") or {})
    out += waiver_changes_section(report)
    if report.ledger is not None:
        out += ledger_section(report.ledger, table_rows, full_report, root)
    elif findings:
        out += ["| Severity | Policy | Resource | Message | Location |", "|---|---|---|---|---|"]
        out += [_row(f, root) for f in findings[:table_rows]]
        if len(findings) > table_rows:
            out.append(f"| | | | +{len(findings) - table_rows} more, {full_report} | |")
        out.append("")
    if findings:
        by_category: dict[str, list[Finding]] = defaultdict(list)
        for finding in findings:
            by_category[finding.category].append(finding)
        for category in sorted(by_category, key=category_order):
            items = by_category[category]
            title = cell(category_title(category))
            out += [f"<details><summary>{title} ({len(items)})</summary>", ""]
            for f in items[:details]:
                state = " — waived: " + cell(f.waiver_reason or "") if f.waived else ""
                meta = report.catalog.policies.get(f.policy)
                fix = cell(f.remediation, keep_code=bool(meta and meta.bundled))
                out.append(
                    f"- **{cell(f.policy)}** {cell(f.headline, 1_000)} {_where(f, root)}{state}"
                    f"  \n  _Fix:_ {fix}"
                )
            if len(items) > details:
                out.append(f"- +{len(items) - details} more, {full_report}")
            out += ["", "</details>", ""]
    resources = len(report.graph.resources)
    out.append(
        f"<sub>{resources} resources checked by guardrails {report.tool_version} "
        f"({report.engine} engine); config {code(report.config_source.name)}.</sub>"
    )
    if marker:
        out.append(COMMENT_MARKER)
    return "\n".join(out) + "\n"
