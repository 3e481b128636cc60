"""The version-1 JSON report contract (docs/report-json.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from guardrails.model import Finding
from guardrails.model.identity import fingerprint_list
from guardrails.report.json_text import dumps_with_items
from guardrails.report.model import Report
from guardrails.report.paths import is_stdin, repo_relative, repository_root
from guardrails.report.views.cost import change_totals

REPORT_VERSION = 1


def report_document(report: Report) -> dict[str, Any]:
    """The report as a JSON-serialisable document; every path relative to the repository root
    (as SARIF's), whatever directory the command ran in."""
    findings = sorted(report.findings, key=lambda f: f.sort_key)
    prints = fingerprint_list(findings)
    root = report.root or repository_root()

    def path(file: str) -> str:
        return file if is_stdin(file) else repo_relative(file, root)

    return {
        "version": REPORT_VERSION,
        "tool": {"name": "guardrails", "version": report.tool_version},
        "engine": report.engine,
        "config": report.config_source.to_dict(),
        "inputs": [{"path": path(i.path), "format": i.format} for i in report.graph.inputs],
        "summary": {
            "resources": len(report.graph.resources),
            "findings": len(report.judged),
            "by_severity": report.counts_by_severity(),
            "waived": sum(1 for f in report.findings if f.waived),
            "unknown": report.unknown_count,
            "existing": len(report.existing),
            "cost": change_totals(report.cost),
            "partial": report.partial,
            "input_errors": [
                {"path": path(i.path), "problem": i.notes[0] if i.notes else ""}
                for i in report.graph.input_errors
            ],
        },
        "findings": _findings(findings, prints, root),
        "ledger": report.ledger.to_dict() if report.ledger else None,
        "waivers_added": None
        if report.waiver_changes is None
        else [c.to_dict() for c in report.waiver_changes],
    }


def _findings(findings: list[Finding], prints: list[str], root: Path) -> list[Any]:
    """Each finding's document, its file relative to ``root`` (worked out once per file)."""
    files: dict[str, str] = {}
    documents = []
    for f, fingerprint in zip(findings, prints, strict=True):
        file = None
        if f.location is not None:
            file = files.get(f.location.file)
            if file is None:
                name = f.location.file
                file = files[name] = name if is_stdin(name) else repo_relative(name, root)
        documents.append(f.to_dict(fingerprint, file))
    return documents


def render_json(report: Report) -> str:
    """The document indented, with one finding per line (diffs of two reports stay readable)."""
    document = report_document(report)
    findings = document["findings"]
    document["findings"] = []
    return dumps_with_items(document, document["findings"], findings)
