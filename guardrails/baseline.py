"""Baselines: record today's findings so a check reports only new ones."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable
from pathlib import Path

from guardrails.errors import ConfigError, InputError
from guardrails.model import Finding
from guardrails.parsers.json_safe import load_json
from guardrails.parsers.safe_io import read_text

BASELINE_VERSION = 1
#: About 150 bytes per finding: room for a million findings.
MAX_BASELINE_BYTES = 200 * 1024 * 1024


def baseline_document(findings: Iterable[Finding]) -> str:
    """The baseline file for ``findings`` (sorted, no timestamps: stable in version control)."""
    entries = sorted(
        {(f.fingerprint, f.policy, f.resource) for f in findings}, key=lambda e: (e[1], e[2], e[0])
    )
    doc = {
        "version": BASELINE_VERSION,
        "tool": "guardrails",
        "findings": [{"fingerprint": fp, "policy": p, "resource": r} for fp, p, r in entries],
    }
    return json.dumps(doc, indent=2) + "\n"


def load_baseline(path: Path) -> frozenset[str]:
    """The fingerprints recorded in a baseline file."""
    try:
        doc = load_json(str(path), read_text(str(path), MAX_BASELINE_BYTES))
    except InputError as exc:
        what = (
            "baseline is not valid JSON"
            if exc.problem.startswith("malformed")
            else ("cannot read baseline")
        )
        raise ConfigError(f"{path}: {what}: {exc.problem}") from None
    if not isinstance(doc, dict) or doc.get("version") != BASELINE_VERSION:
        raise ConfigError(f"{path}: not a guardrails baseline (version {BASELINE_VERSION})")
    entries = doc.get("findings")
    if not isinstance(entries, list) or not all(
        isinstance(e, dict) and isinstance(e.get("fingerprint"), str) for e in entries
    ):
        raise ConfigError(f"{path}: baseline findings must be objects with a fingerprint")
    return frozenset(e["fingerprint"] for e in entries)


def without_baselined(
    findings: Iterable[Finding], fingerprints: frozenset[str]
) -> tuple[list[Finding], int]:
    """Findings not in the baseline, and how many were left out."""
    all_findings = list(findings)
    kept = [
        f
        for f in all_findings
        if f.fingerprint not in fingerprints and _legacy_fingerprint(f) not in fingerprints
    ]
    return kept, len(all_findings) - len(kept)


def _legacy_fingerprint(finding: Finding) -> str | None:
    """The fingerprint a cluster-scoped Kubernetes object's finding had when its address still
    carried the ``default`` namespace (``ClusterQueue/default/research``, now
    ``ClusterQueue/research``), so baselines recorded then keep matching."""
    kind, sep, name = finding.resource.partition("/")
    if not sep or not name or "/" in name or kind != finding.resource_type:
        return None
    return dataclasses.replace(finding, resource=f"{kind}/default/{name}").fingerprint
