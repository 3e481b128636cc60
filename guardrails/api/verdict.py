"""The verdict: unknown mode, baseline and ``fail_on`` applied to a report."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from guardrails.api.options import ScanOptions
from guardrails.baseline import read_baseline, waiver_changes
from guardrails.ledger import Change, classify, observe
from guardrails.report import Report
from guardrails.report.model import WaiverChange
from guardrails.report.paths import repo_relative, repository_root
from guardrails.waivers import Waiver, WaiverStatus


def judge(report: Report, options: ScanOptions) -> Report:
    """The report as the run's verdict sees it: unknowns dropped under ``unknown: ignore``,
    baselined findings left out, and the threshold and unknown mode it is judged by."""
    unknown = options.unknown or str(report.config_value("unknown", "warn"))
    if unknown == "ignore":
        report = report.without_unknown()
    if options.baseline is not None:
        report = apply_baseline(report, options.baseline)
    fail_on = options.fail_on or str(report.config_value("fail_on", "high"))
    return report.with_fail_on(fail_on, unknown, gate="new" if options.fail_on_new else "all")


def apply_baseline(report: Report, path: Path) -> Report:
    """Findings not in the baseline, and the waivers the change adds or extends."""
    baseline = read_baseline(path)
    ledger = classify(observe(report.findings, report.graph), baseline.records, str(path))
    unchanged = {e.head.finding for e in ledger.of(Change.UNCHANGED) if e.head is not None}
    kept = tuple(f for f in report.findings if f not in unchanged)
    note = (
        f"{len(report.findings) - len(kept)} finding(s) are in the baseline {path} and not reported"
    )
    report = report.replace_findings(kept, extra_warning=note)
    if baseline.waivers is None:
        return report.replace_findings(
            report.findings,
            extra_warning=f"the baseline {path} records no waivers (made by an older guardrails):"
            " the waivers this change adds cannot be told; re-create it with"
            " `guardrails baseline create`",
        )
    in_force = [
        w
        for w, status, _ in report.waivers
        if isinstance(w, Waiver) and status != WaiverStatus.EXPIRED
    ]
    records = [w.record() for w in in_force]
    by_record = {id(r): w for r, w in zip(records, in_force, strict=True)}
    changes = tuple(
        WaiverChange(
            policy=w.policy,
            resource=w.resource,
            expires=w.expires.isoformat(),
            change=delta.change,
            previous=delta.previous,
            origin=repo_origin(w.origin, report.root),
            reason=w.reason,
            owner=w.owner,
        )
        for delta in waiver_changes(records, baseline.waivers)
        for w in [by_record[id(delta.waiver)]]
    )
    return replace(report, waiver_changes=changes)


def repo_origin(origin: str, root: Path | None) -> str:
    """A waiver's origin (``FILE: waivers[0]``, ``FILE:12``) with FILE root-relative."""
    file, sep, rest = origin.partition(":")
    return repo_relative(file, root or repository_root()) + sep + rest
