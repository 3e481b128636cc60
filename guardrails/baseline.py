"""Baselines: record today's findings so a check reports only new ones, and the waivers in
force so a check can tell the waivers a change adds or extends."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from guardrails.errors import ConfigError, InputError
from guardrails.inputs.json_safe import load_json
from guardrails.inputs.safe_io import read_text
from guardrails.model import Finding

BASELINE_VERSION = 1
#: About 150 bytes per finding: room for a million findings.
MAX_BASELINE_BYTES = 200 * 1024 * 1024


#: What identifies a waiver's scope: a waiver with another scope (a wider glob, another
#: file or environment) is a new exception, not the old one.
WAIVER_SCOPE = ("policy", "resource", "file", "environment")


@dataclass(frozen=True)
class Baseline:
    """A baseline file: finding fingerprints, and the waivers in force when it was made (None:
    a baseline made before waivers were recorded)."""

    fingerprints: frozenset[str]
    waivers: tuple[Mapping[str, Any], ...] | None


@dataclass(frozen=True)
class WaiverDelta:
    """A waiver in force now that the baseline did not have (``added``) or had with an earlier
    expiry (``extended``, with the ``previous`` expiry)."""

    waiver: Mapping[str, Any]
    change: str
    previous: str | None = None


def baseline_document(
    findings: Iterable[Finding], waivers: Iterable[Mapping[str, Any]] = ()
) -> str:
    """The baseline file for ``findings`` and the waivers in force (``Waiver.record()``),
    sorted, no timestamps: stable in version control."""
    entries = sorted(
        {(f.fingerprint, f.policy, f.resource) for f in findings}, key=lambda e: (e[1], e[2], e[0])
    )
    records = sorted(
        {json.dumps(w, sort_keys=True): w for w in waivers}.values(),
        key=lambda w: json.dumps([str(w.get(k)) for k in (*WAIVER_SCOPE, "expires")]),
    )
    doc = {
        "version": BASELINE_VERSION,
        "tool": "guardrails",
        "findings": [{"fingerprint": fp, "policy": p, "resource": r} for fp, p, r in entries],
        "waivers": records,
    }
    return json.dumps(doc, indent=2) + "\n"


def load_baseline(path: Path) -> frozenset[str]:
    """The fingerprints recorded in a baseline file."""
    return read_baseline(path).fingerprints


def read_baseline(path: Path) -> Baseline:
    """The fingerprints and waivers recorded in a baseline file."""
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
    waivers = doc.get("waivers")
    if waivers is not None and not (
        isinstance(waivers, list)
        and all(isinstance(w, dict) and isinstance(w.get("expires"), str) for w in waivers)
    ):
        raise ConfigError(f"{path}: baseline waivers must be objects with an expires date")
    return Baseline(
        frozenset(e["fingerprint"] for e in entries),
        None if waivers is None else tuple(waivers),
    )


def waiver_changes(
    current: Iterable[Mapping[str, Any]], recorded: Iterable[Mapping[str, Any]]
) -> list[WaiverDelta]:
    """The waivers in ``current`` that ``recorded`` (the base's) did not have in the same
    scope, or had expiring earlier (ISO dates compare as strings)."""
    latest: dict[tuple[str, ...], str] = {}
    for w in recorded:
        key = _scope(w)
        latest[key] = max(latest.get(key, ""), str(w.get("expires")))
    out = []
    for w in current:
        before = latest.get(_scope(w))
        if before is None:
            out.append(WaiverDelta(w, "added"))
        elif str(w.get("expires")) > before:
            out.append(WaiverDelta(w, "extended", before))
    return out


def _scope(waiver: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(str(waiver.get(k)) for k in WAIVER_SCOPE)


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
