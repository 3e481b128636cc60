"""Every policy, table-driven: its deny cases raise it and its allow cases don't, on every engine.

Cases are data: ``fixtures/policies/<POLICY-ID>/{allow,deny}_*.{yaml,json,tf}`` (real inputs in
any supported format) with an optional ``config.yaml`` (a .guardrails.yaml for that policy).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from guardrails.catalog import load_catalog
from guardrails.catalog.docs import render_markdown
from guardrails.engines.python import TWINS
from tests.conftest import FIXTURES, ROOT
from tests.sweep import Sweep

CASES_DIR = FIXTURES / "policies"


def _cases() -> list[tuple[str, Path]]:
    found = []
    for path in sorted(CASES_DIR.glob("*/*")):
        if path.name.startswith(("allow_", "deny_")):
            found.append((path.parent.name, path))
    return found


CASES = _cases()


@pytest.mark.parametrize(("policy_id", "path"), CASES, ids=[f"{pid}/{p.name}" for pid, p in CASES])
def test_policy_case(policy_id: str, path: Path, sweep: Sweep) -> None:
    """The case through ``api.scan`` as the CLI runs it, on the default engine. The Rego engines
    give the same findings on the same input: tests/engines/test_parity.py's sweep proves it."""
    config = path.parent / "config.yaml"
    report = sweep.scan(path, config if config.exists() else None)
    hits = [f for f in report.findings if f.policy == policy_id]
    if path.name.startswith("deny_"):
        assert hits, f"{policy_id} should deny {path.name}"
        for f in hits:
            assert f.message and f.title and f.remediation and f.category
            assert f.location is not None or f.resource == "change"
        if "_unknown" in path.name:  # a case named for a value unknown until apply
            assert any(str(f.outcome) == "unknown" for f in hits), (
                f"{policy_id} should be unknown on {path.name}"
            )
    else:
        assert not hits, f"{policy_id} should allow {path.name}: {hits[0].message}"


def test_every_bundled_policy_has_twin_cases_and_docs() -> None:
    catalog = load_catalog()
    assert len(catalog) >= 21
    docs = (ROOT / "docs" / "policies.md").read_text()
    for policy in catalog:
        assert policy.id in TWINS, f"{policy.id} has no Python twin"
        names = [p.name for p in (CASES_DIR / policy.id).glob("*")]
        assert any(n.startswith("deny_") for n in names), f"{policy.id} has no deny case"
        assert any(n.startswith("allow_") for n in names), f"{policy.id} has no allow case"
        assert f"### {policy.id}" in docs, f"{policy.id} is missing from docs/policies.md"
        assert policy.description and policy.remediation, (
            f"{policy.id} lacks description/remediation"
        )
    assert set(TWINS) <= set(catalog.policies), "a Python twin has no Rego policy"


def test_generated_policy_docs_are_current() -> None:
    expected = render_markdown(load_catalog())
    actual = (ROOT / "docs" / "policies.md").read_text()
    assert actual == expected, (
        "docs/policies.md is stale: run guardrails policies -f markdown -o docs/policies.md"
    )
