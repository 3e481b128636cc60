"""SARIF 2.1.0 for GitHub code scanning: one rule per catalog policy, one result per finding."""

from __future__ import annotations

import itertools
import json.encoder
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from guardrails.catalog.metadata import PolicyMeta
from guardrails.errors import ConfigError
from guardrails.ledger import Change
from guardrails.model import Finding, Outcome, Severity
from guardrails.model.identity import fingerprint_list
from guardrails.report.json_text import compact_encoder, iter_with_lines
from guardrails.report.model import Report
from guardrails.report.paths import is_stdin, repo_relative, repository_root

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/guardrails-ai-infra/guardrails-ai-infra"
POLICY_DOCS = INFORMATION_URI + "/blob/main/docs/policies.md"

#: GitHub maps security-severity to critical (≥ 9), high (≥ 7), medium (≥ 4) and low.
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
}
LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
}


def rule_name(title: str) -> str:
    """``Public storage`` → ``PublicStorage`` (SARIF rule names are identifiers)."""
    return "".join(word[:1].upper() + word[1:] for word in re.findall(r"[A-Za-z0-9]+", title))


def _rule(policy: PolicyMeta) -> dict[str, Any]:
    anchor = policy.id.lower()
    by_text = "".join(f"\n- {key}: {text}" for key, text in policy.remediation_by)
    by_markdown = "".join(f"\n- `{key}`: {text}" for key, text in policy.remediation_by)
    return {
        "id": policy.id,
        "name": rule_name(policy.title),
        "shortDescription": {"text": policy.title},
        "fullDescription": {"text": policy.description},
        "help": {
            "text": f"{policy.description}\n\nRemediation: {policy.remediation}{by_text}",
            "markdown": (
                f"{policy.description}\n\n**Remediation:** {policy.remediation}{by_markdown}"
            ),
        },
        "helpUri": f"{POLICY_DOCS}#{anchor}",
        "defaultConfiguration": {"level": LEVEL[policy.severity]},
        "properties": {
            "security-severity": SECURITY_SEVERITY[policy.severity],
            # GitHub only ranks alerts by security-severity for rules tagged "security".
            "tags": sorted({"guardrails", policy.category, "infrastructure-as-code"}),
            "precision": "high",
            "problem.severity": "error" if LEVEL[policy.severity] == "error" else "warning",
        },
    }


#: The ledger's classes as SARIF baseline states (fixed findings are ``absent`` results).
BASELINE_STATE = {
    Change.NEW: "new",
    Change.ESCALATED: "updated",
    Change.UNCHANGED: "unchanged",
    Change.FIXED: "absent",
}


def _result(
    finding: Finding,
    index: dict[str, int],
    root: Path,
    fingerprint: str,
    change: Change | None = None,
) -> dict[str, Any]:
    logical = {"name": finding.resource, "kind": "resource", "fullyQualifiedName": finding.resource}
    location: dict[str, Any] = {}
    if finding.location is not None:
        if is_stdin(finding.location.file):
            # Code scanning needs a file in the repository for every result; "stdin" is none.
            raise ConfigError(
                f"{finding.policy} on {finding.resource} comes from standard input with no file"
                " to point SARIF at: name it with --stdin-path (e.g. --stdin-path plan.json)"
            )
        location["physicalLocation"] = {
            "artifactLocation": {
                "uri": repo_relative(finding.location.file, root),
                "uriBaseId": "%SRCROOT%",
            },
            "region": {"startLine": max(1, finding.location.report_line)},
        }
    location["logicalLocations"] = [logical]
    result: dict[str, Any] = {
        "ruleId": finding.policy,
        "level": LEVEL[finding.severity] if finding.outcome == Outcome.FAIL else "note",
        "message": {"text": finding.headline},
        "locations": [location],
        "partialFingerprints": {"guardrails/v2": fingerprint},
        "properties": {
            "severity": str(finding.severity),
            "outcome": str(finding.outcome),
            "resourceType": finding.resource_type,
            # The advice for this resource's type and provider (the rule's help lists them all).
            "remediation": finding.remediation,
        },
    }
    if finding.policy in index:
        result["ruleIndex"] = index[finding.policy]
    if change is not None:
        result["baselineState"] = BASELINE_STATE[change]
    elif finding.outcome == Outcome.EXISTING:
        result["baselineState"] = "unchanged"
    if finding.waived:
        result["suppressions"] = [
            {"kind": "external", "status": "accepted", "justification": finding.waiver_reason or ""}
        ]
    return result


def _absent(finding: Finding, index: dict[str, int], fingerprint: str) -> dict[str, Any]:
    """A finding the base had and the change fixes: an ``absent`` result, so code scanning
    can close its alert."""
    result: dict[str, Any] = {
        "ruleId": finding.policy,
        "level": "none",
        "message": {"text": f"fixed: {finding.headline}"},
        "partialFingerprints": {"guardrails/v2": fingerprint},
        "baselineState": "absent",
        "locations": [
            {
                "logicalLocations": [
                    {
                        "name": finding.resource,
                        "kind": "resource",
                        "fullyQualifiedName": finding.resource,
                    }
                ]
            }
        ],
    }
    # A base record's file (a baseline is a file someone wrote) is used only when it is a
    # plain repository-relative path.
    parts = finding.repo_path.split("/")
    if finding.repo_path and not finding.repo_path.startswith("/") and ".." not in parts:
        result["locations"][0]["physicalLocation"] = {
            "artifactLocation": {"uri": finding.repo_path},
            "region": {
                "startLine": max(1, (finding.location.line or 1) if finding.location else 1)
            },
        }
    if finding.policy in index:
        result["ruleIndex"] = index[finding.policy]
    return result


def sarif_document(report: Report, root: Path | None = None) -> dict[str, Any]:
    """The SARIF log of ``report``; paths relative to ``root`` (default: the repository)."""
    document, results = _log_and_results(report, root)
    document["runs"][0]["results"] = list(results)
    return document


def _log_and_results(
    report: Report, root: Path | None = None
) -> tuple[dict[str, Any], Iterator[dict[str, Any]]]:
    """The SARIF log with an empty ``results`` list, and its results, made one at a time."""
    root = root or report.root or repository_root()
    document, index = _log(report, root)
    results = itertools.chain(
        (_result(f, index, root, fingerprint, change) for f, fingerprint, change in _rows(report)),
        _absent_results(report, index),
    )
    return document, results


def _rows(report: Report) -> Iterator[tuple[Finding, str, Change | None]]:
    """Each finding in report order with its fingerprint and its ledger class (None: none)."""
    findings = sorted(report.findings, key=lambda f: f.sort_key)
    ledger = report.ledger
    changes = {e.head.finding: e.change for e in ledger.entries if e.head} if ledger else {}
    for f, fingerprint in zip(findings, fingerprint_list(findings), strict=True):
        yield f, fingerprint, changes.get(f) if changes else None


def _absent_results(report: Report, index: dict[str, int]) -> Iterator[dict[str, Any]]:
    ledger = report.ledger
    if ledger is not None:
        for e in ledger.of(Change.FIXED):
            if e.base:
                yield _absent(e.finding, index, e.base.identity)


def _log(report: Report, root: Path) -> tuple[dict[str, Any], dict[str, int]]:
    """The SARIF log with an empty ``results`` list, and each rule's index in it."""
    rules = [_rule(p) for p in report.catalog]
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    document = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "guardrails",
                        "version": report.tool_version,
                        "semanticVersion": report.tool_version,
                        "informationUri": INFORMATION_URI,
                        "rules": rules,
                    }
                },
                "automationDetails": {"id": "guardrails/"},
                "columnKind": "unicodeCodePoints",
                "results": [],
                "properties": {
                    "engine": report.engine,
                    "config": report.config_source.to_dict(),
                    **_cost_properties(report.cost),
                },
                **_invocations(report, root),
            }
        ],
    }
    return document, index


def _cost_properties(cost: Mapping[str, Any] | None) -> dict[str, Any]:
    """What the run's GPU cost rests on: assumed prices (a default $/GPU-hour, or another cloud's
    list price where nothing names the cloud) and what is left out, as the other formats say."""
    if not cost or not cost.get("coverage_note"):
        return {}
    return {
        "gpuCost": {
            "assumed": cost.get("assumed", 0),
            "assumedResources": [
                {"address": a.get("address"), "assumption": a.get("assumption")}
                for a in cost.get("assumed_resources") or []
            ],
            "partial": bool(cost.get("partial")),
            "coverageNote": cost["coverage_note"],
        }
    }


def _invocations(report: Report, root: Path) -> dict[str, Any]:
    """A partial run says so the SARIF way: an unsuccessful invocation naming each bad input."""
    if not report.partial:
        return {}
    notes = [
        {
            "level": "error",
            "message": {"text": f"not evaluated: {i.notes[0] if i.notes else 'unreadable'}"},
            "locations": [
                {"physicalLocation": {"artifactLocation": {"uri": repo_relative(i.path, root)}}}
            ],
        }
        for i in report.graph.input_errors
    ]
    return {"invocations": [{"executionSuccessful": False, "toolExecutionNotifications": notes}]}


def render_sarif(report: Report) -> str:
    """The SARIF log as JSON, one result per line."""
    return "".join(stream_sarif(report))


def stream_sarif(report: Report) -> Iterator[str]:
    """The text of :func:`render_sarif` in chunks, made as they are written."""
    root = report.root or repository_root()
    document, index = _log(report, root)
    encode = compact_encoder()
    lines = itertools.chain(
        _result_lines(_rows(report), index, root, encode),
        map(encode, _absent_results(report, index)),
    )
    return iter_with_lines(document, document["runs"][0]["results"], lines)


def _result_lines(
    rows: Iterable[tuple[Finding, str, Change | None]],
    index: dict[str, int],
    root: Path,
    encode: Callable[[Any], str],
) -> Iterator[str]:
    """Each result as compact JSON, the same text as ``json.dumps(_result(...))``.

    The usual result (a file, a known rule, no ledger class, not waived) is written from a
    template whose parts a rule, a file or a resource kind repeat are encoded once per log
    (as the JSON report's lines); any other result, or a field of an unexpected type, is
    built by ``_result`` and encoded."""
    string = json.encoder.encode_basestring_ascii
    heads: dict[tuple[str, str], str] = {}
    places: dict[str, str] = {}
    tails: dict[tuple[str, str, str, str, int], str] = {}
    for f, fingerprint, change in rows:
        location = f.location
        rule = index.get(f.policy)
        if (
            change is not None
            or location is None
            or rule is None
            or f.waived
            or f.outcome == Outcome.EXISTING
            or is_stdin(location.file)
            or type(location.report_line) is not int
        ):
            yield encode(_result(f, index, root, fingerprint, change))
            continue
        try:
            level = LEVEL[f.severity] if f.outcome == Outcome.FAIL else "note"
            head = heads.get((f.policy, level))
            if head is None:
                head = heads[(f.policy, level)] = (
                    f'{{"ruleId": {string(f.policy)}, "level": {string(level)}, '
                    '"message": {"text": '
                )
            place = places.get(location.file)
            if place is None:
                uri = repo_relative(location.file, root)
                place = places[location.file] = (
                    '}, "locations": [{"physicalLocation": {"artifactLocation": '
                    f'{{"uri": {string(uri)}, "uriBaseId": "%SRCROOT%"}}, '
                    '"region": {"startLine": '
                )
            tail_key = (f.severity, f.outcome, f.resource_type, f.remediation, rule)
            tail = tails.get(tail_key)
            if tail is None:
                tail = tails[tail_key] = (
                    f'}}, "properties": {{"severity": {string(str(f.severity))}, '
                    f'"outcome": {string(str(f.outcome))}, '
                    f'"resourceType": {string(f.resource_type)}, '
                    f'"remediation": {string(f.remediation)}}}, "ruleIndex": {rule}}}'
                )
            resource = string(f.resource)
            yield (
                f"{head}{string(f.headline)}{place}{max(1, location.report_line)}}}}}, "
                f'"logicalLocations": [{{"name": {resource}, "kind": "resource", '
                f'"fullyQualifiedName": {resource}}}]}}], '
                f'"partialFingerprints": {{"guardrails/v2": {string(fingerprint)}{tail}'
            )
        except TypeError:  # a field that is not a string
            yield encode(_result(f, index, root, fingerprint, change))
