"""Terraform, manifests and Pulumi give the same verdicts: policy cases have Pulumi twins.

``fixtures/policies/<ID>/<case>.json`` (a Terraform plan) sits beside ``<case>.pulumi.json``, the
same resources as a ``pulumi preview --json`` in Pulumi's own shape (type tokens, camelCase
inputs, single blocks as objects, plural repeated blocks). Both are scanned with the case's
config and must give the same findings: policy, outcome, severity and resource count.

A Kubernetes manifest case ``<case>.yaml`` may have the same objects as Pulumi ``kubernetes:*``
resources in ``<case>.pulumi.json`` (they go through the Kubernetes shape); the FinOps policies
must have one for every manifest case.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from tests.sweep import Sweep

CASES_DIR = FIXTURES / "policies"


def _is_terraform_plan(path: Path) -> bool:
    if path.suffix != ".json" or path.name.endswith(".pulumi.json"):
        return False
    doc = json.loads(path.read_text())
    return isinstance(doc, dict) and "resource_changes" in doc


TERRAFORM_CASES = [
    p
    for p in sorted(CASES_DIR.glob("*/*"))
    if p.name.startswith(("allow_", "deny_")) and _is_terraform_plan(p)
]


def _verdicts(path: Path, sweep: Sweep) -> Counter[tuple[str, str, str]]:
    config = path.parent / "config.yaml"
    report = sweep.scan(path, config if config.exists() else None)
    return Counter((f.policy, str(f.outcome), str(f.severity)) for f in report.findings)


def _assert_twin_gives_the_same_verdict(case: Path, sweep: Sweep) -> None:
    """``case``'s Pulumi twin gives its verdicts; a deny case fires its own policy, an allow not."""
    pulumi = case.with_suffix(".pulumi.json")
    assert pulumi.exists(), f"{case.name} has no Pulumi twin {pulumi.name}"
    expected = _verdicts(case, sweep)
    assert any(p == case.parent.name for p, _, _ in expected) == case.name.startswith("deny_")
    assert _verdicts(pulumi, sweep) == expected


def test_there_are_terraform_cases() -> None:
    assert len(TERRAFORM_CASES) >= 29


@pytest.mark.parametrize(
    "terraform", TERRAFORM_CASES, ids=[f"{p.parent.name}/{p.stem}" for p in TERRAFORM_CASES]
)
def test_pulumi_twin_gives_the_same_verdict(terraform: Path, sweep: Sweep) -> None:
    _assert_twin_gives_the_same_verdict(terraform, sweep)


#: Policies whose every manifest case has a Pulumi ``kubernetes:*`` twin.
MANIFEST_TWINS_REQUIRED = ("GR-COST-006", "GR-COST-008", "GR-COST-009")
MANIFEST_CASES = [
    p
    for p in sorted(CASES_DIR.glob("*/*.yaml"))
    if p.name.startswith(("allow_", "deny_"))
    and (p.with_suffix(".pulumi.json").exists() or p.parent.name in MANIFEST_TWINS_REQUIRED)
]


def test_finops_manifest_cases_have_pulumi_twins() -> None:
    assert sum(p.parent.name in MANIFEST_TWINS_REQUIRED for p in MANIFEST_CASES) >= 21


@pytest.mark.parametrize(
    "manifest", MANIFEST_CASES, ids=[f"{p.parent.name}/{p.stem}" for p in MANIFEST_CASES]
)
def test_pulumi_kubernetes_twin_gives_the_manifest_verdict(manifest: Path, sweep: Sweep) -> None:
    _assert_twin_gives_the_same_verdict(manifest, sweep)
