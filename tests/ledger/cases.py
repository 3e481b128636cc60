"""Base/head pairs for the ledger, one per input format, written as data."""

from __future__ import annotations

import json
from typing import Any


def plan(changes: list[dict[str, Any]]) -> str:
    return json.dumps({"format_version": "1.2", "resource_changes": changes})


def plan_change(address: str, actions: list[str], before: Any, after: Any) -> dict[str, Any]:
    kind, name = address.split(".")
    return {
        "address": address,
        "mode": "managed",
        "type": kind,
        "name": name,
        "provider_name": "registry.terraform.io/hashicorp/aws",
        "change": {"actions": actions, "before": before, "after": after, "after_unknown": {}},
    }


def node_group(max_size: int) -> dict[str, Any]:
    return {
        "instance_types": ["p4d.24xlarge"],
        "capacity_type": "ON_DEMAND",
        "scaling_config": [{"desired_size": 1, "max_size": max_size, "min_size": 0}],
        "tags": {"environment": "dev"},
    }


SMALL = {"instance_type": "g5.xlarge", "tags": {"environment": "dev"}}

#: One plan is its own base: the node group doubles (escalated), one instance goes (fixed),
#: one comes (new), one stays as it is (unchanged).
PLAN = plan(
    [
        plan_change("aws_eks_node_group.gpu", ["update"], node_group(2), node_group(4)),
        plan_change("aws_instance.old", ["delete"], SMALL, None),
        plan_change("aws_instance.new", ["create"], None, SMALL),
        plan_change("aws_instance.same", ["no-op"], SMALL, SMALL),
    ]
)


def hcl(*blocks: tuple[str, str]) -> str:
    return "".join(
        f'resource "aws_instance" "{name}" {{\n  instance_type = "{kind}"\n'
        '  tags = { environment = "dev" }\n}\n'
        for name, kind in blocks
    )


def pulumi(*instances: tuple[str, str]) -> str:
    steps = [
        {
            "op": "create",
            "urn": f"urn:pulumi:dev::lab::aws:ec2/instance:Instance::{name}",
            "newState": {
                "urn": f"urn:pulumi:dev::lab::aws:ec2/instance:Instance::{name}",
                "custom": True,
                "type": "aws:ec2/instance:Instance",
                "inputs": {"instanceType": kind, "tags": {"environment": "dev"}},
            },
        }
        for name, kind in instances
    ]
    return json.dumps({"steps": steps})


def deployment(name: str, replicas: int, gpus: int = 8, privileged: bool = False) -> str:
    """A Deployment on p4d nodes with ``gpus`` GPUs per pod (0: a CPU Deployment)."""
    security = "\n        securityContext: {privileged: true}" if privileged else ""
    if not gpus:
        return _CPU.format(name=name, replicas=replicas, security=security)
    return f"""---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, namespace: ml-dev, labels: {{environment: dev}}}}
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
      nodeSelector: {{node.kubernetes.io/instance-type: p4d.24xlarge}}
      containers:
      - name: server
        image: vllm/vllm-openai:v0.6.0
        resources: {{limits: {{nvidia.com/gpu: {gpus}}}}}{security}
"""


_CPU = """---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, namespace: ml-dev, labels: {{environment: dev, workload: inference}}}}
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
      containers:
      - name: web
        image: nginx:1.25{security}
"""
