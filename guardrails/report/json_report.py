"""The version-1 JSON report contract (docs/report-json.md)."""

from __future__ import annotations

import json.encoder
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from guardrails.model import Finding
from guardrails.model.identity import fingerprint_list
from guardrails.report.json_text import compact_encoder, iter_with_lines
from guardrails.report.model import Report
from guardrails.report.paths import is_stdin, repo_relative, repository_root
from guardrails.report.views.cost import change_totals

REPORT_VERSION = 1


def report_document(report: Report) -> dict[str, Any]:
    """The report as a JSON-serialisable document; every path relative to the repository root
    (as SARIF's), whatever directory the command ran in."""
    document, findings, prints, files = _parts(report)
    pairs = zip(findings, prints, strict=True)
    document["findings"] = [f.to_dict(fingerprint, files.get(f)) for f, fingerprint in pairs]
    return document


def render_json(report: Report) -> str:
    """The document indented, with one finding per line (diffs of two reports stay readable)."""
    return "".join(stream_json(report))


def stream_json(report: Report) -> Iterator[str]:
    """The text of :func:`render_json` in chunks, made as they are written."""
    document, findings, prints, files = _parts(report)
    return iter_with_lines(document, document["findings"], _lines(findings, prints, files))


class _Files:
    """Each finding's file as the report names it: relative to the root (once per file)."""

    def __init__(self, root: Path) -> None:
        self._root = root
        self._named: dict[str, str] = {}

    def get(self, finding: Finding) -> str | None:
        if finding.location is None:
            return None
        file = finding.location.file
        named = self._named.get(file)
        if named is None:
            named = self._named[file] = file if is_stdin(file) else repo_relative(file, self._root)
        return named


def _parts(report: Report) -> tuple[dict[str, Any], list[Finding], list[str], _Files]:
    """The document with an empty ``findings`` list, the findings in report order, their
    fingerprints and file names."""
    findings = sorted(report.findings, key=lambda f: f.sort_key)
    root = report.root or repository_root()

    def path(file: str) -> str:
        return file if is_stdin(file) else repo_relative(file, root)

    document = {
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
        "findings": [],
        "ledger": report.ledger.to_dict() if report.ledger else None,
        "waivers_added": None
        if report.waiver_changes is None
        else [c.to_dict() for c in report.waiver_changes],
    }
    return document, findings, fingerprint_list(findings), _Files(root)


def _lines(findings: list[Finding], prints: list[str], files: _Files) -> Iterator[str]:
    """Each finding's ``to_dict`` as compact JSON, the same text as ``json.dumps`` of it.

    Written from a template rather than encoded dict by dict: the runs of fields a policy or a
    file repeats (policy, title, severity, category; remediation and file) are encoded once
    per report, about half the time at 20,000 findings. A field of an unexpected type takes
    the encoder's way."""
    encode = compact_encoder()
    string = json.encoder.encode_basestring_ascii
    heads: dict[tuple[str, str, str, str], str] = {}
    kinds: dict[str, str] = {}
    places: dict[tuple[str, str | None], str] = {}
    ends: dict[tuple[str, bool], str] = {}
    for f, fingerprint in zip(findings, prints, strict=True):
        file = files.get(f)
        line = f.location.line if f.location else None
        if type(f.waived) is not bool or not (line is None or type(line) is int):
            yield encode(f.to_dict(fingerprint, file))
            continue
        try:
            head_key = (f.policy, f.title, f.severity, f.category)
            head = heads.get(head_key)
            if head is None:
                head = heads[head_key] = (
                    f'{{"policy": {string(f.policy)}, "title": {string(f.title)}, '
                    f'"severity": {string(str(f.severity))}, "category": {string(f.category)}, '
                    '"resource": '
                )
            kind = kinds.get(f.resource_type)
            if kind is None:
                kind = kinds[f.resource_type] = (
                    f', "resource_type": {string(f.resource_type)}, "message": '
                )
            place_key = (f.remediation, file)
            place = places.get(place_key)
            if place is None:
                place = places[place_key] = (
                    f', "remediation": {string(f.remediation)}, '
                    f'"location": {{"file": {"null" if file is None else string(file)}, "line": '
                )
            end_key = (f.outcome, f.waived)
            end = ends.get(end_key)
            if end is None:
                end = ends[end_key] = (
                    f'}}, "outcome": {string(str(f.outcome))}, '
                    f'"waived": {"true" if f.waived else "false"}, "fingerprint": '
                )
            yield (
                f"{head}{string(f.resource)}{kind}{string(f.message)}{place}"
                f"{'null' if line is None else int.__repr__(line)}{end}{string(fingerprint)}}}"
            )
        except TypeError:  # a field that is not a string
            yield encode(f.to_dict(fingerprint, file))
