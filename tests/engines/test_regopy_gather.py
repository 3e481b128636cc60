"""regopy evaluates every rule a batch needs in one query, and still names a failing policy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from guardrails.catalog import Catalog, load_catalog
from guardrails.engines import scoped
from guardrails.engines.embedded import evaluate_on
from guardrails.engines.rego import backend_available, policy_data
from guardrails.errors import EngineError
from tests.sweep import Sweep, engines, finding_rows

pytestmark = pytest.mark.skipif(not backend_available("regopy"), reason="regopy not installed")
CASE = "fixtures/policies/GR-SEC-001/allow_gcs_all_users_blocked_by_prevention.tf"


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How often regopy is given an input and asked a query."""
    from regopy import Interpreter

    seen = {"inputs": 0, "queries": 0}
    set_input, query = Interpreter.set_input_term, Interpreter.query_bundle_entrypoint

    def counted_input(self: Any, term: str) -> Any:
        seen["inputs"] += 1
        return set_input(self, term)

    def counted_query(self: Any, bundle: Any, entrypoint: str) -> Any:
        seen["queries"] += 1
        return query(self, bundle, entrypoint)

    monkeypatch.setattr(Interpreter, "set_input_term", counted_input)
    monkeypatch.setattr(Interpreter, "query_bundle_entrypoint", counted_query)
    return seen


@pytest.mark.parametrize("batch_bytes", [1 << 40, 1])  # whole; one resource per batch
def test_one_query_per_batch(
    batch_bytes: int, calls: dict[str, int], sweep: Sweep, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each input handed to regopy (the whole document, the summary, each batch for the
    aggregates and for deny) is asked ONE query, not one per policy (~40)."""
    catalog, defaults, opa, regopy, _ = engines()
    doc, config = sweep.input(CASE)
    monkeypatch.setattr(scoped, "BATCH_BYTES", batch_bytes)
    found = regopy.evaluate(doc, config or defaults, catalog)
    assert calls["inputs"] >= (1 if batch_bytes > 1 else 2 * len(doc["resources"]))
    assert calls["queries"] == calls["inputs"]
    assert finding_rows(found) == finding_rows(opa.evaluate(doc, config or defaults, catalog))


def _policy(directory: Path, name: str, deny: str) -> None:
    (directory / f"{name}.rego").write_text(
        f"# METADATA\n# title: T\n# scope: package\n# custom:\n#   id: ACME-{name.upper()}-001\n"
        f"#   severity: low\n#   input: resources\npackage guardrails.policy.acme_{name}\n"
        f"import rego.v1\n{deny}\n"
    )


@pytest.mark.parametrize("batch_bytes", [1 << 40, 1])
def test_an_error_names_the_policy_that_raised_it(
    tmp_path: Path, sweep: Sweep, monkeypatch: pytest.MonkeyPatch, batch_bytes: int
) -> None:
    """A runtime error fails the whole gather query: the rules are then asked one by one, so
    the error names the failing policy (not its neighbours in the query)."""
    _policy(
        tmp_path, "fine", 'deny := [{"resource": r.id, "message": "x"} | some r in input.resources]'
    )
    # Two complete definitions with different values: OPA's and regopy's conflict error.
    _policy(tmp_path, "broken", "deny := [] if true\ndeny := [1] if count(input.resources) > 0")
    catalog = load_catalog((tmp_path,))
    user = Catalog({k: p for k, p in catalog.policies.items() if not p.bundled})
    plans = scoped.plans(user)
    sources = [(str(p.file), p.file.read_text()) for p in user] + scoped.wrapper_modules(plans)
    labels = {p.rule_key: f"{p.file}: {p.id}" for p in user}
    doc, _ = sweep.input(CASE)
    monkeypatch.setattr(scoped, "BATCH_BYTES", batch_bytes)
    with pytest.raises(EngineError) as raised:
        evaluate_on("regopy", sources, policy_data({}), doc, plans, labels)
    message = str(raised.value)
    assert "Rego evaluation failed" in message and "ACME-BROKEN-001" in message, message
    assert "ACME-FINE-001" not in message, message
