"""A GPU workload on a GPU node group of the same scan is counted once (enrich.placement).

Each case scans an EKS node group (p4d.24xlarge: 8 GPUs a node, 1 desired, 2 at most) with one
Kubernetes Job and checks the workload's placement, the change total and the budget pool.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from guardrails.api import ScanOptions, build_input

NODE_GROUP = "aws_eks_node_group.research"
GROUP_AFTER = {
    "cluster_name": "ml",
    "node_group_name": "research-a100",
    "instance_types": ["p4d.24xlarge"],
    "capacity_type": "ON_DEMAND",
    "labels": {"pool": "a100-research"},
    "scaling_config": [{"desired_size": 1, "min_size": 0, "max_size": 2}],
    "tags": {"team": "research"},
}
P4D_NODE = 16029.08  # p4d.24xlarge, 730 h on demand


def _plan(path: Path) -> None:
    change = {
        "address": NODE_GROUP,
        "mode": "managed",
        "type": "aws_eks_node_group",
        "name": "research",
        "provider_name": "registry.terraform.io/hashicorp/aws",
        "change": {"actions": ["create"], "before": None, "after": GROUP_AFTER},
    }
    path.write_text(json.dumps({"format_version": "1.2", "resource_changes": [change]}))


def _job(path: Path, pod: dict[str, Any], parallelism: int) -> None:
    container = {"name": "main", "image": "ghcr.io/acme/job:1.0", "resources": {}}
    container["resources"] = {"limits": {"nvidia.com/gpu": 8}}
    job = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "train", "namespace": "research", "labels": {"team": "research"}},
        "spec": {
            "parallelism": parallelism,
            "template": {"spec": {"restartPolicy": "Never", "containers": [container], **pod}},
        },
    }
    path.write_text(json.dumps(job))


def _affinity(key: str, values: list[str]) -> dict[str, Any]:
    term = {"matchExpressions": [{"key": key, "operator": "In", "values": values}]}
    required = {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [term]}}
    return {"affinity": {"nodeAffinity": required}}


CASES = [
    # (id, pod spec fields, pods of 8 GPUs, placement status, link, scale-up nodes counted)
    (
        "by node group name, fits the desired node",
        {"nodeSelector": {"eks.amazonaws.com/nodegroup": "research-a100"}},
        1,
        "on_node_group",
        "name",
        0,
    ),
    (
        "by the group's own label, scales to 2 nodes",
        {"nodeSelector": {"pool": "a100-research"}},
        2,
        "on_node_group",
        "name",
        1,
    ),
    (
        "by name, more pods than the group's max",
        {"nodeSelector": {"eks.amazonaws.com/nodegroup": "research-a100"}},
        3,
        "on_node_group",
        "name",
        1,
    ),
    (
        "by hardware through node affinity",
        _affinity("node.kubernetes.io/instance-type", ["p4d.24xlarge", "p5.48xlarge"]),
        2,
        "on_node_group",
        "hardware",
        1,
    ),
    # Nodes are the spend: a GPU pod with no selector lands on the scan's GPU nodes (before:
    # counted on both, +100 % here; +66 % on an L4 pool of 3 with a 2-GPU Deployment).
    ("no selector: on the GPU nodes of the scan", {}, 1, "on_node_group", "any", 0),
    ("no selector, scales the group up", {}, 2, "on_node_group", "any", 1),
    ("no selector, more GPUs than the group can ever hold", {}, 3, "possible_overlap", None, None),
    (
        "by hardware, more GPUs than the group can ever hold",
        {"nodeSelector": {"node.kubernetes.io/instance-type": "p4d.24xlarge"}},
        3,
        "possible_overlap",
        None,
        None,
    ),
    (
        "other hardware: cannot run on the group",
        {"nodeSelector": {"node.kubernetes.io/instance-type": "g5.48xlarge"}},
        1,
        None,
        None,
        None,
    ),
]


@pytest.mark.parametrize(
    ("pod", "pods", "status", "link", "scale_up"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_each_gpu_is_counted_once_where_the_link_is_known(
    tmp_path: Path,
    pod: dict[str, Any],
    pods: int,
    status: str | None,
    link: str | None,
    scale_up: int | None,
) -> None:
    _plan(tmp_path / "group.plan.json")
    _job(tmp_path / "job.yaml", pod, pods)
    budgets = tmp_path / "budgets.yaml"
    budgets.write_text("budgets: {team: {research: 100000}}\n")
    doc = build_input([str(tmp_path)], ScanOptions(config_path=budgets))
    by_address = {r["address"]: r for r in doc["resources"]}
    job = by_address["Job/research/train"]["facts"]
    group = by_address[NODE_GROUP]["facts"]
    assert group["monthly_usd"]["desired"] == P4D_NODE
    placement = job["placement"]
    cost = doc["summary"]["cost"]
    (pool,) = doc["summary"]["budgets"]["pools"]
    if status is None:
        assert placement is None
        assert cost["monthly_usd_after"] == round(P4D_NODE + job["monthly_usd"]["desired"], 2)
        assert cost["possible_overlap"] == [] and pool["caveats_display"] == ""
        return
    assert placement["status"] == status and placement["node_groups"][0]["address"] == NODE_GROUP
    if status == "possible_overlap":
        # Both are counted, and every view says the GPUs may be counted twice.
        assert cost["monthly_usd_after"] == round(P4D_NODE + job["monthly_usd"]["desired"], 2)
        assert [o["address"] for o in cost["possible_overlap"]] == ["Job/research/train"]
        assert "possibly twice" in cost["coverage_note"]
        assert "possibly twice" in pool["caveats_display"] and placement["reason"]
        return
    assert placement["link"] == link and placement["via"]
    assert scale_up is not None
    assert placement["monthly_usd_counted"] == round(P4D_NODE * scale_up, 2)
    assert cost["monthly_usd_after"] == round(P4D_NODE * (1 + scale_up), 2)
    assert pool["monthly_usd_after"] == cost["monthly_usd_after"]
    assert pool["gpus"] == 8 * (1 + scale_up)
    assert [c["address"] for c in cost["counted_on_node_groups"]] == ["Job/research/train"]
    assert "counted once" in cost["coverage_note"] and "counted once" in pool["caveats_display"]


def test_workloads_sharing_a_node_group_share_its_scale_up(tmp_path: Path) -> None:
    _plan(tmp_path / "group.plan.json")
    selector = {"nodeSelector": {"eks.amazonaws.com/nodegroup": "research-a100"}}
    _job(tmp_path / "a.yaml", selector, 1)
    second = tmp_path / "b.yaml"
    _job(second, selector, 1)
    second.write_text(second.read_text().replace('"train"', '"eval"'))
    doc = build_input([str(tmp_path)], ScanOptions(no_config=True))
    counted = sorted(
        r["facts"]["placement"]["monthly_usd_counted"]
        for r in doc["resources"]
        if r["type"] == "Job"
    )
    # Two 8-GPU jobs on a group of one desired 8-GPU node: one more node, shared half and half.
    assert counted == [round(P4D_NODE / 2, 2)] * 2
    assert doc["summary"]["cost"]["monthly_usd_after"] == round(P4D_NODE * 2, 2)


def test_resources_without_gpus_change_no_placement(tmp_path: Path) -> None:
    """Placement reads only the scan's GPU resources: others in between change nothing."""
    pod = _affinity("node.kubernetes.io/instance-type", ["p4d.24xlarge"])
    _plan(tmp_path / "group.plan.json")
    _job(tmp_path / "job.yaml", pod, 2)
    alone = build_input([str(tmp_path)])
    other = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "x"}}
    (tmp_path / "a-config.yaml").write_text(json.dumps(other))
    (tmp_path / "z-config.yaml").write_text(json.dumps({**other, "metadata": {"name": "d"}}))
    mixed = build_input([str(tmp_path)])
    assert len(mixed["resources"]) == len(alone["resources"]) + 2
    placed = {r["address"]: r["facts"]["placement"] for r in alone["resources"]}
    assert placed["Job/research/train"]["status"] == "on_node_group"
    for r in mixed["resources"]:
        assert r["facts"]["placement"] == placed.get(r["address"])
    assert mixed["summary"]["cost"] == alone["summary"]["cost"]
