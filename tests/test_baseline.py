"""Baselines: a round trip reports only new findings; bad files are clean errors."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from guardrails.api import ScanOptions, scan
from guardrails.baseline import baseline_document, load_baseline, without_baselined
from guardrails.errors import ConfigError
from guardrails.model import Finding, Severity
from tests.conftest import FIXTURES


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


def test_baseline_from_before_cluster_scoped_addresses_still_matches(tmp_path: Path) -> None:
    """Cluster-scoped Kubernetes objects lost their ``default`` namespace in the address; a
    baseline recorded with the old address still leaves their findings out."""
    fixture = str(FIXTURES / "policies/GR-COST-009/deny_kueue_clusterqueue_gpu_without_quota.yaml")
    report = scan([fixture], ScanOptions(engine="python", no_config=True))
    queue = [f for f in report.findings if f.resource_type == "ClusterQueue"]
    assert [f.resource for f in queue] == ["ClusterQueue/research"]
    old = [dataclasses.replace(f, resource="ClusterQueue/default/research") for f in queue]
    path = tmp_path / "baseline.json"
    path.write_text(baseline_document(old))
    kept, left_out = without_baselined(queue, load_baseline(path))
    assert (kept, left_out) == ([], 1)
    # A namespaced object keeps its namespace, and only the default one is aliased.
    other = finding("GR-TAG-001", "Deployment/team/a")
    path.write_text(baseline_document([dataclasses.replace(other, resource="Deployment/a")]))
    assert without_baselined([other], load_baseline(path))[1] == 0
