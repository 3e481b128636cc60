"""GitHub Actions workflow commands: annotations on the pull request's changed lines."""

from __future__ import annotations

from pathlib import Path

from guardrails.model import Finding, Outcome, Severity
from guardrails.report.model import Report
from guardrails.report.paths import is_stdin, repo_relative, repository_root
from guardrails.safe_text import printable

_COMMAND = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "warning",
}


def escape_data(value: str) -> str:
    """Escaping for a workflow command's message (after ``::``); control characters shown, as
    the Actions log obeys ANSI escapes."""
    return printable(value).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


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
    # A finding on the change as a whole is a run annotation (the job summary lists it): on
    # the first input's line 1 it would mark a file the finding is not about.
    if finding.location and not finding.about_the_change and not is_stdin(finding.location.file):
        props.append(f"file={escape_property(repo_relative(finding.location.file, root))}")
        props.append(f"line={finding.location.report_line}")  # GitHub places it by line
    props.append(f"title={escape_property(title)}")
    message = f"[{finding.severity}] {finding.headline}"
    if finding.waived:
        message += f" (waived: {finding.waiver_reason or ''})"
    elif finding.outcome == Outcome.EXISTING:
        message += " (existing: the change leaves this resource as it is)"
    message += f"\nRemediation: {finding.remediation}"
    return f"::{command} {','.join(props)}::{escape_data(message)}"


#: Annotations GitHub shows per step and kind; more are dropped, so the most severe go first.
SHOWN_PER_KIND = 10


def run_notice(report: Report, left_out: int = 0) -> str:
    """One notice with the totals: what was checked, the engine, findings by severity and how
    many were not shown as annotations (no file: a run annotation). Its count is the step's
    ``findings`` output and JSON ``summary.findings``: the findings the change is judged by;
    ``existing`` ones are counted apart."""
    counts = ", ".join(f"{n} {sev}" for sev, n in report.counts_by_severity().items() if n)
    message = (
        f"{len(report.graph.resources)} resources checked with the {report.engine} engine: "
        f"{len(report.judged)} finding(s)" + (f" ({counts})" if counts else "")
    )
    if report.existing:
        message += f", {len(report.existing)} existing (unchanged resources)"
    blocking = len(report.blocking_findings)
    if blocking:
        message += f", {blocking} blocking"
    message += f"; {report.config_source.summary()}"
    if left_out:
        message += (
            f"; {left_out} more not shown as annotations (GitHub shows {SHOWN_PER_KIND} errors"
            f" and {SHOWN_PER_KIND} warnings per step): full report in the job summary and SARIF"
        )
    return f"::notice title={escape_property('guardrails')}::{escape_data(message)}"


def render_github(report: Report, root: Path | None = None) -> str:
    """Workflow commands, most severe first, at most SHOWN_PER_KIND of each kind (one notice
    slot is kept for the totals), then the totals notice."""
    root = root or report.root or repository_root()
    quota = {"error": SHOWN_PER_KIND, "warning": SHOWN_PER_KIND, "notice": SHOWN_PER_KIND - 1}
    lines: list[str] = []
    left_out = 0
    # Inputs that could not be read come first: the run is partial whatever the findings say.
    candidates = [input_error(path, problem, root) for path, problem in _failed(report)]
    candidates += [annotation(f, root) for f in sorted(report.findings, key=lambda f: f.sort_key)]
    for line in candidates:
        kind = line[2 : line.index(" ")]
        if quota[kind] > 0:
            quota[kind] -= 1
            lines.append(line)
        else:
            left_out += 1
    lines.append(run_notice(report, left_out))
    source = report.config_source
    if source.relaxations:  # a run annotation of its own: a relaxed gate is not a footnote
        title = escape_property(f"guardrails: {source.name} relaxes {source.reference}")
        lines.append(f"::warning title={title}::{escape_data(source.summary())}")
    return "".join(line + "\n" for line in lines)


def _failed(report: Report) -> list[tuple[str, str]]:
    return [(i.path, i.notes[0] if i.notes else "") for i in report.graph.input_errors]


def input_error(path: str, problem: str, root: Path) -> str:
    """An ``::error`` on an input that could not be read: the run is partial."""
    props = [] if is_stdin(path) else [f"file={escape_property(repo_relative(path, root))}"]
    props.append(f"title={escape_property('guardrails: input not evaluated (PARTIAL report)')}")
    return f"::error {','.join(props)}::{escape_data(f'{path}: {problem}')}"
