"""classify() on its own: waivers, severity, pairing by file, version-1 records."""

from __future__ import annotations

from dataclasses import replace

import pytest

from guardrails.ledger import Change, Observed, classify
from guardrails.model import Finding, Location, Severity
from guardrails.model.identity import fingerprints, identity


def finding(resource: str = "aws_instance.a", file: str = "a/main.tf", **kw: object) -> Finding:
    base = Finding(
        policy="GR-TAG-001",
        title="t",
        severity=Severity.MEDIUM,
        category="tagging",
        resource=resource,
        resource_type="aws_instance",
        message="is missing required tags: owner",
        remediation="r",
        location=Location(file, 3),
        repo_path=file,
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def seen(f: Finding, **kw: object) -> Observed:
    return Observed(finding=f, identity=identity(f), **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("base", "head", "change", "how"),
    [
        (seen(finding()), seen(finding(file="b/moved.tf")), Change.UNCHANGED, ()),
        (
            seen(finding()),
            seen(finding(severity=Severity.HIGH)),
            Change.ESCALATED,
            ("severity medium → high",),
        ),
        (
            seen(finding(), waiver_expires="2027-01-31"),
            seen(finding(), waiver_expires="2027-06-30"),
            Change.ESCALATED,
            ("waived until 2027-06-30 (was until 2027-01-31)",),
        ),
        (
            seen(finding()),
            seen(finding(), waiver_expires="2027-06-30"),
            Change.ESCALATED,
            ("waived until 2027-06-30 (was not waived)",),
        ),
        (
            seen(finding(), waiver_expires="2027-06-30"),
            seen(finding(), waiver_expires="2027-01-31"),
            Change.UNCHANGED,
            (),
        ),
        (
            seen(finding(), max_monthly_usd=64_000.0, max_gpus=8),
            seen(finding(), max_monthly_usd=128_000.0, max_gpus=16),
            Change.ESCALATED,
            ("max cost $64,000 → $128,000/month (+$64,000)", "max GPUs 8 → 16"),
        ),
        (
            seen(finding(message="costs $64,000/month")),
            seen(finding(message="costs $128,000/month")),
            Change.UNCHANGED,  # figures are not the identity; no facts, no escalation
            (),
        ),
    ],
)
def test_pairs(base: Observed, head: Observed, change: Change, how: tuple[str, ...]) -> None:
    [entry] = classify([head], [base], "test").entries
    assert (entry.change, entry.escalations) == (change, how)


def test_two_roots_with_one_address_pair_by_file_and_fingerprint_apart() -> None:
    a, b = finding(file="one/main.tf"), finding(file="two/main.tf")
    assert identity(a) == identity(b)
    prints = fingerprints([a, b])
    assert prints[a] != prints[b]
    worse_b = seen(b, max_monthly_usd=20.0)
    ledger = classify(
        [seen(a, max_monthly_usd=10.0), worse_b],
        [seen(b, max_monthly_usd=10.0), seen(a, max_monthly_usd=10.0)],
        "test",
    )
    escalated = ledger.of(Change.ESCALATED)
    assert [e.finding.repo_path for e in escalated] == ["two/main.tf"]
    assert len(ledger.of(Change.UNCHANGED)) == 1


def test_version_one_records_match_by_the_old_fingerprint_without_escalation() -> None:
    head = finding(severity=Severity.CRITICAL)
    record = Observed(
        finding=finding(severity=Severity.LOW, message="recorded in the baseline"),
        identity="",
        legacy_fingerprint=head.legacy_fingerprint,
    )
    [entry] = classify([seen(head)], [record], "baseline").entries
    assert entry.change is Change.UNCHANGED


@pytest.mark.parametrize(
    ("file", "kept"), [("k8s/a.yaml", True), ("../x", False), ("/etc/x", False)]
)
def test_an_absent_sarif_result_names_only_a_repository_file(file: str, kept: bool) -> None:
    from guardrails.report.sarif import _absent

    result = _absent(finding(file=file), {}, "0" * 32)
    assert ("physicalLocation" in result["locations"][0]) is kept
    assert result["baselineState"] == "absent"
