"""Enrichment facts, table-driven over hand-built resources in every source format."""

from __future__ import annotations

from typing import Any

import pytest

from guardrails.enrich import EnrichOptions, enrich
from guardrails.enrich.catalog import load_gpu_catalog, model_from_text
from guardrails.enrich.cost import dollars, signed_dollars
from guardrails.enrich.environment import normalize_environment
from guardrails.model import Action, Edge, EdgeKind, Graph, Resource, SourceFormat

FMT = {
    "tf": SourceFormat.TERRAFORM_PLAN,
    "pulumi": SourceFormat.PULUMI_PREVIEW,
    "k8s": SourceFormat.KUBERNETES,
    "hcl": SourceFormat.TERRAFORM_HCL,
}


def res(
    rtype: str,
    attributes: dict[str, Any],
    fmt: str = "tf",
    *,
    name: str = "r",
    action: Action = Action.CREATE,
    before: dict[str, Any] | None = None,
    unknown: frozenset[str] = frozenset(),
    labels: dict[str, str] | None = None,
    namespace: str | None = None,
    workload: dict[str, Any] | None = None,
) -> Resource:
    provider = "kubernetes" if fmt == "k8s" else rtype.split("_")[0].split(":")[0]
    return Resource(
        id=f"x#{rtype}.{name}",
        address=f"{rtype}.{name}",
        source_format=FMT[fmt],
        provider=provider,
        type=rtype,
        name=name,
        action=action,
        attributes=attributes,
        before=before,
        unknown=unknown,
        labels=labels or {},
        namespace=namespace,
        workload=workload,
    )


def pod(
    gpus: int = 0, desired: int | None = 1, maximum: int | None = 1, **extra: Any
) -> dict[str, Any]:
    resources = {"limits": {"nvidia.com/gpu": str(gpus)}} if gpus else {}
    template = {
        "role": "pod",
        "replicas": {"desired": desired, "max": maximum},
        "containers": [
            {
                "name": "c",
                "image": "x:1",
                "init": False,
                "resources": {"requests": {}, **resources},
                "security_context": {},
                "ports": [],
            }
        ],
        "node_selector": {},
        "affinity": {},
        "tolerations": [],
        "volumes": [],
        "security_context": {},
        "host_network": False,
        "host_pid": False,
        "host_ipc": False,
        "termination_grace_period_seconds": None,
        "annotations": {},
        "labels": {},
        "restart_policy": None,
        "service_account": None,
    }
    template.update(extra)
    return template


def facts_of(*resources: Resource, edges: tuple[Edge, ...] = (), env: str | None = None) -> Any:
    graph = enrich(Graph(resources, edges), EnrichOptions(default_environment=env))
    return graph


def one(resource: Resource, **kw: Any) -> dict[str, Any]:
    return dict(facts_of(resource, **kw).resources[0].facts)


CASES: list[tuple[str, Resource, dict[str, Any]]] = [
    (
        "p4d on-demand instance",
        res("aws_instance", {"instance_type": "p4d.24xlarge", "tags": {}}),
        {
            "is_gpu": True,
            "capacity": "on-demand",
            "instance_type": "p4d.24xlarge",
            "gpu.model": "A100",
            "gpu.count": 8,
            "hourly_usd.desired": 21.96,
            "monthly_usd.desired": round(21.957642 * 730, 2),
            "monthly_usd_display.max": "$16,029",
            "taggable": True,
        },
    ),
    (
        "spot market instance uses the spot price",
        res(
            "aws_instance",
            {"instance_type": "g5.xlarge", "instance_market_options": [{"market_type": "spot"}]},
        ),
        {"capacity": "spot", "hourly_usd.desired": 0.44, "spot_saving_monthly_display": None},
    ),
    (
        "on-demand instance shows the spot saving",
        res("aws_instance", {"instance_type": "g4dn.xlarge"}),
        {"capacity": "on-demand", "spot_saving_monthly_display": "$235"},
    ),
    (
        "non-GPU instance",
        res("aws_instance", {"instance_type": "t3.micro"}),
        {"is_gpu": False, "priced": False, "gpu": None, "price_unknown": None},
    ),
    (
        "GPU family missing from the catalog",
        res("aws_instance", {"instance_type": "g3.4xlarge"}),
        {
            "is_gpu": True,
            "priced": False,
            "price_unknown.attribute": None,
            "price_unknown.reason": "instance type g3.4xlarge is not in the GPU catalog",
        },
    ),
    (
        "instance type unknown until apply",
        res("aws_instance", {"instance_type": None}, unknown=frozenset({"instance_type"})),
        {"is_gpu": True, "priced": False, "price_unknown.attribute": "instance_type"},
    ),
    (
        "capacity-block-only type has no price",
        res("aws_instance", {"instance_type": "p5e.48xlarge"}),
        {"is_gpu": True, "priced": False},
    ),
    (
        "ASG with mixed instances on spot",
        res(
            "aws_autoscaling_group",
            {
                "min_size": 1,
                "max_size": 20,
                "desired_capacity": 2,
                "mixed_instances_policy": [
                    {
                        "instances_distribution": [{"on_demand_percentage_above_base_capacity": 0}],
                        "launch_template": [
                            {
                                "override": [
                                    {"instance_type": "g5.xlarge"},
                                    {"instance_type": "g5.2xlarge"},
                                ]
                            }
                        ],
                    }
                ],
            },
        ),
        {
            "capacity": "spot",
            "instance_type": "g5.2xlarge",
            "replicas.desired": 2,
            "replicas.max": 20,
            "autoscaling.enabled": True,
            "autoscaling.max": 20,
            "autoscaling.explicit_max": True,
        },
    ),
    (
        "EKS spot node group",
        res(
            "aws_eks_node_group",
            {
                "capacity_type": "SPOT",
                "instance_types": ["p5.48xlarge"],
                "scaling_config": [{"desired_size": 1, "max_size": 4, "min_size": 0}],
            },
        ),
        {
            "capacity": "spot",
            "gpu.model": "H100",
            "replicas.max": 4,
            "monthly_usd.max": round(20.2037 * 4 * 730, 2),
        },
    ),
    (
        "GKE node pool with guest accelerators",
        res(
            "google_container_node_pool",
            {
                "node_count": 2,
                "autoscaling": [{"max_node_count": 10}],
                "node_config": [
                    {
                        "machine_type": "n1-standard-8",
                        "spot": True,
                        "guest_accelerator": [{"type": "nvidia-tesla-t4", "count": 2}],
                    }
                ],
            },
        ),
        {
            "capacity": "spot",
            "gpu.model": "T4",
            "gpu.count": 2,
            "replicas.desired": 2,
            "replicas.max": 10,
            "hourly_usd.desired": 0.7,
            "hourly_usd.max": 3.5,
        },
    ),
    (
        "GCP a3 instance, preemptible",
        res(
            "google_compute_instance",
            {"machine_type": "a3-highgpu-8g", "scheduling": [{"preemptible": True}]},
        ),
        {"capacity": "spot", "gpu.model": "H100", "gpu.count": 8},
    ),
    (
        "Azure spot VM",
        res(
            "azurerm_linux_virtual_machine",
            {"size": "Standard_NC24ads_A100_v4", "priority": "Spot"},
        ),
        {"capacity": "spot", "gpu.model": "A100", "hourly_usd.desired": 0.44},
    ),
    (
        "AKS autoscaling node pool without max",
        res(
            "azurerm_kubernetes_cluster_node_pool",
            {"vm_size": "Standard_NC4as_T4_v3", "enable_auto_scaling": True, "min_count": 1},
        ),
        {
            "autoscaling.enabled": True,
            "autoscaling.explicit_max": False,
            "replicas.max": None,
            "monthly_usd.max": round(0.526 * 730, 2),
        },
    ),
    (
        "AKS cluster: a GPU default_node_pool is priced like a node pool",
        res(
            "azurerm_kubernetes_cluster",
            {"default_node_pool": [{"vm_size": "Standard_NC24ads_A100_v4", "node_count": 2}]},
        ),
        {
            "is_gpu": True,
            "gpu.model": "A100",
            "gpu.total.desired": 2,
            "replicas.desired": 2,
            "capacity": "on-demand",
            "monthly_usd.desired": round(3.673 * 2 * 730, 2),
        },
    ),
    (
        "AKS cluster: a CPU default pool is not a GPU resource",
        res(
            "azurerm_kubernetes_cluster",
            {"default_node_pool": [{"vm_size": "Standard_D4s_v5", "node_count": 3}]},
        ),
        {"is_gpu": False, "replicas.desired": 3},
    ),
    (
        "azure-native ManagedCluster: every agentPoolProfile, GPU facts from the GPU pools",
        res(
            "azurerm_kubernetes_cluster",
            {
                "agent_pool_profiles": [
                    {"name": "system", "mode": "System", "vm_size": "Standard_D4s_v5", "count": 3},
                    {
                        "name": "gpu",
                        "vm_size": "Standard_NC4as_T4_v3",
                        "count": 1,
                        "enable_auto_scaling": True,
                        "min_count": 1,
                        "scale_set_priority": "Spot",
                    },
                ]
            },
            "pulumi",
        ),
        {
            "is_gpu": True,
            "gpu.model": "T4",
            "capacity": "spot",
            "replicas.desired": 1,
            "replicas.max": None,
            "autoscaling.enabled": True,
            "autoscaling.explicit_max": False,
            "autoscaling.attribute": "agent_pool_profiles.1.max_count",
            "hourly_usd.desired": 0.06,
        },
    ),
    (
        "AKS cluster: a default pool size unknown until apply is not $0",
        res(
            "azurerm_kubernetes_cluster",
            {"default_node_pool": [{"node_count": 1}]},
            unknown=frozenset({"default_node_pool.0.vm_size"}),
        ),
        {"is_gpu": True, "priced": False},
    ),
    (
        "Kubernetes job on spot with a GPU model selector",
        res(
            "Job",
            {"apiVersion": "batch/v1"},
            "k8s",
            workload={
                "pod_templates": [
                    pod(
                        2,
                        3,
                        3,
                        node_selector={
                            "karpenter.sh/capacity-type": "spot",
                            "nvidia.com/gpu.product": "NVIDIA-A100-SXM4-80GB",
                        },
                    )
                ]
            },
        ),
        {
            "is_gpu": True,
            "capacity": "spot",
            "gpu.model": "A100",
            "gpu.count": 2,
            "replicas.desired": 3,
            "workload_class": "batch",
            "gpu.resource_name": "nvidia.com/gpu",
        },
    ),
    (
        "Kubernetes GPU pods without a model use the default per-GPU price",
        res("Deployment", {}, "k8s", workload={"pod_templates": [pod(1, 2, 2)]}),
        {"capacity": "on-demand", "gpu.model": None, "hourly_usd.desired": 2.02},
    ),
    (
        "DaemonSet replica count is not known",
        res("DaemonSet", {}, "k8s", workload={"pod_templates": [pod(1, None, None)]}),
        {"is_gpu": True, "priced": False},
    ),
    (
        "environment from label aliases",
        res(
            "aws_s3_bucket",
            {"tags": {"Environment": "Production"}},
            labels={"Environment": "Production"},
        ),
        {"environment": "prod", "environment_source": "label", "is_gpu": False},
    ),
    (
        "environment from namespace",
        res("Deployment", {}, "k8s", namespace="ml-staging", workload={"pod_templates": [pod()]}),
        {"environment": "staging", "environment_source": "namespace"},
    ),
    (
        "workload tag wins over the kind",
        res("Job", {}, "k8s", labels={"workload": "training"}, workload={"pod_templates": [pod()]}),
        {"workload_class": "training"},
    ),
    ("null provider is not taggable", res("null_resource", {"triggers": {}}), {"taggable": False}),
    # One rule for what carries spend (enrich.taggable): GKE node pools carry billing labels in
    # node_config; Services, Namespaces and ConfigMaps run nothing billed by themselves.
    (
        "GKE node pool with node_config.resource_labels carries spend",
        res("google_container_node_pool", {"node_config": [{"resource_labels": {"team": "a"}}]}),
        {"taggable": True},
    ),
    (
        "GKE node pool written in HCL without labels carries spend",
        res("google_container_node_pool", {"node_count": 1}, "hcl"),
        {"taggable": True},
    ),
    ("Service carries no spend", res("Service", {"spec": {}}, "k8s"), {"taggable": False}),
    ("Namespace carries no spend", res("Namespace", {}, "k8s"), {"taggable": False}),
    ("ConfigMap carries no spend", res("ConfigMap", {"data": {}}, "k8s"), {"taggable": False}),
    (
        "Karpenter NodePool provisions nodes",
        res("NodePool", {"spec": {}}, "k8s"),
        {"taggable": True},
    ),
    (
        "Deployment runs pods",
        res("Deployment", {}, "k8s", workload={"pod_templates": [pod()]}),
        {"taggable": True},
    ),
]


def _get(facts: dict[str, Any], dotted: str) -> Any:
    value: Any = facts
    for part in dotted.split("."):
        value = value[part] if value is not None else None
    return value


@pytest.mark.parametrize(("name", "resource", "expected"), CASES, ids=[c[0] for c in CASES])
def test_facts(name: str, resource: Resource, expected: dict[str, Any]) -> None:
    facts = one(resource)
    for key, value in expected.items():
        assert _get(facts, key) == value, f"{name}: {key}"


def test_every_resource_gets_every_fact() -> None:
    keys = set(one(res("aws_instance", {"instance_type": "g5.xlarge"})))
    for _, resource, _ in CASES:
        assert set(one(resource)) == keys


def test_default_environment_applies_when_nothing_says() -> None:
    assert one(res("aws_instance", {}), env="Prod")["environment"] == "prod"
    assert one(res("aws_instance", {}))["environment"] == "unknown"


def test_asg_reads_instance_type_from_referenced_launch_template() -> None:
    template = res("aws_launch_template", {"instance_type": "p4d.24xlarge"}, name="lt")
    group = res(
        "aws_autoscaling_group",
        {"min_size": 0, "max_size": 3, "desired_capacity": 1, "launch_template": [{"id": None}]},
        name="asg",
    )
    graph = facts_of(template, group, edges=(Edge(group.id, template.id, EdgeKind.REFERENCES),))
    lt, asg = (dict(r.facts) for r in graph.resources)
    assert lt["monthly_usd"]["desired"] == 0  # a template provisions nothing by itself
    assert asg["instance_type"] == "p4d.24xlarge"
    assert asg["monthly_usd"]["max"] == round(21.957642 * 3 * 730, 2)


def test_hpa_sets_max_and_service_makes_inference() -> None:
    deployment = res(
        "Deployment", {}, "k8s", name="serve", workload={"pod_templates": [pod(1, 2, 2)]}
    )
    hpa = res("HorizontalPodAutoscaler", {"spec": {"maxReplicas": 40}}, "k8s", name="hpa")
    service = res("Service", {}, "k8s", name="svc")
    graph = facts_of(
        deployment,
        hpa,
        service,
        edges=(
            Edge(hpa.id, deployment.id, EdgeKind.SCALES),
            Edge(service.id, deployment.id, EdgeKind.SELECTS),
        ),
    )
    facts = dict(graph.resources[0].facts)
    assert facts["workload_class"] == "inference"
    assert facts["autoscaling"] == {
        "enabled": True,
        "max": 40,
        "min": 1,
        "explicit_max": True,
        "attribute": "HorizontalPodAutoscaler.hpa: spec.maxReplicas",
    }
    assert facts["replicas"] == {"desired": 2, "max": 40, "groups": 2}


def test_change_summary_before_after_delta() -> None:
    grown = res(
        "aws_instance",
        {"instance_type": "p4d.24xlarge"},
        name="a",
        action=Action.UPDATE,
        before={"instance_type": "g5.xlarge"},
    )
    removed = res(
        "aws_instance", {}, name="b", action=Action.DELETE, before={"instance_type": "g4dn.xlarge"}
    )
    kept = res("aws_instance", {"instance_type": "g4dn.xlarge"}, name="c", action=Action.NO_OP)
    cost = facts_of(grown, removed, kept).summary["cost"]
    before = (1.006 + 0.526 + 0.526) * 730
    assert cost["monthly_usd_before"] == pytest.approx(before, abs=0.01)
    assert cost["monthly_usd_after"] == pytest.approx(21.957642 * 730 + 0.526 * 730, abs=0.01)
    assert [c["address"] for c in cost["top_contributors"]] == ["aws_instance.a", "aws_instance.b"]
    assert cost["top_contributors"][1]["monthly_usd_delta_display"].startswith("-$")


@pytest.mark.parametrize(
    ("value", "text"), [(0, "$0"), (999.4, "$999"), (1234567.8, "$1,234,568"), (-50, "-$50")]
)
def test_dollars(value: float, text: str) -> None:
    assert dollars(value) == text
    assert signed_dollars(value) == (text if value < 0 else "+" + text)


@pytest.mark.parametrize(
    ("text", "model"),
    [
        ("NVIDIA-A100-SXM4-80GB", "A100"),
        ("nvidia-tesla-t4", "T4"),
        ("nvidia-h100-mega-80gb", "H100"),
        ("Tesla-V100-SXM2-16GB", "V100"),
        ("nvidia-l4", "L4"),
        ("a10g", "A10G"),
        ("something", None),
    ],
)
def test_model_from_label(text: str, model: str | None) -> None:
    assert model_from_text(text) == model


@pytest.mark.parametrize(("raw", "env"), [("PROD", "prod"), ("qa", "staging"), ("x", None)])
def test_normalize_environment(raw: str, env: str | None) -> None:
    assert normalize_environment(raw) == env


def test_catalog_rows_keep_source_and_date() -> None:
    import json

    from guardrails.bundled import gpu_catalog_path

    document = json.loads(gpu_catalog_path().read_text())
    assert len(document["instances"]) >= 120
    for row in document["instances"].values():
        assert row["source"] and row["as_of"]
    assert load_gpu_catalog().instance("P4D.24XLARGE") is not None
