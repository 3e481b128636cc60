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
from guardrails.ledger import Observed, observe
from guardrails.model import Finding, Graph, Severity

BASELINE_VERSION = 2
#: Versions this guardrails reads: 1 recorded the fingerprint of policy, file, resource and
#: message; 2 records the identity (see guardrails.model.identity) and what escalation compares.
READ_VERSIONS = (1, 2)
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
    #: The recorded findings as a ledger base (version 1: policy and resource only).
    records: tuple[Observed, ...] = ()


@dataclass(frozen=True)
class WaiverDelta:
    """A waiver in force now that the baseline did not have (``added``) or had with an earlier
    expiry (``extended``, with the ``previous`` expiry)."""

    waiver: Mapping[str, Any]
    change: str
    previous: str | None = None


def baseline_document(
    findings: Iterable[Finding],
    waivers: Iterable[Mapping[str, Any]] = (),
    graph: Graph | None = None,
) -> str:
    """The baseline file for ``findings`` (with their resources' cost and GPU count at max
    scale from ``graph``) and the waivers in force (``Waiver.record()``), sorted, no
    timestamps: stable in version control."""
    seen = observe(findings, graph or Graph())
    entries = sorted(
        {json.dumps(_entry(o), sort_keys=True): _entry(o) for o in seen}.values(),
        key=lambda e: (e["policy"], e["resource"], e["fingerprint"], str(e["file"])),
    )
    records = sorted(
        {json.dumps(w, sort_keys=True): w for w in waivers}.values(),
        key=lambda w: json.dumps([str(w.get(k)) for k in (*WAIVER_SCOPE, "expires")]),
    )
    doc = {
        "version": BASELINE_VERSION,
        "tool": "guardrails",
        "findings": entries,
        "waivers": records,
    }
    return json.dumps(doc, indent=2) + "\n"


def _entry(o: Observed) -> dict[str, Any]:
    f = o.finding
    return {
        "fingerprint": o.identity,
        "legacy_fingerprint": f.legacy_fingerprint,
        "policy": f.policy,
        "resource": f.resource,
        "severity": str(f.severity),
        "message": f.message,
        "file": f.repo_path or None,
        "max_monthly_usd": o.max_monthly_usd,
        "max_gpus": o.max_gpus,
        "waiver_expires": o.waiver_expires or None,
    }


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
    if not isinstance(doc, dict) or doc.get("version") not in READ_VERSIONS:
        raise ConfigError(f"{path}: not a guardrails baseline (version 1 or {BASELINE_VERSION})")
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
    prints = {e["fingerprint"] for e in entries}
    prints |= {
        e["legacy_fingerprint"] for e in entries if isinstance(e.get("legacy_fingerprint"), str)
    }
    return Baseline(
        frozenset(prints),
        None if waivers is None else tuple(waivers),
        tuple(_record(e, doc["version"]) for e in entries),
    )


def _record(entry: Mapping[str, Any], version: int) -> Observed:
    """A recorded finding as a ledger base record (figures kept only when well-typed)."""

    def text(key: str) -> str:
        value = entry.get(key)
        return value if isinstance(value, str) else ""

    def number(key: str) -> float | None:
        value = entry.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        return float(value)

    try:
        severity = Severity(text("severity"))
    except ValueError:
        severity = Severity.LOW  # version 1 records none: never an escalation of severity
    finding = Finding(
        policy=text("policy"),
        title="",
        severity=severity,
        category="",
        resource=text("resource"),
        resource_type="",
        message=text("message") or "recorded in the baseline",
        remediation="",
        repo_path=text("file"),
        waived=bool(text("waiver_expires")),
        waiver_expires=text("waiver_expires"),
    )
    legacy = version == 1
    return Observed(
        finding=finding,
        identity="" if legacy else text("fingerprint"),
        max_monthly_usd=number("max_monthly_usd"),
        max_gpus=number("max_gpus"),
        waiver_expires=text("waiver_expires"),
        legacy_fingerprint=text("fingerprint") if legacy else text("legacy_fingerprint"),
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
        if f.fingerprint not in fingerprints
        and f.legacy_fingerprint not in fingerprints
        and _legacy_fingerprint(f) not in fingerprints
    ]
    return kept, len(all_findings) - len(kept)


def _legacy_fingerprint(finding: Finding) -> str | None:
    """The fingerprint a cluster-scoped Kubernetes object's finding had when its address still
    carried the ``default`` namespace (``ClusterQueue/default/research``, now
    ``ClusterQueue/research``), so baselines recorded then keep matching."""
    kind, sep, name = finding.resource.partition("/")
    if not sep or not name or "/" in name or kind != finding.resource_type:
        return None
    return dataclasses.replace(finding, resource=f"{kind}/default/{name}").legacy_fingerprint
