"""Every policy, table-driven: its deny cases raise it and its allow cases don't, on every engine.

Cases are data: ``fixtures/policies/<POLICY-ID>/{allow,deny}_*.{yaml,json,tf}`` (real inputs in
any supported format) with an optional ``config.yaml`` (a .guardrails.yaml for that policy):
the layout ``guardrails test`` reads (guardrails/policytest/cases.py), judged by the harness
itself, so the harness users run is proven on every bundled policy.
"""

from __future__ import annotations

import pytest

from guardrails.catalog import load_catalog
from guardrails.catalog.docs import render_markdown
from guardrails.engines.python import TWINS
from guardrails.policytest.cases import Case, find_cases
from guardrails.policytest.harness import EngineChoice, run_case
from guardrails.policytest.results import Status
from tests.conftest import FIXTURES, ROOT
from tests.sweep import Sweep

CASES_DIR = FIXTURES / "policies"


CASES = find_cases(CASES_DIR)
DEFAULT = EngineChoice("default", "auto", None)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_policy_case(case: Case, sweep: Sweep) -> None:
    """The case through ``api.scan`` as ``guardrails test`` runs it, on the default engine
    (memoised by the sweep). The Rego engines give the same findings on the same input:
    tests/engines/test_parity.py's sweep proves it."""
    result = run_case(case, DEFAULT, lambda c, _: sweep.scan(c.path, c.config))
    assert result.status == Status.PASS, (
        f"{case.name}: {result.detail} (expected {result.expected}, actual {result.actual})"
    )
    if case.verdict == "deny":
        report = sweep.scan(case.path, case.config)
        for f in (f for f in report.findings if f.policy == case.policy):
            assert f.message and f.title and f.remediation and f.category
            assert f.location is not None or f.resource == "change"


def test_every_bundled_policy_has_twin_cases_and_docs() -> None:
    catalog = load_catalog()
    assert len(catalog) >= 21
    docs = (ROOT / "docs" / "policies.md").read_text()
    for policy in catalog:
        assert policy.id in TWINS, f"{policy.id} has no Python twin"
        verdicts = {c.verdict for c in CASES if c.policy == policy.id}
        assert verdicts == {"allow", "deny"}, f"{policy.id} lacks an allow or a deny case"
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


def test_each_twin_lives_in_the_module_named_for_its_policy_folder() -> None:
    """policies/<category>/x.rego has its twin in guardrails.engines.python.<category> (a module,
    or a package and its modules), so the twin is found where the Rego is."""
    misplaced = []
    for policy in load_catalog():
        folder = policy.file.parent.name
        module = TWINS[policy.id].__module__
        expected = f"guardrails.engines.python.{folder}"
        if module != expected and not module.startswith(f"{expected}."):
            misplaced.append(f"{policy.id}: {module}, not {expected}")
    assert not misplaced, "\n".join(misplaced)
