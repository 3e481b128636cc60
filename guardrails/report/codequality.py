"""GitLab Code Quality (``artifacts:reports:codequality``): one issue per unwaived finding.

GitLab compares the merge request's report with the target branch's by ``fingerprint``; it
is the finding's identity (guardrails.model.identity), so a moved file or a cost that
changes keeps one issue open instead of resolving it and opening another.
"""

from __future__ import annotations

import json
from typing import Any

from guardrails.model import Finding, Outcome, Severity
from guardrails.model.identity import fingerprint_list
from guardrails.report.model import Report
from guardrails.report.paths import repo_relative, repository_root

#: GitLab's scale is info < minor < major < critical < blocker.
SEVERITY = {
    Severity.CRITICAL: "critical",
    Severity.HIGH: "major",
    Severity.MEDIUM: "minor",
    Severity.LOW: "info",
}


def _issue(finding: Finding, fingerprint: str, path: str, checked_by: str) -> dict[str, Any]:
    unknown = finding.outcome == Outcome.UNKNOWN
    prefix = f"[{finding.unknown_label}] " if unknown else ""
    line = finding.location.report_line if finding.location else 1
    return {
        "type": "issue",
        "description": f"{prefix}{finding.policy} {finding.headline}",
        "check_name": finding.policy,
        "fingerprint": fingerprint,
        "severity": "info" if unknown else SEVERITY[finding.severity],
        "categories": ["Security" if finding.category == "security" else "Bug Risk"],
        # Code Climate's details field (GitLab shows only the fields above): the fix, and
        # which guardrails and engine judged it, as every format says.
        "content": {"body": f"{finding.title}. Fix: {finding.remediation}\n\n{checked_by}"},
        "location": {"path": path, "lines": {"begin": max(1, line)}},
    }


def render_codequality(report: Report) -> str:
    """The Code Quality report: a JSON array, most severe first."""
    root = report.root or repository_root()
    findings = sorted(report.active, key=lambda f: f.sort_key)
    prints = fingerprint_list(findings)
    checked_by = f"Checked by guardrails {report.tool_version} ({report.engine} engine)."
    issues = [
        _issue(f, fingerprint, f.repo_path or repo_relative(f.location.file, root), checked_by)
        for f, fingerprint in zip(findings, prints, strict=True)
        if f.location is not None
    ]
    return json.dumps(issues, indent=2, ensure_ascii=True) + "\n"
