"""What the fast findings and report paths keep: the same identities, the same text.

A 10k-resource plan raises ~21,000 findings; each identity (a regex and a hash) is computed once
per finding, report lines come from a template and indented JSON from a faster encoder, and
all of it must stay the text ``json.dumps`` writes."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from enum import IntEnum, StrEnum
from typing import Any

import pytest

from guardrails.model import Finding, Location, Outcome, Severity
from guardrails.model import identity as identity_module
from guardrails.model.identity import fingerprint_list, fingerprints, subject
from guardrails.report import REPORTERS, Report
from guardrails.report.json_report import render_json, report_document
from guardrails.report.json_text import compact_encoder, indented
from tests.conftest import FIXTURES

#: The figure pattern as the ledger documented it first: the identity's definition.
_DOCUMENTED = re.compile(r"(?<![\w.-])[+-]?\$?\d[\d,]*(?:\.\d+)?[kKMG%]?(?![\w-])")

MESSAGES = [
    "no digits at all",
    "$11,797 +$63,359 50% 1.01 gpu-1 p4d.24xlarge -5 a.5 x-3 3k 4M 2G 10080 8",
    "a_5 _5 5_ 5. .5 5- -5 $5 +5 ++5 $$5 1,2,3 1.2.3 5$ (5) [5] 5:5",
    "ünïcode \uff15 \u0663 5ü ü5 tab\t5\nnewline  double  space",
    "max cost $32,058 → $64,116/month (+$32,058); GPUs 16 → 32",
    "",
]


@pytest.mark.parametrize("message", MESSAGES)
def test_subject_is_the_documented_masking(message: str) -> None:
    assert subject(message) == _DOCUMENTED.sub("#", " ".join(message.split()))


def _finding(**changes: Any) -> Finding:
    base = Finding(
        policy="GR-SEC-001",
        title="Public bucket",
        severity=Severity.HIGH,
        category="security",
        resource="aws_s3_bucket.data",
        resource_type="aws_s3_bucket",
        message="bucket allows 2 public principals",
        remediation="Block public access.",
        location=Location("infra/main.tf", 12),
        repo_path="infra/main.tf",
    )
    return replace(base, **changes)


def test_fingerprint_once_and_fresh_after_replace(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = identity_module.identity_of

    def counted(policy: str, resource: str, message: str) -> str:
        calls.append(message)
        return real(policy, resource, message)

    monkeypatch.setattr("guardrails.model.finding.identity_of", counted)
    f = _finding()
    assert f.fingerprint == f.fingerprint == real(f.policy, f.resource, f.message)
    assert len(calls) == 1
    worse = replace(f, message="bucket allows 9 public principals")
    assert worse.fingerprint == f.fingerprint  # figures masked: the same finding, worse
    other = replace(f, message="bucket has no encryption")
    assert other.fingerprint != f.fingerprint
    assert other.sort_key == (
        -3,
        f.resource,
        f.policy,
        "bucket has no encryption",
        "infra/main.tf",
        12,
    )
    assert f == _finding() and hash(f) == hash(_finding())  # the caches are not compared


def test_shared_identities_get_their_file() -> None:
    one = _finding(location=Location("a/main.tf", 1), repo_path="a/main.tf")
    two = _finding(location=Location("b/main.tf", 1), repo_path="b/main.tf")
    alone = _finding(resource="aws_s3_bucket.logs")
    listed = fingerprint_list([one, two, alone])
    assert listed == [fingerprints([one, two, alone])[f] for f in (one, two, alone)]
    assert len(set(listed)) == 3 and listed[2] == alone.fingerprint
    assert listed[0] != one.fingerprint


@pytest.fixture(scope="module")
def report() -> Report:
    from guardrails.api import ScanOptions, scan

    plan = FIXTURES / "terraform-plan" / "gpu_training"
    return scan([str(plan)], ScanOptions(no_config=True))


def test_identity_computed_once_per_finding_for_every_format(
    report: Report, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The JSON report used to hash each identity twice (to_dict, then fingerprints())."""
    fresh = report.replace_findings(tuple(replace(f) for f in report.findings))
    calls: list[str] = []
    real = identity_module.identity_of

    def counted(policy: str, resource: str, message: str) -> str:
        calls.append(message)
        return real(policy, resource, message)

    monkeypatch.setattr("guardrails.model.finding.identity_of", counted)
    for name in ("json", "sarif", "table", "codequality"):
        REPORTERS[name](fresh, False)
    assert fresh.findings and len(calls) == len(fresh.findings)


HOSTILE = [
    'quote " backslash \\ slash / ',
    "ünïcode → 日本 \U0001f600",
    "control \x00 \x01 \x1f \x7f \b \f \n \r \t",
    "lone surrogate \udce9",
]


def _hostile_findings() -> list[Finding]:
    out = [
        _finding(message=text, resource=f"r{i}.{text}", title=text, remediation=text)
        for i, text in enumerate(HOSTILE)
    ]
    out.append(_finding(resource="nowhere", location=None))
    out.append(_finding(resource="no-line", location=Location("-", None), waived=True))
    out.append(_finding(resource="unknown", outcome=Outcome.UNKNOWN, location=Location(HOSTILE[1])))
    out.append(_finding(resource="odd", title=None))  # type: ignore[arg-type]
    out.append(_finding(resource="odder", waived=1))  # type: ignore[arg-type]
    return out


def test_json_lines_are_json_dumps_of_each_finding(report: Report) -> None:
    hostile = report.replace_findings((*report.findings, *_hostile_findings()))
    text = render_json(hostile)
    document = report_document(hostile)
    assert json.loads(text) == document
    lines = text.splitlines()
    start = lines.index('  "findings": [') + 1
    written = [line.removeprefix("    ").removesuffix(",") for line in lines[start:]]
    for i, finding in enumerate(document["findings"]):
        assert written[i] == json.dumps(finding)
    assert lines[start + len(document["findings"])] == "  ],"


class _Number(IntEnum):
    THREE = 3


class _Word(StrEnum):
    B = "b"


VALUES: list[Any] = [
    {},
    [],
    {"a": {}, "b": [], "c": [[]]},
    {"a": [1, 2.5, None, True, False, "x\u00e9\ud800\x7f\n", {"b": [{}]}]},
    1,
    "s",
    None,
    1e16,
    -0.0,
    1e-7,
    10**30,
    {"k": _Number.THREE, "s": _Word.B},
    ({"t": (1, 2)},),
    {"ledger": {"new": [{"x": 1, "esc": [], "m": {"base": None, "head": 64116.0}}] * 3}},
]


@pytest.mark.parametrize("value", VALUES)
def test_encoders_write_what_json_dumps_writes(value: Any) -> None:
    assert indented(value) == json.dumps(value, indent=2, allow_nan=False)
    assert compact_encoder()(value) == json.dumps(value, allow_nan=False)


@pytest.mark.parametrize(
    "value", [{1: 2}, {None: 1, True: 2}, {"a": float("nan")}, {"a": object()}, {(1,): 1}]
)
def test_encoders_fail_or_fall_back_as_json_dumps_does(value: Any) -> None:
    def outcome(dump: Any) -> Any:
        try:
            return dump(value)
        except (TypeError, ValueError) as exc:
            return type(exc)

    assert outcome(indented) == outcome(lambda v: json.dumps(v, indent=2, allow_nan=False))
    assert outcome(compact_encoder()) == outcome(lambda v: json.dumps(v, allow_nan=False))


def test_circular_document_refused() -> None:
    loop: list[Any] = [1]
    loop.append(loop)
    with pytest.raises(ValueError, match="Circular"):
        indented({"a": loop})


def test_report_counts_follow_replaced_findings(report: Report) -> None:
    judged = len(report.judged)
    waived = report.replace_findings(tuple(replace(f, waived=True) for f in report.findings))
    assert judged and len(report.judged) == judged
    assert waived.judged == [] and waived.unknown_count == 0 and waived.active == []


def test_sarif_lines_are_json_dumps_of_each_result(report: Report) -> None:
    from guardrails.report.sarif import render_sarif, sarif_document

    extra = [f for f in _hostile_findings() if not (f.location and f.location.file == "-")]
    extra += [
        _finding(resource="kept", outcome=Outcome.EXISTING),
        _finding(resource="user", policy="GR-USER-999"),
        _finding(resource="medium", severity=Severity.LOW, outcome=Outcome.UNKNOWN),
        _finding(resource="line-less", location=Location("infra/main.tf", None)),
    ]
    hostile = report.replace_findings((*report.findings, *extra))
    text = render_sarif(hostile)
    document = sarif_document(hostile)
    assert json.loads(text) == document
    results = document["runs"][0]["results"]
    lines = text.splitlines()
    start = lines.index('      "results": [') + 1
    written = [line.removeprefix("        ").removesuffix(",") for line in lines[start:]]
    assert len(results) > len(extra)
    for i, result in enumerate(results):
        assert written[i] == json.dumps(result)
