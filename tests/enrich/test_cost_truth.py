"""Cost never presents a guess as a fact: catalog prices name their row, defaults say "assumed",
resources that cannot be priced are listed and make the cost policies `unknown`, never $0."""

from __future__ import annotations

from typing import Any

import pytest

from guardrails.api import ScanOptions, enriched_graph, scan
from guardrails.model import Outcome
from tests.conftest import FIXTURES

ACCELERATORS = FIXTURES / "cost" / "accelerators.yaml"


def _facts() -> dict[str, dict[str, Any]]:
    graph = enriched_graph([str(ACCELERATORS)], ScanOptions(no_config=True))
    return {r.address.rsplit("/", 1)[-1]: dict(r.facts or {}) for r in graph.resources}


def test_catalog_prices_name_what_was_priced_with_source_and_date() -> None:
    facts = _facts()["inferentia-cores"]
    assert facts["price_basis"] == "catalog" and facts["price_assumption"] is None
    (item,) = facts["priced_items"]
    # Two NeuronCores are one Inferentia2 chip: the inf2.xlarge row, priced per chip.
    assert item["name"] == "aws.amazon.com/neuroncore on inf2.xlarge" and item["count"] == 1
    assert item["usd_per_hour"] == pytest.approx(0.7582)
    assert item["capacity"] == "on-demand" and not item["assumed"]
    assert "karpenter-provider-aws" in item["source"] and item["as_of"] == "2026-07-20"


def test_mig_slice_is_priced_as_a_fraction_of_its_gpu() -> None:
    facts = _facts()["mig-slices"]
    assert facts["gpu"]["model"] == "A100"
    assert facts["gpu"]["count"] == pytest.approx(1 / 7, abs=1e-4)
    (item,) = facts["priced_items"]
    assert item["name"] == "nvidia.com/mig-1g.5gb" and item["source"].startswith("p4d")
    # Seven replicas of a 1/7 slice cost one A100.
    assert facts["hourly_usd"]["desired"] == pytest.approx(item["usd_per_hour"], abs=0.01)


@pytest.mark.parametrize(
    ("name", "model"), [("tpu-v5e-serving", "TPU v5e"), ("gaudi-trainer", None)]
)
def test_accelerators_without_a_catalog_price_are_assumed(name: str, model: str | None) -> None:
    facts = _facts()[name]
    assert facts["priced"] and facts["price_basis"] == "assumed"
    assert facts["price_assumption"] == {
        "usd_per_gpu_hour": 1.01,
        "display": "assumed $1.01/GPU-hour",
    }
    assert facts["gpu"]["model"] == model
    assert all(
        i["assumed"] and "default_gpu_hourly_usd" in i["source"] for i in facts["priced_items"]
    )


def test_time_sliced_gpu_is_unpriced_and_listed_never_zero() -> None:
    graph = enriched_graph([str(ACCELERATORS)], ScanOptions(no_config=True))
    shared = next(r for r in graph.resources if r.address.endswith("shared-gpu"))
    assert shared.facts and not shared.facts["priced"] and shared.facts["monthly_usd"] is None
    cost = graph.summary["cost"]
    assert cost["unpriced"] == 1 and cost["assumed"] == 2
    assert cost["unpriced_resources"][0]["address"] == shared.address
    assert cost["coverage_note"] == (
        "1 resource unpriced, not in the total; 2 resources priced at an assumed $1.01/GPU-hour"
    )


@pytest.mark.parametrize("engine", ["python", "rego"])
def test_cost_policies_say_assumed_and_are_unknown_for_unpriced(engine: str) -> None:
    report = scan([str(ACCELERATORS)], ScanOptions(no_config=True, engine=engine))
    ceiling = {
        f.resource.rsplit("/", 1)[-1]: f for f in report.findings if f.policy == "GR-COST-001"
    }
    assert "(assumed $1.01/GPU-hour)" in ceiling["tpu-v5e-serving"].message
    assert ceiling["tpu-v5e-serving"].outcome == Outcome.FAIL
    unknown = ceiling["shared-gpu"]
    assert unknown.outcome == Outcome.UNKNOWN and "cannot be checked" in unknown.message
    assert "$0" not in unknown.message
    delta = next(f for f in report.findings if f.policy == "GR-COST-002")
    assert delta.outcome == Outcome.UNKNOWN
    assert "unpriced GPU resources are not in the total: Deployment/ml-prod/shared-gpu" in (
        delta.message
    )
    # Cost unknowns say why: unpriced, never "unknown until apply" (apply won't price them).
    assert delta.unknown_label == unknown.unknown_label == "unpriced"
    assert "Deployment/ml-prod/shared-gpu" in delta.message


UNEXPANDED = FIXTURES / "policies" / "GR-INPUT-001" / "deny_registry_module_not_installed.tf"


def test_unexpanded_module_makes_the_cost_total_partial_never_a_bare_zero(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from guardrails.cli import main

    cost = enriched_graph([str(UNEXPANDED)], ScanOptions(no_config=True)).summary["cost"]
    assert cost["partial"] is True and cost["unevaluated"] == 1
    assert cost["unevaluated_resources"][0]["reason"] == "module not expanded"
    assert cost["coverage_note"] == (
        "1 module not expanded, so its resources are not in the total: module.eks"
    )
    main(["cost", str(UNEXPANDED)])
    text = " ".join(capsys.readouterr().out.split())
    assert "Monthly GPU cost (partial) $0 → $0 (+$0/month for what could be priced)" in text
    assert "module.eks" in text and "No GPU resources found in what could be read" in text
    main(["cost", str(UNEXPANDED), "--format", "markdown"])
    assert "### GPU cost: +$0/month (partial)" in capsys.readouterr().out


def test_fully_priced_total_is_not_partial() -> None:
    plan = FIXTURES / "terraform-plan" / "gpu_training" / "plan.json"
    cost = enriched_graph([str(plan)], ScanOptions(no_config=True)).summary["cost"]
    assert cost["partial"] is False and cost["unevaluated"] == 0


@pytest.mark.parametrize("engine", ["python", "rego"])
def test_unknown_labels_name_the_real_reason(engine: str) -> None:
    report = scan([str(UNEXPANDED)], ScanOptions(no_config=True, engine=engine))
    (module,) = [f for f in report.findings if f.policy == "GR-INPUT-001"]
    assert module.unknown_label == "module not expanded"
    until_apply = FIXTURES / "policies" / "GR-COST-004" / "deny_asg_max_unknown_until_apply.json"
    report = scan([str(until_apply)], ScanOptions(no_config=True, engine=engine))
    (asg,) = [f for f in report.findings if f.policy == "GR-COST-004"]
    assert asg.unknown_label == "unknown until apply"


def test_gaudi_on_dl1_is_priced_from_the_catalog_with_source_and_date(tmp_path: Any) -> None:
    """dl1.24xlarge (8 Gaudi) has a dated public price: Gaudi pods on it are not assumed."""
    manifest = tmp_path / "gaudi.yaml"
    manifest.write_text(
        "apiVersion: batch/v1\nkind: Job\nmetadata: {name: gaudi-train, namespace: ml}\n"
        "spec:\n  template:\n    spec:\n"
        "      nodeSelector: {node.kubernetes.io/instance-type: dl1.24xlarge}\n"
        "      restartPolicy: Never\n      containers:\n        - name: train\n"
        "          image: vault.habana.ai/gaudi-docker/1.18.0/pytorch:1.18.0\n"
        "          resources: {limits: {habana.ai/gaudi: 8}}\n"
    )
    graph = enriched_graph([str(manifest)], ScanOptions(no_config=True))
    facts = next(r.facts for r in graph.resources if r.type == "Job")
    assert facts["price_basis"] == "catalog" and facts["price_assumption"] is None
    (item,) = facts["priced_items"]
    assert item["usd_per_hour"] == pytest.approx(13.10904 / 8, abs=1e-4) and item["count"] == 8
    assert "karpenter-provider-aws" in item["source"] and item["as_of"] == "2026-07-20"
    assert facts["gpu"]["model"] == "Gaudi"
