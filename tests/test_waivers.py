"""Waivers from config and inline comments: matching, expiry around today, audit statuses."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from guardrails.errors import ConfigError
from guardrails.model import Finding, Graph, Location, Resource, Severity, SourceFormat
from guardrails.model.resource import Action
from guardrails.waivers import (
    WaiverStatus,
    apply_waivers,
    config_waivers,
    inline_waivers,
)

TODAY = date(2026, 11, 24)


def finding(policy: str, resource: str, file: str = "infra/main.tf") -> Finding:
    return Finding(
        policy=policy,
        title="t",
        severity=Severity.HIGH,
        category="tagging",
        resource=resource,
        resource_type="aws_instance",
        message=f"{policy} on {resource}",
        remediation="fix",
        location=Location(file, 3),
    )


def resource(address: str, file: str, line: int, env: str = "dev") -> Resource:
    return Resource(
        id=f"{file}#{address}",
        address=address,
        source_format=SourceFormat.TERRAFORM_HCL,
        provider="aws",
        type="aws_instance",
        name=address.split(".")[-1],
        action=Action.CREATE,
        attributes={},
        location=Location(file, line),
        facts={"environment": env},
    )


def waiver(**overrides: object) -> dict[str, object]:
    base: dict[str, object] = {
        "policy": "GR-TAG-001",
        "resource": "aws_instance.*",
        "reason": "legacy",
        "owner": "ml-platform",
        "expires": "2026-12-31",
    }
    return {**base, **overrides}


GRAPH = Graph((resource("aws_instance.gpu", "infra/main.tf", 3, "prod"),))


@pytest.mark.parametrize(
    ("spec", "target", "waived"),
    [
        (waiver(), finding("GR-TAG-001", "aws_instance.gpu"), True),
        (waiver(policy="*"), finding("GR-SEC-004", "aws_instance.gpu"), True),
        (waiver(), finding("GR-TAG-002", "aws_instance.gpu"), False),
        (waiver(resource="aws_s3_bucket.*"), finding("GR-TAG-001", "aws_instance.gpu"), False),
        (waiver(file="infra/*.tf"), finding("GR-TAG-001", "aws_instance.gpu"), True),
        (waiver(file="other/*.tf"), finding("GR-TAG-001", "aws_instance.gpu"), False),
        (waiver(environment="prod"), finding("GR-TAG-001", "aws_instance.gpu"), True),
        (waiver(environment="dev"), finding("GR-TAG-001", "aws_instance.gpu"), False),
        (waiver(expires="2026-11-24"), finding("GR-TAG-001", "aws_instance.gpu"), True),
        (waiver(expires="2026-11-23"), finding("GR-TAG-001", "aws_instance.gpu"), False),
    ],
)
def test_config_waiver_matching(spec: dict[str, object], target: Finding, waived: bool) -> None:
    waivers = config_waivers({"waivers": [spec]}, ".guardrails.yaml", TODAY)
    result = apply_waivers([target], waivers, GRAPH, TODAY)
    assert result.findings[0].waived is waived
    if waived:
        assert result.findings[0].waiver_reason == "legacy"


def test_statuses_and_warnings() -> None:
    config = {
        "waivers": [
            waiver(),
            waiver(policy="GR-SEC-001", resource="aws_s3_bucket.logs"),
            waiver(expires="2026-01-01"),
        ]
    }
    waivers = config_waivers(config, "cfg", TODAY)
    result = apply_waivers([finding("GR-TAG-001", "aws_instance.gpu")], waivers, GRAPH, TODAY)
    statuses = [(w.policy, status, uses) for w, status, uses in result.statuses]
    assert statuses == [
        ("GR-TAG-001", WaiverStatus.ACTIVE, 1),
        ("GR-SEC-001", WaiverStatus.UNUSED, 0),
        ("GR-TAG-001", WaiverStatus.EXPIRED, 1),
    ]
    assert any(w.startswith("expired waiver no longer applies") for w in result.warnings)
    assert any(w.startswith("unused waiver matches no finding") for w in result.warnings)


def test_expired_waiver_alone_does_not_waive() -> None:
    waivers = config_waivers({"waivers": [waiver(expires="2026-11-01")]}, "cfg", TODAY)
    result = apply_waivers([finding("GR-TAG-001", "aws_instance.gpu")], waivers, GRAPH, TODAY)
    assert not result.findings[0].waived


def test_horizon_is_enforced() -> None:
    with pytest.raises(ConfigError, match="more than 180 days ahead"):
        config_waivers({"waivers": [waiver(expires="2027-12-31")]}, "cfg", TODAY)
    assert config_waivers(
        {"waivers": [waiver(expires="2027-12-31")], "waiver_max_days": 420}, "cfg", TODAY
    )


def test_inline_waivers_in_hcl_and_yaml(tmp_path: Path) -> None:
    tf = tmp_path / "main.tf"
    tf.write_text(
        'resource "aws_s3_bucket" "a" {}\n'
        '# guardrails:ignore GR-TAG-001 reason="shared bucket, tagged by org policy" expires=2026-12-31\n'
        'resource "aws_instance" "gpu" {\n}\n'
        'resource "aws_instance" "other" {} # guardrails:ignore * reason="sandbox" expires=2026-12-01 owner=me\n'
    )
    manifest = tmp_path / "pod.yaml"
    manifest.write_text(
        '# guardrails:ignore GR-SEC-007 reason="pinned by digest upstream" expires=2026-12-15\n'
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n"
    )
    graph = Graph(
        (
            resource("aws_s3_bucket.a", str(tf), 1),
            resource("aws_instance.gpu", str(tf), 3),
            resource("aws_instance.other", str(tf), 5),
            resource("Pod/default/p", str(manifest), 2),
        )
    )
    waivers = inline_waivers(graph, TODAY, 180)
    found = sorted((w.policy, w.resource, w.reason, w.owner, str(w.expires)) for w in waivers)
    assert found == [
        ("*", "aws_instance.other", "sandbox", "me", "2026-12-01"),
        ("GR-SEC-007", "Pod/default/p", "pinned by digest upstream", "(inline)", "2026-12-15"),
        (
            "GR-TAG-001",
            "aws_instance.gpu",
            "shared bucket, tagged by org policy",
            "(inline)",
            "2026-12-31",
        ),
    ]


def test_a_manifest_without_waiver_comments_is_not_split_into_lines(tmp_path: Path) -> None:
    """A 100,000-object manifest's lines were some 100 MB at the peak of the scan: a file
    without the marker holds no waiver and is now passed over whole."""
    import tracemalloc

    manifest = tmp_path / "big.yaml"
    manifest.write_text("a: 1\n" * 200_000)  # 1 MB, 200,000 lines
    graph = Graph(
        tuple(resource(f"ConfigMap/default/c{i}", str(manifest), i + 1) for i in range(9))
    )
    tracemalloc.start()
    try:
        assert inline_waivers(graph, TODAY, 180) == []
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 3 * manifest.stat().st_size, peak  # the text, not a list of its lines


@pytest.mark.parametrize(
    ("comment", "problem"),
    [
        ("# guardrails:ignore GR-TAG-001 expires=2026-12-31", "needs reason="),
        ('# guardrails:ignore GR-TAG-001 reason="x"', "needs expires="),
        ('# guardrails:ignore GR-TAG-001 reason="x" expires=someday', "not a date"),
        ('# guardrails:ignore GR-TAG-001 reason="x expires=2026-12-31', "cannot be read"),
    ],
)
def test_bad_inline_waivers_are_config_errors(tmp_path: Path, comment: str, problem: str) -> None:
    tf = tmp_path / "main.tf"
    tf.write_text(f'{comment}\nresource "aws_instance" "gpu" {{}}\n')
    graph = Graph((resource("aws_instance.gpu", str(tf), 2),))
    with pytest.raises(ConfigError, match=problem) as info:
        inline_waivers(graph, TODAY, 180)
    assert str(info.value).startswith(f"{tf}:1:")


@pytest.mark.parametrize(
    "address", ["aws_instance.gpu[0]", 'module.x.aws_instance.y["key"]', 'k["a*b"]']
)
def test_inline_waivers_on_count_and_for_each_addresses_match_literally(
    tmp_path: Path, address: str
) -> None:
    tf = tmp_path / "main.tf"
    tf.write_text(
        '# guardrails:ignore GR-TAG-001 reason="x" expires=2026-12-31\nresource "a" "b" {}\n'
    )
    graph = Graph((resource(address, str(tf), 2),))
    waivers = inline_waivers(graph, TODAY, 180)
    # The resource itself is waived; its siblings ([1], "other", gpu0) are not.
    sibling = address.replace("0", "1").replace("key", "other").replace("a*b", "aXb")
    findings = [finding("GR-TAG-001", address), finding("GR-TAG-001", sibling)]
    result = apply_waivers(findings, waivers, graph, TODAY)
    assert [f.waived for f in result.findings] == [True, False]


@pytest.mark.parametrize(
    ("pattern", "address", "waived"),
    [
        ("aws_instance.gpu[0]", "aws_instance.gpu[0]", True),
        ("aws_instance.gpu[0]", "aws_instance.gpu0", False),
        ('module.x.y["key"]', 'module.x.y["key"]', True),
        ('module.x.y["key"]', 'module.x.y["k"]', False),
        ("aws_instance.gpu[*]", "aws_instance.gpu[3]", True),
        ("module.legacy.*", "module.legacy.aws_instance.a[0]", True),
        ("*.gpu", "aws_instance.gpu", True),
        ("*.gpu", "aws_instance.gpu2", False),
    ],
)
def test_config_waiver_addresses_are_literal_but_star(
    pattern: str, address: str, waived: bool
) -> None:
    waivers = config_waivers({"waivers": [waiver(resource=pattern)]}, "cfg", TODAY)
    result = apply_waivers([finding("GR-TAG-001", address)], waivers, GRAPH, TODAY)
    assert result.findings[0].waived is waived


def test_many_stars_match_in_linear_time() -> None:
    import time

    waivers = config_waivers({"waivers": [waiver(resource="*a" * 40 + "*b")]}, "cfg", TODAY)
    started = time.monotonic()
    result = apply_waivers([finding("GR-TAG-001", "a" * 5_000)], waivers, GRAPH, TODAY)
    assert not result.findings[0].waived
    assert time.monotonic() - started < 1.0
