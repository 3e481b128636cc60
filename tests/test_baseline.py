"""Baselines: a round trip reports only new findings; bad files are clean errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from guardrails.baseline import baseline_document, load_baseline, without_baselined
from guardrails.errors import ConfigError
from guardrails.model import Finding, Severity


def finding(policy: str, resource: str, message: str = "m") -> Finding:
    return Finding(
        policy, "t", Severity.MEDIUM, "tagging", resource, "aws_instance", message, "fix"
    )


def test_round_trip(tmp_path: Path) -> None:
    old = [finding("GR-TAG-001", "aws_instance.a"), finding("GR-SEC-004", "aws_instance.a")]
    path = tmp_path / "baseline.json"
    path.write_text(baseline_document(old))
    assert baseline_document(reversed(old)) == path.read_text()  # order-independent, stable
    new = finding("GR-TAG-001", "aws_instance.b")
    kept, left_out = without_baselined([*old, new], load_baseline(path))
    assert kept == [new]
    assert left_out == 2


def test_changed_message_is_a_new_finding(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    path.write_text(baseline_document([finding("GR-COST-001", "x", "costs $10")]))
    kept, _ = without_baselined([finding("GR-COST-001", "x", "costs $20")], load_baseline(path))
    assert len(kept) == 1


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("{not json", "not valid JSON"),
        ('{"version": 2, "findings": []}', "not a guardrails baseline"),
        ('{"version": 1, "findings": [{"policy": "x"}]}', "must be objects with a fingerprint"),
    ],
)
def test_bad_baselines(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "b.json"
    path.write_text(text)
    with pytest.raises(ConfigError, match=problem):
        load_baseline(path)
    with pytest.raises(ConfigError, match="cannot read baseline"):
        load_baseline(tmp_path / "missing.json")
