"""Seeded generators of realistic inputs for the end-to-end benchmark.

Every generator takes ``n`` (resources or objects) and a ``seed``; the same pair always gives
byte-identical output. The mix mirrors an AI platform team's change: GPU and non-GPU compute,
spot and on-demand pools, tags present and missing, buckets, security groups, databases and IAM,
grouped into modules (Terraform), component resources (Pulumi) or namespaces (Kubernetes).

    python -m testing.generate terraform 10000 -o plan.json [--seed 11]
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

GPU_AWS = ["p4d.24xlarge", "p5.48xlarge", "g5.xlarge", "g5.12xlarge", "g6.2xlarge", "g4dn.xlarge"]
CPU_AWS = ["t3.medium", "m6i.large", "c6i.2xlarge", "r6i.xlarge"]
GPU_GCP = [("nvidia-tesla-a100", "a2-highgpu-1g"), ("nvidia-l4", "g2-standard-8")]
ENVS = ["dev", "staging", "prod"]
WORKLOADS = ["training", "inference", "notebook", "batch"]
#: Resources per Terraform module / Pulumi component / Kubernetes namespace.
GROUP = 10


def _tags(rng: random.Random, team: int) -> dict[str, str]:
    """Cost tags, sometimes incomplete (the tagging policies have work to do)."""
    tags = {
        "owner": f"team-{team}",
        "environment": rng.choice(ENVS),
        "workload": rng.choice(WORKLOADS),
        "cost-center": f"cc-{team % 40}",
    }
    for key in list(tags):
        if rng.random() < 0.12:
            del tags[key]
    return tags


def _aws_instance(rng: random.Random, team: int) -> dict[str, Any]:
    gpu = rng.random() < 0.5
    after: dict[str, Any] = {
        "instance_type": rng.choice(GPU_AWS if gpu else CPU_AWS),
        "ami": "ami-0c55b159cbfafe1f0",
        "associate_public_ip_address": rng.random() < 0.1,
        "metadata_options": [{"http_tokens": rng.choice(["required", "optional"])}],
        "root_block_device": [{"encrypted": rng.random() < 0.8, "volume_size": 200}],
        "tags": _tags(rng, team),
        "user_data": None,
    }
    if rng.random() < 0.4:
        after["instance_market_options"] = [{"market_type": "spot"}]
    return after


def _node_group(rng: random.Random, team: int) -> dict[str, Any]:
    size = rng.choice([1, 2, 4, 8])
    return {
        "cluster_name": f"ml-{team % 7}",
        "node_group_name": f"gpu-{team}",
        "capacity_type": rng.choice(["SPOT", "ON_DEMAND"]),
        "instance_types": [rng.choice(GPU_AWS)],
        "scaling_config": [{"desired_size": size, "max_size": size * 2, "min_size": 0}],
        "labels": {"nvidia.com/gpu.present": "true"},
        "tags": _tags(rng, team),
    }


def _gke_pool(rng: random.Random, team: int) -> dict[str, Any]:
    accelerator, machine = rng.choice(GPU_GCP)
    return {
        "name": f"gpu-pool-{team}",
        "cluster": f"ml-{team % 5}",
        "node_count": rng.choice([1, 2, 3]),
        "autoscaling": [{"min_node_count": 0, "max_node_count": rng.choice([4, 8, 16])}],
        "node_config": [
            {
                "machine_type": machine,
                "spot": rng.random() < 0.5,
                "guest_accelerator": [{"type": accelerator, "count": 1}],
                "labels": _tags(rng, team),
            }
        ],
    }


def _bucket(rng: random.Random, team: int) -> dict[str, Any]:
    return {
        "bucket": f"ml-artifacts-{team}-{rng.randrange(10**6)}",
        "acl": rng.choice(["private", "private", "public-read"]),
        "tags": _tags(rng, team),
    }


def _security_group(rng: random.Random, team: int) -> dict[str, Any]:
    cidr = rng.choice(["10.0.0.0/8", "0.0.0.0/0"])
    return {
        "name": f"sg-{team}",
        "ingress": [{"from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": [cidr]}],
        "tags": _tags(rng, team),
    }


def _database(rng: random.Random, team: int) -> dict[str, Any]:
    return {
        "engine": "postgres",
        "instance_class": "db.r6g.large",
        "storage_encrypted": rng.random() < 0.8,
        "publicly_accessible": rng.random() < 0.1,
        "tags": _tags(rng, team),
    }


def _subnet(rng: random.Random, team: int) -> dict[str, Any]:
    return {"cidr_block": f"10.{team % 250}.{rng.randrange(250)}.0/24", "tags": _tags(rng, team)}


def _iam_role(rng: random.Random, team: int) -> dict[str, Any]:
    return {"name": f"ml-role-{team}", "assume_role_policy": "{}", "tags": _tags(rng, team)}


#: (type, attribute builder, share of the mix)
TF_MIX: list[tuple[str, Callable[[random.Random, int], dict[str, Any]]]] = [
    ("aws_instance", _aws_instance),
    ("aws_instance", _aws_instance),
    ("aws_instance", _aws_instance),
    ("aws_eks_node_group", _node_group),
    ("google_container_node_pool", _gke_pool),
    ("aws_s3_bucket", _bucket),
    ("aws_security_group", _security_group),
    ("aws_db_instance", _database),
    ("aws_subnet", _subnet),
    ("aws_iam_role", _iam_role),
]


def terraform_plan(n: int, seed: int = 11) -> dict[str, Any]:
    """A ``terraform show -json`` plan of ``n`` resources in modules of ``GROUP``."""
    rng = random.Random(seed)
    changes: list[dict[str, Any]] = []
    planned_modules: list[dict[str, Any]] = []
    module_calls: dict[str, Any] = {}
    for team in range((n + GROUP - 1) // GROUP):
        module = f"module.team_{team}"
        planned: list[dict[str, Any]] = []
        config_resources: list[dict[str, Any]] = []
        for index in range(min(GROUP, n - team * GROUP)):
            rtype, build = TF_MIX[index % len(TF_MIX)]
            name = f"r{index}"
            after = build(rng, team)
            action = rng.choice(["create", "create", "create", "update", "no-op"])
            address = f"{module}.{rtype}.{name}"
            provider = (
                "registry.terraform.io/hashicorp/google"
                if rtype.startswith("google")
                else "registry.terraform.io/hashicorp/aws"
            )
            unknown = {"id": True, "arn": True} if action == "create" else {}
            changes.append(
                {
                    "address": address,
                    "module_address": module,
                    "mode": "managed",
                    "type": rtype,
                    "name": name,
                    "provider_name": provider,
                    "change": {
                        "actions": [action],
                        "before": None if action == "create" else after,
                        "after": after,
                        "after_unknown": unknown,
                        "before_sensitive": False,
                        "after_sensitive": {},
                    },
                }
            )
            planned.append(
                {
                    "address": address,
                    "mode": "managed",
                    "type": rtype,
                    "name": name,
                    "provider_name": provider,
                    "schema_version": 1,
                    "values": after,
                    "sensitive_values": {},
                }
            )
            expressions: dict[str, Any] = {}
            if rtype == "aws_instance" and index:
                expressions["subnet_id"] = {"references": ["aws_subnet.r8.id", "aws_subnet.r8"]}
            config_resources.append(
                {
                    "address": f"{rtype}.{name}",
                    "mode": "managed",
                    "type": rtype,
                    "name": name,
                    "expressions": expressions,
                }
            )
        planned_modules.append({"address": module, "resources": planned})
        module_calls[f"team_{team}"] = {
            "source": "./modules/ml-team",
            "module": {"resources": config_resources},
        }
    return {
        "format_version": "1.2",
        "terraform_version": "1.9.5",
        "planned_values": {"root_module": {"resources": [], "child_modules": planned_modules}},
        "resource_changes": changes,
        "configuration": {"root_module": {"module_calls": module_calls}},
    }


def pulumi_preview(n: int, seed: int = 11) -> dict[str, Any]:
    """A ``pulumi preview --json`` of ``n`` resources under component resources."""
    rng = random.Random(seed)
    steps: list[dict[str, Any]] = []
    for i in range(n):
        team = i // GROUP
        parent = f"urn:pulumi:dev::ml-platform::ml:Team::team-{team}"
        kind = i % 5
        if kind < 3:
            ptype = "aws:ec2/instance:Instance"
            gpu = rng.random() < 0.5
            inputs: dict[str, Any] = {
                "instanceType": rng.choice(GPU_AWS if gpu else CPU_AWS),
                "ami": "ami-0c55b159cbfafe1f0",
                "metadataOptions": {"httpTokens": rng.choice(["required", "optional"])},
                "tags": _tags(rng, team),
            }
            if rng.random() < 0.4:
                inputs["instanceMarketOptions"] = {"marketType": "spot"}
        elif kind == 3:
            ptype = "aws:eks/nodeGroup:NodeGroup"
            size = rng.choice([1, 2, 4])
            inputs = {
                "clusterName": f"ml-{team % 7}",
                "capacityType": rng.choice(["SPOT", "ON_DEMAND"]),
                "instanceTypes": [rng.choice(GPU_AWS)],
                "scalingConfig": {"desiredSize": size, "maxSize": size * 2, "minSize": 0},
                "tags": _tags(rng, team),
            }
        else:
            ptype = "aws:s3/bucket:Bucket"
            inputs = {"acl": rng.choice(["private", "public-read"]), "tags": _tags(rng, team)}
        urn = f"urn:pulumi:dev::ml-platform::ml:Team${ptype}::res-{i}"
        steps.append(
            {
                "op": rng.choice(["create", "create", "update", "same"]),
                "urn": urn,
                "newState": {
                    "urn": urn,
                    "custom": True,
                    "type": ptype,
                    "inputs": inputs,
                    "parent": parent,
                    "dependencies": [],
                },
            }
        )
    return {"config": {"aws:region": "us-east-1"}, "steps": steps, "changeSummary": {}}


def _k8s_deployment(rng: random.Random, i: int, ns: str) -> dict[str, Any]:
    gpus = rng.choice([0, 0, 1, 2, 4, 8])
    resources: dict[str, Any] = {"requests": {"cpu": "2", "memory": "8Gi"}}
    if gpus:
        resources["limits"] = {"nvidia.com/gpu": str(gpus)}
    spec: dict[str, Any] = {
        "containers": [
            {
                "name": "server",
                "image": rng.choice(["vllm/vllm-openai:v0.6.3", "pytorch/pytorch:latest"]),
                "resources": resources,
                "securityContext": {"privileged": rng.random() < 0.05},
            }
        ]
    }
    if rng.random() < 0.4:
        spec["nodeSelector"] = {"karpenter.sh/capacity-type": rng.choice(["spot", "on-demand"])}
    labels = {"app": f"app-{i}", **_tags(rng, i // GROUP)}
    return {
        "apiVersion": "apps/v1",
        "kind": rng.choice(["Deployment", "Deployment", "StatefulSet"]),
        "metadata": {"name": f"app-{i}", "namespace": ns, "labels": labels},
        "spec": {
            "replicas": rng.choice([1, 2, 3]),
            "selector": {"matchLabels": {"app": f"app-{i}"}},
            "template": {"metadata": {"labels": {"app": f"app-{i}"}}, "spec": spec},
        },
    }


def kubernetes_manifests(n: int, seed: int = 11) -> list[dict[str, Any]]:
    """``n`` Kubernetes objects: GPU and CPU workloads, Services, ConfigMaps and Jobs."""
    rng = random.Random(seed)
    docs: list[dict[str, Any]] = []
    for i in range(n):
        ns = f"team-{i // GROUP}"
        kind = i % 5
        if kind < 2:
            docs.append(_k8s_deployment(rng, i, ns))
        elif kind == 2:
            docs.append(
                {
                    "apiVersion": "v1",
                    "kind": "Service",
                    "metadata": {"name": f"svc-{i}", "namespace": ns},
                    "spec": {
                        "type": rng.choice(["ClusterIP", "LoadBalancer"]),
                        "selector": {"app": f"app-{i - 1}"},
                        "ports": [{"port": 80, "targetPort": 8000}],
                    },
                }
            )
        elif kind == 3:
            docs.append(
                {
                    "apiVersion": "v1",
                    "kind": "ConfigMap",
                    "metadata": {"name": f"cfg-{i}", "namespace": ns},
                    "data": {"MODEL": "llama-3-8b", "MAX_BATCH": "32"},
                }
            )
        else:
            gpus = rng.choice([1, 2, 8])
            docs.append(
                {
                    "apiVersion": "batch/v1",
                    "kind": "Job",
                    "metadata": {"name": f"train-{i}", "namespace": ns, "labels": _tags(rng, i)},
                    "spec": {
                        "parallelism": rng.choice([1, 2]),
                        "template": {
                            "spec": {
                                "restartPolicy": "Never",
                                "containers": [
                                    {
                                        "name": "train",
                                        "image": "nvcr.io/nvidia/pytorch:24.05-py3",
                                        "resources": {"limits": {"nvidia.com/gpu": str(gpus)}},
                                    }
                                ],
                            }
                        },
                    },
                }
            )
    return docs


def write_input(kind: str, n: int, path: Path, seed: int = 11) -> Path:
    """Write one generated input of ``kind`` (terraform, pulumi, kubernetes) to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "terraform":
        path.write_text(json.dumps(terraform_plan(n, seed)), encoding="utf-8")
    elif kind == "pulumi":
        path.write_text(json.dumps(pulumi_preview(n, seed)), encoding="utf-8")
    elif kind == "kubernetes":
        import yaml

        docs = kubernetes_manifests(n, seed)
        dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
        path.write_text(yaml.dump_all(docs, Dumper=dumper, sort_keys=False), encoding="utf-8")
    else:
        raise ValueError(f"unknown input kind {kind!r}")
    return path


#: Input kind -> file suffix of its generated input.
SUFFIX = {"terraform": ".json", "pulumi": ".json", "kubernetes": ".yaml"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=sorted(SUFFIX))
    parser.add_argument("n", type=int)
    parser.add_argument("-o", "--output", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    write_input(args.kind, args.n, args.output, args.seed)


if __name__ == "__main__":
    main()
