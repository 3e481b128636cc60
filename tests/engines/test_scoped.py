"""Batched evaluation (guardrails.engines.scoped) gives the findings of the whole document.

Each bundled policy declares what it reads (METADATA ``custom.input``); the Rego engines then
evaluate ``resources`` policies on bounded batches of resources. With batches of ONE resource,
any policy that secretly reads a second resource (and does not declare it as an aggregate)
would lose or gain findings here, on real OPA and on regopy.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from guardrails.api import ScanOptions, build_input, scan
from guardrails.catalog import Catalog, load_catalog
from guardrails.config import load_config
from guardrails.engines import scoped
from guardrails.engines.rego import RegoEngine, backend_available
from guardrails.errors import ConfigError
from tests.conftest import FIXTURES
from tests.engines.test_parity import graphs
from tests.sweep import finding_rows

needs_opa = pytest.mark.skipif(
    not backend_available("opa"), reason="needs opa-golib-python-bindings (.ci/run installs it)"
)
DEFAULTS = load_config(None).for_policies()


@cache
def _engine(backend: str) -> RegoEngine:
    return RegoEngine(backend)  # one compiled engine for the module, as in a real run


def _whole_and_batched(
    engine: RegoEngine,
    doc: dict[str, Any],
    config: dict[str, Any],
    catalog: Catalog,
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[list[Any], list[Any]]:
    with monkeypatch.context() as patch:
        patch.setattr(scoped, "BATCH_BYTES", 1 << 40)
        whole = finding_rows(engine.evaluate(doc, config, catalog))
    with monkeypatch.context() as patch:
        patch.setattr(scoped, "BATCH_BYTES", 1)  # one resource per batch
        batched = finding_rows(engine.evaluate(doc, config, catalog))
    return whole, batched


def test_every_bundled_policy_declares_what_it_reads() -> None:
    """Undeclared policies get the whole document (correct, but unbounded memory)."""
    undeclared = [p.id for p in load_catalog() if p.input_scope == "graph"]
    assert undeclared == []


@needs_opa
@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(doc=graphs())
def test_batches_match_the_whole_document_on_random_graphs(
    doc: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    whole, batched = _whole_and_batched(_engine("opa"), doc, DEFAULTS, load_catalog(), monkeypatch)
    assert batched == whole


@pytest.mark.parametrize("backend", ["opa", "regopy"])
@pytest.mark.parametrize(
    "path",
    [
        "policies/GR-SEC-001/allow_bucket_with_public_access_block.json",
        "policies/GR-SEC-001/allow_gcs_all_users_blocked_by_prevention.tf",
        "policies/GR-COST-006/allow_gpu_notebook_with_culling_controller.yaml",
        "policies/GR-COST-006",
        "kubernetes",
    ],
)
def test_aggregates_are_merged_across_batches(
    backend: str, path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not backend_available(backend):
        pytest.skip(f"{backend} is not installed")
    doc = build_input([str(FIXTURES / path)], ScanOptions(no_config=True))
    assert len(doc["resources"]) > 1
    whole, batched = _whole_and_batched(
        _engine(backend), doc, DEFAULTS, load_catalog(), monkeypatch
    )
    assert batched == whole


@needs_opa
def test_an_undeclared_aggregate_would_change_findings(monkeypatch: pytest.MonkeyPatch) -> None:
    """The checks above can fail: without its aggregate, GR-SEC-001 in batches of one
    resource no longer sees that the bucket an allUsers grant names enforces public access
    prevention."""
    catalog = load_catalog()
    policy = catalog.policies["GR-SEC-001"]
    stripped = Catalog({**catalog.policies, policy.id: replace(policy, aggregates=())})
    path = FIXTURES / "policies/GR-SEC-001/allow_gcs_all_users_blocked_by_prevention.tf"
    doc = build_input([str(path)], ScanOptions(no_config=True))
    whole, batched = _whole_and_batched(_engine("opa"), doc, DEFAULTS, stripped, monkeypatch)
    assert len(batched) > len(whole)


@needs_opa
def test_undeclared_user_policies_see_the_whole_document(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "count.rego").write_text(
        "# METADATA\n# title: Too many resources\n# scope: package\n# custom:\n"
        "#   id: ACME-COUNT-001\n#   severity: low\npackage guardrails.policy.acme_count\n"
        "import rego.v1\n"
        'deny := [{"resource": "change", "message": "many"} | count(input.resources) > 3]\n'
    )
    catalog = load_catalog((tmp_path,))
    doc = build_input([str(FIXTURES / "kubernetes")], ScanOptions(no_config=True))
    whole, batched = _whole_and_batched(_engine("opa"), doc, DEFAULTS, catalog, monkeypatch)
    assert batched == whole
    assert any(pid == "ACME-COUNT-001" for pid, _ in batched)


def _policy(tmp_path: Path, custom: str) -> Path:
    (tmp_path / "p.rego").write_text(
        "# METADATA\n# title: T\n# scope: package\n# custom:\n#   id: ACME-X-001\n"
        f"#   severity: low\n{custom}package guardrails.policy.acme_x\nimport rego.v1\n"
        "deny := []\n"
    )
    return tmp_path


@pytest.mark.parametrize(
    ("custom", "message"),
    [
        ("#   input: everything\n", r"p\.rego: policy ACME-X-001 has custom.input 'everything'"),
        ("#   input: graph\n#   aggregates: {x: set}\n", r"needs custom.input: resources"),
        ("#   input: resources\n#   aggregates: {x: list}\n", r"aggregate x has kind 'list'"),
        ("#   input: resources\n#   aggregates: {deny: set}\n", r"'deny' is not a rule name"),
        ("#   input: resources\n#   aggregates: [x]\n", r"must map rule names to kinds"),
    ],
)
def test_wrong_scope_declarations_are_config_errors(
    tmp_path: Path, custom: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        load_catalog((_policy(tmp_path, custom),))


def test_declared_scopes_are_read() -> None:
    catalog = load_catalog()
    assert catalog.policies["GR-COST-007"].input_scope == "summary"
    assert catalog.policies["GR-SEC-001"].aggregates == (
        ("enforced_buckets", "set"),
        ("private_accounts", "set"),
    )
    modules = dict(scoped.wrapper_modules(scoped.plans(catalog)))
    assert len(modules) == 3  # GR-COST-006, GR-COST-009, GR-SEC-001
    assert any(
        "with data.guardrails.policy.gr_sec_001.enforced_buckets as v0" in t
        for t in modules.values()
    )


@pytest.mark.parametrize(
    ("custom", "count", "warned"),
    [
        ("", 1_001, True),
        ("", 1_000, False),  # fits in one batch: nothing to bound
        ("#   input: resources\n", 1_001, False),
    ],
)
def test_undeclared_user_policies_on_a_large_scan_are_warned(
    tmp_path: Path, custom: str, count: int, warned: bool
) -> None:
    (tmp_path / "policies").mkdir()
    policies = _policy(tmp_path / "policies", custom)
    manifest = tmp_path / "many.yaml"
    manifest.write_text(
        "".join(
            f"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{i}}}\n"
            for i in range(count)
        )
    )
    options = ScanOptions(no_config=True, engine="rego", policy_dirs=(policies,))
    warnings = [w for w in scan([str(manifest)], options).warnings if "custom.input" in w]
    assert bool(warnings) is warned
    if warned:
        assert warnings[0].startswith("ACME-X-001 declares no custom.input")
        assert f"all {count:,} resources" in warnings[0]
