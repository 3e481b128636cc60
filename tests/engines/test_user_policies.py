"""User Rego policies (--policy-dir): same finding shape, every Rego engine, OPA and bundles."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from guardrails.api import ScanOptions, build_input, scan
from guardrails.catalog import load_catalog
from guardrails.config import DEFAULTS, load_config
from guardrails.engines.bundle import read_bundle, write_bundle
from guardrails.engines.rego import RegoEngine, backend_available
from guardrails.errors import ConfigError, EngineError
from tests.conftest import FIXTURES
from tests.engines.opa_server import OpaTestServer

USER = FIXTURES / "user-policies"
NOTEBOOK = str(USER / "notebook-with-four-gpus.yaml")
SMALL_NOTEBOOK = str(FIXTURES / "kubernetes" / "ai-crds.yaml")


def user_findings(paths: list[str], **options: object) -> list[tuple[str, str, str, str]]:
    report = scan(paths, ScanOptions(no_config=True, policy_dirs=(USER,), **options))  # type: ignore[arg-type]
    return [
        (f.policy, f.resource, str(f.severity), f.message)
        for f in report.findings
        if f.policy.startswith("ACME-")
    ]


def test_user_policy_is_in_the_catalog() -> None:
    catalog = load_catalog((USER,))
    policy = catalog.policies["ACME-GPU-001"]
    assert not policy.bundled and policy.category == "cost" and policy.remediation
    assert len(catalog) == len(load_catalog()) + 1


@pytest.mark.parametrize("backend", ["opa", "regopy"])
def test_user_policy_runs_on_every_rego_engine(backend: str) -> None:
    if not backend_available(backend):
        pytest.skip(f"{backend} is not installed")
    catalog = load_catalog((USER,))
    config = load_config(None).for_policies()
    engine = RegoEngine(backend)
    for path, expected in [
        (NOTEBOOK, [("Notebook/ml-dev/big", "Notebook/ml-dev/big is a notebook with 4 GPUs")]),
        (SMALL_NOTEBOOK, []),
    ]:
        doc = build_input([path], ScanOptions(no_config=True))
        raw = engine.evaluate(doc, config, catalog)["ACME-GPU-001"]
        by_id = {r["id"]: r["address"] for r in doc["resources"]}
        assert sorted((by_id[f["resource"]], f["message"]) for f in raw) == expected


def test_user_policy_finding_has_the_full_shape() -> None:
    assert user_findings([NOTEBOOK]) == [
        (
            "ACME-GPU-001",
            "Notebook/ml-dev/big",
            "medium",
            "Notebook/ml-dev/big is a notebook with 4 GPUs",
        )
    ]


def test_user_policy_through_a_remote_opa_server() -> None:
    with OpaTestServer() as server:
        remote = user_findings([NOTEBOOK], engine="opa", opa_url=server.url)
    assert remote == user_findings([NOTEBOOK], engine="rego")
    assert remote


def test_python_engine_says_it_skipped_user_policies() -> None:
    report = scan([NOTEBOOK], ScanOptions(no_config=True, policy_dirs=(USER,), engine="python"))
    assert not any(f.policy.startswith("ACME-") for f in report.findings)
    assert any("user Rego policies need a Rego engine" in w for w in report.warnings)


def test_bundle_carries_user_policies(tmp_path: Path) -> None:
    out = tmp_path / "bundle.tar.gz"
    config = {k: v for k, v in DEFAULTS.items() if k != "waivers"}
    write_bundle(load_catalog((USER,)), config, out)
    assert any(name.endswith("notebook_gpus.rego") for name in read_bundle(out))


def test_policy_without_an_id_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "bad.rego").write_text(
        "# METADATA\n# title: x\n# scope: package\npackage guardrails.policy.bad\n"
        "import rego.v1\ndeny := []\n"
    )
    with pytest.raises(ConfigError, match=r"bad\.rego"):
        load_catalog((tmp_path,))


@pytest.mark.parametrize("backend", ["opa", "regopy"])
def test_the_bounded_child_process_matches_in_process(backend: str) -> None:
    if not backend_available(backend):
        pytest.skip(f"{backend} is not installed")
    from guardrails.engines import scoped
    from guardrails.engines.embedded import evaluate_on
    from guardrails.engines.rego import policy_data, policy_sources
    from guardrails.engines.sandbox import UserPolicyLimits, evaluate_isolated

    catalog = load_catalog((USER,))
    config = load_config(None).for_policies()
    doc = build_input([str(FIXTURES / "kubernetes"), NOTEBOOK], ScanOptions(no_config=True))
    plans = scoped.plans(catalog)
    sources = policy_sources(catalog) + scoped.wrapper_modules(plans)
    labels = {p.rule_key: p.id for p in catalog}
    args = (sources, policy_data(config), doc, plans, labels)
    child = evaluate_isolated(backend, *args, UserPolicyLimits(), ["notebook_gpus.rego"])
    assert child == evaluate_on(backend, *args)
    assert child["acme_gpu_001"]["deny"] and len(child) > 5


def test_a_crashing_regopy_child_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """regopy 1.5.2 segfaults on some valid policies: the CLI must survive and say so."""
    if not backend_available("regopy"):
        pytest.skip("regopy is not installed")
    crash = "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)"
    monkeypatch.setattr("guardrails.engines.sandbox.CHILD_COMMAND", [sys.executable, "-c", crash])
    monkeypatch.setenv("GUARDRAILS_REGO_BACKEND", "regopy")
    options = ScanOptions(no_config=True, policy_dirs=(USER,), engine="rego")
    with pytest.raises(EngineError, match=r"notebook_gpus\.rego: .*regopy\) crashed \(SIGSEGV\)"):
        scan([NOTEBOOK], options)


def test_auto_runs_bundled_policies_on_the_twins_and_user_policies_on_rego() -> None:
    if not any(backend_available(b) for b in ("opa", "regopy")):
        pytest.skip("no embedded Rego engine installed")
    options = ScanOptions(no_config=True, policy_dirs=(USER,))
    report = scan([NOTEBOOK], options)
    assert report.engine.startswith("python+rego/")
    rego = scan([NOTEBOOK], ScanOptions(no_config=True, policy_dirs=(USER,), engine="rego"))
    assert sorted(f.fingerprint for f in report.findings) == sorted(
        f.fingerprint for f in rego.findings
    )
    assert any(f.policy == "ACME-GPU-001" for f in report.findings)
