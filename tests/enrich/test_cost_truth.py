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


def test_accelerators_without_a_catalog_price_are_assumed() -> None:
    facts = _facts()["gaudi-trainer"]
    assert facts["priced"] and facts["price_basis"] == "assumed"
    assert facts["price_assumption"] == {
        "usd_per_gpu_hour": 1.01,
        "display": "assumed $1.01/GPU-hour",
        "cloud": None,
        "sku": None,
        "reason": "no catalog price for this accelerator",
    }
    assert facts["gpu"]["model"] is None
    assert all(
        i["assumed"] and "default_gpu_hourly_usd" in i["source"] for i in facts["priced_items"]
    )


def test_tpu_chips_are_priced_per_chip_hour_on_gcp_with_spot() -> None:
    """TPU v5e was priced at the assumed $1.01/GPU-hour before the catalog had TPU rows; now
    GCP's per-chip list price (SkyPilot GCP catalog, us-central1) with its spot price."""
    facts = _facts()["tpu-v5e-serving"]
    assert facts["price_basis"] == "catalog" and facts["price_assumption"] is None
    assert facts["cloud"]["name"] == "gcp" and facts["gpu"]["model"] == "TPU v5e"
    (item,) = facts["priced_items"]
    assert item["usd_per_hour"] == pytest.approx(1.2) and item["count"] == 8
    assert "skypilot-catalog" in item["source"] and item["cloud"] == "gcp"
    # 2 replicas x 8 chips x $1.20 x 730 h; on spot at $0.2449/chip the saving is known.
    assert facts["monthly_usd"]["desired"] == pytest.approx(2 * 8 * 1.2 * 730)
    assert facts["spot_saving_monthly_display"] == "$11,155"


def test_a_gpu_whose_cloud_nothing_names_is_priced_on_an_assumed_cloud() -> None:
    facts = _facts()["mig-slices"]
    assert facts["price_basis"] == "assumed" and facts["cloud"] == {
        "name": None,
        "source": None,
        "assumed": "aws",
    }
    guess = facts["price_assumption"]
    assert guess["cloud"] == "aws" and guess["sku"] == "p4d.24xlarge"
    assert guess["display"] == (
        "assumed AWS price, p4d.24xlarge at $2.74/GPU-hour: nothing names the cloud"
    )


def test_time_sliced_gpu_is_unpriced_and_listed_never_zero() -> None:
    graph = enriched_graph([str(ACCELERATORS)], ScanOptions(no_config=True))
    shared = next(r for r in graph.resources if r.address.endswith("shared-gpu"))
    assert shared.facts and not shared.facts["priced"] and shared.facts["monthly_usd"] is None
    cost = graph.summary["cost"]
    assert cost["unpriced"] == 1 and cost["assumed"] == 2
    assert cost["unpriced_resources"][0]["address"] == shared.address
    assert cost["coverage_note"] == (
        "1 resource unpriced, not in the total; 1 resource priced at an assumed $1.01/GPU-hour; "
        "1 resource priced at an assumed cloud's list price, as nothing names the cloud: "
        "AWS p4d.24xlarge at $2.74/GPU-hour"
    )


_DEV_PODS = """apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, namespace: ml-dev, labels: {{environment: dev}}}}
spec:
  replicas: 1
  template:
    spec:
      nodeSelector: {{{selector}}}
      containers:
        - {{name: c, image: "x:1", resources: {{limits: {{{resource}: 8}}}}}}
"""


@pytest.mark.parametrize("engine", ["python", "rego"])
def test_cost_policies_say_assumed_and_are_unknown_for_unpriced(engine: str, tmp_path: Any) -> None:
    pods = tmp_path / "dev.yaml"
    pods.write_text(
        _DEV_PODS.format(name="gaudi", selector="team: ml", resource="habana.ai/gaudi")
        + "---\n"
        + _DEV_PODS.format(
            name="h100",
            selector="nvidia.com/gpu.product: NVIDIA-H100-80GB-HBM3",
            resource="nvidia.com/gpu",
        )
    )
    dev = scan([str(pods)], ScanOptions(no_config=True, engine=engine))
    over = {f.resource.rsplit("/", 1)[-1]: f for f in dev.findings if f.policy == "GR-COST-001"}
    assert over["gaudi"].outcome == Outcome.FAIL
    assert "$5,898/month at max scale (assumed $1.01/GPU-hour)" in over["gaudi"].message
    assert over["h100"].message.startswith(
        "costs $40,179/month at max scale (assumed AWS price, p5.48xlarge at $6.88/GPU-hour: "
        "nothing names the cloud), over the dev ceiling"
    )
    report = scan([str(ACCELERATORS)], ScanOptions(no_config=True, engine=engine))
    ceiling = {
        f.resource.rsplit("/", 1)[-1]: f for f in report.findings if f.policy == "GR-COST-001"
    }
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
