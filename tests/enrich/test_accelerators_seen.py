"""Accelerators the engine did not see before issue #19, one fixture per shape.

Each row failed before the fix: the resource had ``is_gpu`` false, no GPU facts and $0.
``priced`` None means the accelerator is recognised but has no catalog price: it must be
unpriced (``price_unknown`` set, left out of the totals), never $0.
"""

from __future__ import annotations

from typing import Any

import pytest

from guardrails.api import build_input
from tests.conftest import FIXTURES

ACC = FIXTURES / "accelerators"
#: Expected monthly cost of TPU rows: per chip from the catalog when it has a row, else unpriced.
TPU = -2.0

#: (fixture, address) -> (GPU/accelerator count per replica, model, devices at desired scale,
#: monthly USD at desired scale, or None when it must be unpriced)
TERRAFORM: dict[tuple[str, str], tuple[float | None, str | None, float | None, float | None]] = {
    ("gke_default_pool", "google_container_cluster.t4_default"): (2, "T4", 4, 1022.0),
    ("gke_default_pool", "google_container_cluster.a2_default"): (1, "A100", 1, 2681.57),
    ("gke_default_pool", "google_container_cluster.inline_pools"): (1, "L4", 2, 1246.29),
    # 2 VMs x 4 v5e chips.
    ("gke_default_pool", "google_container_node_pool.tpu_v5e"): (4, "TPU v5e", 8, TPU),
    ("workbench", "google_workbench_instance.lab"): (2, "T4", 2, 511.0),
    # The a2 machine type carries the A100 its accelerator_configs names: counted once.
    ("workbench", "google_workbench_instance.a100_lab"): (1, "A100", 1, 2681.57),
    ("workbench", "google_notebooks_instance.legacy"): (1, "V100", 1, 1810.4),
    ("tpu", "google_tpu_v2_vm.v5e"): (16, "TPU v5e", 16, TPU),
    ("tpu", "google_tpu_v2_vm.v4_config"): (8, "TPU v4", 8, TPU),
    ("tpu", "google_tpu_node.legacy"): (4, "TPU v3", 4, TPU),
}

_cache: dict[str, dict[str, Any]] = {}


def _resource(path: str, address: str) -> dict[str, Any]:
    if path not in _cache:
        doc = build_input([path])
        _cache[path] = {r["address"]: r for r in doc["resources"]}
    return _cache[path][address]


def _check(resource: dict[str, Any], expected: tuple[Any, ...]) -> None:
    count, model, total, monthly = expected
    facts = resource["facts"]
    assert facts["is_gpu"] is True, resource["address"]
    assert facts["gpu"]["count"] == count
    assert facts["gpu"]["model"] == model
    if monthly is None:
        # Recognised without a price: unpriced and out of the totals, never $0.
        assert facts["priced"] is False and facts["monthly_usd"] is None
        assert facts["price_unknown"]["reason"]
    elif monthly == TPU:
        # TPU chips: unpriced until the catalog has a row, then priced per chip; never $0.
        if facts["priced"]:
            assert facts["monthly_usd"]["desired"] > 0
            assert facts["gpu"]["total"]["desired"] == total
        else:
            assert facts["price_unknown"]["reason"]
    else:
        assert facts["gpu"]["total"]["desired"] == total
        assert facts["monthly_usd"]["desired"] == pytest.approx(monthly, rel=0.3)


PLANS = FIXTURES / "terraform-parity" / "plans"


@pytest.mark.parametrize("source", ["hcl", "plan"])
@pytest.mark.parametrize(("case", "expected"), sorted(TERRAFORM.items()), ids=str)
def test_terraform_accelerators_are_seen(
    case: tuple[str, str], expected: tuple[Any, ...], source: str
) -> None:
    """The HCL fixture and the plan Terraform makes of it (tools/make_parity_plans.py)."""
    directory, address = case
    path = (
        ACC / "terraform-hcl" / directory
        if source == "hcl"
        else PLANS / f"accelerators_{directory}.json"
    )
    _check(_resource(str(path), address), expected)


def test_removed_default_pool_runs_no_gpu() -> None:
    """remove_default_node_pool: the cluster's node_config provisions nothing that stays."""
    resource = _resource(
        str(ACC / "terraform-hcl" / "gke_default_pool"), "google_container_cluster.removed"
    )
    assert resource["facts"]["is_gpu"] is False


#: (file, address) -> (accelerators per pod, model, devices at desired scale, monthly USD or
#: None when it must be unpriced). Prices at the assumed default rate are not asserted beyond
#: being non-zero: the catalog decides them.
KUBERNETES: dict[tuple[str, str], tuple[float | None, str | None, float | None, float | None]] = {
    # DRA: a claim template per pod, both containers sharing it: 3 pods x 2 GPUs.
    ("dra.yaml", "Deployment/ml/vllm-dra"): (2, "L4", 6, 2452.98),
    # One ResourceClaim shared by both Job pods: its 4 GPUs are counted once.
    ("dra.yaml", "Job/ml/shared-claim"): (4, None, 4, -1),
    # firstAvailable: the largest alternative.
    ("dra.yaml", "Pod/ml/first-available"): (8, None, 8, -1),
    # allocationMode All: a GPU workload whose device count is unknown.
    ("dra.yaml", "StatefulSet/ml/whole-node"): (None, None, None, None),
    ("other-accelerators.yaml", "Deployment/ml/tpu-serving"): (8, "TPU v5e", 16, -1),
    ("other-accelerators.yaml", "Job/ml/rocm-train"): (8, None, 8, -1),
    ("other-accelerators.yaml", "Deployment/ml/gaudi-tgi"): (2, None, 2, -1),
    ("other-accelerators.yaml", "Deployment/ml/neuron-serving"): (1, "Inferentia2", 2, -1),
    ("other-accelerators.yaml", "Deployment/ml/intel-gpu"): (1, None, 2, -1),
    # Pinned to GPU nodes without a request: GPU workloads of unknown cost, never $0.
    ("pinned.yaml", "Deployment/ml/pinned-p4d"): (None, "A100", None, None),
    ("pinned.yaml", "Deployment/ml/pinned-gke-l4"): (None, "L4", None, None),
    ("pinned.yaml", "Job/ml/pinned-karpenter-family"): (None, None, None, None),
    ("pinned.yaml", "Deployment/ml/pinned-azure"): (None, "A100", None, None),
    ("pinned.yaml", "Deployment/ml/pinned-gpu-present"): (None, None, None, None),
}


@pytest.mark.parametrize(("case", "expected"), sorted(KUBERNETES.items()), ids=str)
def test_kubernetes_accelerators_are_seen(case: tuple[str, str], expected: tuple[Any, ...]) -> None:
    name, address = case
    resource = _resource(str(ACC / "kubernetes" / name), address)
    count, model, total, monthly = expected
    if monthly == -1:  # priced, at whatever rate the catalog or the default gives
        facts = resource["facts"]
        assert facts["is_gpu"] is True and facts["gpu"]["count"] == count
        assert facts["gpu"]["model"] == model
        assert facts["gpu"]["total"]["desired"] == total
        assert facts["priced"] is True and facts["monthly_usd"]["desired"] > 0
        return
    _check(resource, expected)


@pytest.mark.parametrize(
    ("name", "address"),
    [
        ("pinned.yaml", "DaemonSet/gpu-operator/dcgm-exporter"),
        ("pinned.yaml", "Deployment/ml/cpu-pinned"),
        ("pinned.yaml", "Deployment/ml/gpu-or-cpu"),
    ],
)
def test_not_pinned_to_gpus(name: str, address: str) -> None:
    """A DaemonSet follows the GPU nodes that exist; a CPU instance type selects no GPU; a
    node selector term that admits CPU nodes beside a GPU one does not pin the pods."""
    facts = _resource(str(ACC / "kubernetes" / name), address)["facts"]
    assert facts["is_gpu"] is False and facts["accelerator_unknown"] is None
