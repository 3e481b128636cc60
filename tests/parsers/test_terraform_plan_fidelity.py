"""Plan fidelity (issue #8): AWS default_tags, GKE labels, fixed pools, module inputs."""

from __future__ import annotations

import json
from typing import Any

import pytest

from guardrails.api import ScanOptions, scan
from guardrails.parsers import parse_text


def plan(resource: dict[str, Any], provider_config: dict[str, Any] | None) -> str:
    address = f"{resource['type']}.{resource['name']}"
    doc: dict[str, Any] = {
        "format_version": "0.2",
        "terraform_version": "1.0.3",
        "resource_changes": [
            {
                "address": address,
                "mode": "managed",
                "type": resource["type"],
                "name": resource["name"],
                "provider_name": "registry.terraform.io/hashicorp/aws",
                "change": {
                    "actions": ["create"],
                    "before": None,
                    "after": resource["after"],
                    "after_unknown": resource.get("after_unknown", {}),
                },
            }
        ],
    }
    if provider_config is not None:
        doc["configuration"] = {"provider_config": provider_config, "root_module": {}}
    return json.dumps(doc)


VPC = {
    "type": "aws_vpc",
    "name": "main",
    "after": {"cidr_block": "10.0.0.0/16", "tags": {"team": "ml"}},
    "after_unknown": {"tags_all": True},
}
AWS = {"name": "aws", "expressions": {"region": {"constant_value": "us-east-1"}}}


@pytest.mark.parametrize(
    ("provider_config", "labels", "unknown"),
    [
        ({"aws": AWS}, {"team": "ml"}, False),  # no default_tags: tags_all is tags
        (
            {
                "aws": {
                    **AWS,
                    "expressions": {
                        "default_tags": [{"tags": {"constant_value": {"owner": "platform"}}}]
                    },
                }
            },
            {"team": "ml", "owner": "platform"},
            False,
        ),
        (
            {
                "aws": {
                    **AWS,
                    "expressions": {"default_tags": [{"tags": {"references": ["var.tags"]}}]},
                }
            },
            {"team": "ml"},
            True,
        ),
    ],
    ids=["no-default-tags", "literal-default-tags", "default-tags-from-a-variable"],
)
def test_tags_all_is_unknown_only_when_default_tags_is(
    provider_config: dict[str, Any], labels: dict[str, str], unknown: bool
) -> None:
    resource = parse_text("plan.json", plan(VPC, provider_config)).resources[0]
    assert dict(resource.labels) == labels
    assert ("tags_all" in resource.unknown) is unknown


def test_untagged_vpc_without_default_tags_is_a_failure_not_unknown(tmp_path: Any) -> None:
    untagged = {**VPC, "after": {"cidr_block": "10.0.0.0/16", "tags": None}}
    path = tmp_path / "plan.json"
    path.write_text(plan(untagged, {"aws": AWS}))
    report = scan([str(path)], ScanOptions(no_config=True, engine="python"))
    tag = [f for f in report.findings if f.policy == "GR-TAG-001"]
    assert tag and str(tag[0].outcome) == "fail"


POOL = {
    "type": "google_container_node_pool",
    "name": "gpu",
    "after": {
        "cluster": "ml",
        "location": "us-central1",
        "node_count": 2,
        "autoscaling": [],
        "node_config": [
            {
                "machine_type": "a2-highgpu-1g",
                "guest_accelerator": [{"type": "nvidia-tesla-a100", "count": 1}],
                "resource_labels": {"workload": "training", "team": "ml"},
                "labels": {"owner": "platform"},
            }
        ],
    },
}


def test_gke_pool_labels_come_from_node_config() -> None:
    resource = parse_text("plan.json", plan(POOL, None)).resources[0]
    assert resource.labels["workload"] == "training"
    assert resource.labels["owner"] == "platform"


def test_fixed_gke_pool_is_not_autoscaling(tmp_path: Any) -> None:
    path = tmp_path / "plan.json"
    path.write_text(plan(POOL, None))
    report = scan([str(path)], ScanOptions(no_config=True, engine="python"))
    policies = {f.policy for f in report.findings}
    assert "GR-TAG-003" not in policies
    assert not policies & {"GR-COST-004", "GR-COST-009"}  # no "max ∞" on a fixed pool
    facts = report.graph.resources[0].facts
    assert facts["replicas"] == {"desired": 2, "max": 2, "groups": 2}
    assert facts["autoscaling"]["enabled"] is False


def test_module_input_variables_are_followed_into_reference_edges() -> None:
    from guardrails.parsers import parse_paths
    from tests.conftest import FIXTURES

    graph = parse_paths([str(FIXTURES / "terraform-plan" / "gpu_training" / "plan.json")])
    edges = {(e.source.split("#")[1], str(e.kind), e.target.split("#")[1]) for e in graph.edges}
    # modules/gpu: ami = var.ami; the call passes ami = data.aws_ami.dlami.id
    assert ("module.gpu.aws_instance.trainer[0]", "references", "data.aws_ami.dlami") in edges
