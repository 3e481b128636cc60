"""GitHub Actions workflow commands: annotations on the pull request's changed lines."""

from __future__ import annotations

from pathlib import Path

from guardrails.model import Finding, Outcome, Severity
from guardrails.report.model import Report
from guardrails.report.paths import is_stdin, repo_relative, repository_root

_COMMAND = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "warning",
}


def escape_data(value: str) -> str:
    """Escaping for a workflow command's message (after ``::``)."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """Escaping for a workflow command property value (``file=``, ``title=``)."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding, root: Path) -> str:
    """One ``::error``/``::warning``/``::notice`` line for ``finding``."""
    if finding.waived or finding.outcome in (Outcome.UNKNOWN, Outcome.EXISTING):
        command = "notice"
    else:
        command = _COMMAND[finding.severity]
    title = f"{finding.policy} {finding.title}"
    props = []
    if finding.location and not is_stdin(finding.location.file):
        props.append(f"file={escape_property(repo_relative(finding.location.file, root))}")
        props.append(f"line={finding.location.report_line}")
    props.append(f"title={escape_property(title)}")
    message = f"[{finding.severity}] {finding.message}"
    if finding.waived:
        message += f" (waived: {finding.waiver_reason or ''})"
    elif finding.outcome == Outcome.EXISTING:
        message += " (existing: the change leaves this resource as it is)"
    message += f"\nRemediation: {finding.remediation}"
    return f"::{command} {','.join(props)}::{escape_data(message)}"


def run_notice(report: Report) -> str:
    """One notice naming what was checked and the engine that ran (no file: a run annotation)."""
    message = (
        f"{len(report.graph.resources)} resources checked with the {report.engine} engine: "
        f"{len(report.active)} finding(s)"
    )
    return f"::notice title={escape_property('guardrails')}::{escape_data(message)}"


def render_github(report: Report, root: Path | None = None) -> str:
    """Workflow commands for every finding, most severe first."""
    root = root or report.root or repository_root()
    lines = [annotation(f, root) for f in sorted(report.findings, key=lambda f: f.sort_key)]
    lines.append(run_notice(report))
    return "".join(line + "\n" for line in lines)
