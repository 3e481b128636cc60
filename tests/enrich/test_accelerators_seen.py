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

#: (fixture, address) -> (GPU/accelerator count per replica, model, devices at desired scale,
#: monthly USD at desired scale, or None when it must be unpriced)
TERRAFORM: dict[tuple[str, str], tuple[float | None, str | None, float | None, float | None]] = {
    ("gke_default_pool", "google_container_cluster.t4_default"): (2, "T4", 4, 1022.0),
    ("gke_default_pool", "google_container_cluster.a2_default"): (1, "A100", 1, 2681.57),
    ("gke_default_pool", "google_container_cluster.inline_pools"): (1, "L4", 2, 1246.29),
    ("gke_default_pool", "google_container_node_pool.tpu_v5e"): (4, "TPU v5e", None, None),
    ("workbench", "google_workbench_instance.lab"): (2, "T4", 2, 511.0),
    # The a2 machine type carries the A100 its accelerator_configs names: counted once.
    ("workbench", "google_workbench_instance.a100_lab"): (1, "A100", 1, 2681.57),
    ("workbench", "google_notebooks_instance.legacy"): (1, "V100", 1, 1810.4),
    ("tpu", "google_tpu_v2_vm.v5e"): (16, "TPU v5e", None, None),
    ("tpu", "google_tpu_v2_vm.v4_config"): (8, "TPU v4", None, None),
    ("tpu", "google_tpu_node.legacy"): (4, "TPU v3", None, None),
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
    else:
        assert facts["gpu"]["total"]["desired"] == total
        assert facts["monthly_usd"]["desired"] == pytest.approx(monthly, rel=0.3)


@pytest.mark.parametrize(("case", "expected"), sorted(TERRAFORM.items()), ids=str)
def test_terraform_accelerators_are_seen(case: tuple[str, str], expected: tuple[Any, ...]) -> None:
    directory, address = case
    _check(_resource(str(ACC / "terraform-hcl" / directory), address), expected)


def test_removed_default_pool_runs_no_gpu() -> None:
    """remove_default_node_pool: the cluster's node_config provisions nothing that stays."""
    resource = _resource(
        str(ACC / "terraform-hcl" / "gke_default_pool"), "google_container_cluster.removed"
    )
    assert resource["facts"]["is_gpu"] is False
