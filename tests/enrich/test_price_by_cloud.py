"""Prices are keyed by (cloud, SKU): a GPU is priced at its own cloud's list price, the cloud
comes from what the input names, and where nothing names it the price is an assumption that
every report format states (issue #19, "Prices by provider, from a sourced catalog")."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from guardrails.api import ScanOptions, enriched_graph, scan
from guardrails.enrich import clouds
from guardrails.enrich.catalog import HOURS_PER_MONTH, load_gpu_catalog, price_for
from guardrails.model import Outcome

# --- inputs, one per format -------------------------------------------------------------------

_HCL = {
    "aws": 'resource "aws_instance" "gpu" {{\n  ami = "ami-1"\n  instance_type = "{sku}"\n'
    "  count = {count}\n}}\n",
    "gcp": 'resource "google_compute_instance" "gpu" {{\n  name = "g"\n  zone = "us-central1-a"\n'
    '  machine_type = "{sku}"\n  count = {count}\n  boot_disk {{\n'
    '    initialize_params {{ image = "debian-12" }}\n  }}\n'
    '  network_interface {{ network = "default" }}\n}}\n',
    "azure": 'resource "azurerm_linux_virtual_machine" "gpu" {{\n  name = "g"\n'
    '  resource_group_name = "rg"\n  location = "eastus"\n  size = "{sku}"\n'
    '  count = {count}\n  admin_username = "a"\n  network_interface_ids = []\n'
    '  os_disk {{\n    caching = "ReadWrite"\n    storage_account_type = "Standard_LRS"\n  }}\n}}\n',
}
_PULUMI_TYPES = {
    "aws": ("aws:ec2/instance:Instance", "instanceType"),
    "gcp": ("gcp:compute/instance:Instance", "machineType"),
    "azure": ("azure:compute/linuxVirtualMachine:LinuxVirtualMachine", "size"),
}
_POD = """apiVersion: apps/v1
kind: Deployment
metadata: {{name: server, namespace: ml, labels: {{environment: prod}}}}
spec:
  replicas: {count}
  template:
    spec:
      nodeSelector: {{{selector}}}
      containers:
        - name: s
          image: registry.example.com/s:1.0
          resources: {{limits: {{{resource}: {per_pod}}}}}
"""


def _hcl(tmp: Path, cloud: str, sku: str, count: int) -> Path:
    path = tmp / "main.tf"
    path.write_text(_HCL[cloud].format(sku=sku, count=count))
    return path


def _pulumi(tmp: Path, cloud: str, sku: str, count: int) -> Path:
    token, field = _PULUMI_TYPES[cloud]
    steps = [
        {
            "op": "create",
            "urn": f"urn:pulumi:dev::p::{token}::gpu{i}",
            "newState": {
                "urn": f"urn:pulumi:dev::p::{token}::gpu{i}",
                "type": token,
                "custom": True,
                "inputs": {field: sku},
            },
        }
        for i in range(count)
    ]
    path = tmp / "preview.json"
    path.write_text(json.dumps({"steps": steps}))
    return path


_PLAN_TYPES = {
    "aws": ("aws_instance", "instance_type", "hashicorp/aws"),
    "gcp": ("google_compute_instance", "machine_type", "hashicorp/google"),
    "azure": ("azurerm_linux_virtual_machine", "size", "hashicorp/azurerm"),
}


def _plan(tmp: Path, cloud: str, sku: str, count: int) -> Path:
    rtype, field, provider = _PLAN_TYPES[cloud]
    changes = [
        {
            "address": f"{rtype}.gpu[{i}]",
            "mode": "managed",
            "type": rtype,
            "name": "gpu",
            "index": i,
            "provider_name": f"registry.terraform.io/{provider}",
            "change": {
                "actions": ["create"],
                "before": None,
                "after": {field: sku},
                "after_unknown": {},
            },
        }
        for i in range(count)
    ]
    path = tmp / "plan.json"
    path.write_text(
        json.dumps(
            {"format_version": "1.2", "terraform_version": "1.9.0", "resource_changes": changes}
        )
    )
    return path


def _pods_on_instance_type(tmp: Path, cloud: str, sku: str, count: int) -> Path:
    """``count`` pods that each fill one ``sku`` node (node.kubernetes.io/instance-type)."""
    row = load_gpu_catalog().instance(sku)
    assert row is not None
    resource = "google.com/tpu" if row.gpu_model.startswith("TPU") else "nvidia.com/gpu"
    path = tmp / "pods.yaml"
    path.write_text(
        _POD.format(
            count=count,
            selector=f"node.kubernetes.io/instance-type: {sku}",
            resource=resource,
            per_pod=int(row.gpu_count),
        )
    )
    return path


def _monthly(path: Path) -> float:
    graph = enriched_graph([str(path)], ScanOptions(no_config=True))
    gpu = [r.facts for r in graph.resources if r.facts and r.facts["is_gpu"]]
    assert gpu and all(f["priced"] for f in gpu), [f["price_unknown"] for f in gpu]
    return float(sum(f["monthly_usd"]["desired"] for f in gpu))


#: (cloud, SKU, instances): every cloud, GPU and TPU families the catalog prices.
LIST_PRICES = [
    ("aws", "g5.xlarge", 3),
    ("aws", "p5.48xlarge", 2),
    ("aws", "p4d.24xlarge", 1),
    ("gcp", "a3-highgpu-8g", 2),
    ("gcp", "a2-highgpu-1g", 4),
    ("gcp", "g2-standard-8", 3),
    ("gcp", "ct5lp-hightpu-4t", 2),
    ("gcp", "ct6e-standard-8t", 1),
    ("azure", "Standard_ND96isr_H100_v5", 1),
    ("azure", "Standard_NC24ads_A100_v4", 2),
    ("azure", "Standard_NC4as_T4_v3", 5),
]
FORMATS = {
    "terraform-hcl": _hcl,
    "terraform-plan": _plan,
    "pulumi-preview": _pulumi,
    "kubernetes-pods": _pods_on_instance_type,
}


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize(("cloud", "sku", "count"), LIST_PRICES)
def test_monthly_cost_is_within_25_percent_of_the_clouds_list_price(
    fmt: str, cloud: str, sku: str, count: int, tmp_path: Path
) -> None:
    if fmt != "kubernetes-pods" and sku.startswith("ct"):
        pytest.skip("GKE TPU machine types come in node pools, not VMs")
    row = load_gpu_catalog().instance(sku)
    assert row is not None and row.provider == cloud and row.on_demand is not None
    expected = row.on_demand * count * HOURS_PER_MONTH
    got = _monthly(FORMATS[fmt](tmp_path, cloud, sku, count))
    assert abs(got - expected) <= 0.25 * expected, (fmt, sku, got, expected)


# --- the price key is (cloud, SKU), not the GPU model -------------------------------------------


def _pod_facts(tmp_path: Path, selector: str, resource: str = "nvidia.com/gpu", n: int = 8) -> Any:
    path = tmp_path / "pod.yaml"
    path.write_text(_POD.format(count=1, selector=selector, resource=resource, per_pod=n))
    graph = enriched_graph([str(path)], ScanOptions(no_config=True))
    return next(r.facts for r in graph.resources if r.type == "Deployment")


@pytest.mark.parametrize(
    ("selector", "cloud", "per_gpu"),
    [
        # GKE: GCP's a3-highgpu rate ($88.49 / 8), not AWS p5's $6.88 (-38 % before).
        ("cloud.google.com/gke-accelerator: nvidia-h100-80gb", "gcp", 88.49 / 8),
        ("cloud.google.com/gke-accelerator: nvidia-a100-80gb", "gcp", None),
        ("karpenter.k8s.aws/instance-gpu-name: h100", "aws", 55.04 / 8),
        # Azure's cheapest whole H100 is NC40ads_H100_v5 ($6.98), AWS's p5 ($6.88/GPU).
        (
            "kubernetes.azure.com/accelerator: nvidia, nvidia.com/gpu.product: NVIDIA-H100",
            "azure",
            6.98,
        ),
        (
            "eks.amazonaws.com/nodegroup: gpu, nvidia.com/gpu.product: NVIDIA-A100-SXM4-40GB",
            "aws",
            21.957642 / 8,
        ),
        # GCP's per-GPU A100 40GB row (the GPU part of a2-highgpu), not AWS p4d's $2.74.
        (
            "cloud.google.com/gke-nodepool: gpu, nvidia.com/gpu.product: NVIDIA-A100-SXM4-40GB",
            "gcp",
            2.93391,
        ),
    ],
)
def test_a_gpu_is_priced_on_the_cloud_its_node_labels_name(
    tmp_path: Path, selector: str, cloud: str, per_gpu: float | None
) -> None:
    facts = _pod_facts(tmp_path, selector)
    assert facts["cloud"]["name"] == cloud and facts["cloud"]["assumed"] is None
    assert facts["price_basis"] == "catalog" and facts["price_assumption"] is None
    (item,) = facts["priced_items"]
    assert item["cloud"] == cloud
    if per_gpu is not None:
        assert item["usd_per_hour"] == pytest.approx(per_gpu, abs=1e-3)


def test_gke_a100_80gb_is_priced_at_a2_ultragpu_not_the_cheaper_a100_40gb(tmp_path: Path) -> None:
    facts = _pod_facts(tmp_path, "cloud.google.com/gke-accelerator: nvidia-a100-80gb")
    (item,) = facts["priced_items"]
    assert item["source"].startswith("a2-ultragpu")


def test_tpu_pods_are_priced_per_chip_from_the_gke_tpu_label(tmp_path: Path) -> None:
    facts = _pod_facts(
        tmp_path, "cloud.google.com/gke-tpu-accelerator: tpu-v6e-slice", "google.com/tpu", 4
    )
    assert facts["price_basis"] == "catalog" and facts["gpu"]["model"] == "TPU v6e"
    assert facts["hourly_usd"]["desired"] == pytest.approx(4 * 2.7)


def test_nothing_naming_the_cloud_is_an_assumption_naming_cloud_sku_and_why(
    tmp_path: Path,
) -> None:
    facts = _pod_facts(tmp_path, "nvidia.com/gpu.product: NVIDIA-H100-80GB-HBM3")
    assert facts["price_basis"] == "assumed"
    assert facts["cloud"] == {"name": None, "source": None, "assumed": "aws"}
    assert facts["price_assumption"]["sku"] == "p5.48xlarge"
    assert "nothing" in facts["price_assumption"]["reason"]
    assert facts["priced_items"][0]["assumed"] is True


def test_gcp_guest_accelerator_h100_is_a_gcp_price(tmp_path: Path) -> None:
    """guest_accelerator `nvidia-h100-80gb` has no `gpu:` row: before, it fell through to the
    model and took AWS p5's per-GPU price."""
    path = tmp_path / "main.tf"
    path.write_text(
        'resource "google_compute_instance" "h" {\n  name = "h"\n  machine_type = "n1-standard-8"\n'
        '  zone = "us-central1-a"\n  guest_accelerator {\n    type = "nvidia-h100-80gb"\n'
        "    count = 8\n  }\n"
        '  boot_disk {\n    initialize_params { image = "debian-12" }\n  }\n'
        '  network_interface { network = "default" }\n}\n'
    )
    graph = enriched_graph([str(path)], ScanOptions(no_config=True))
    facts = next(r.facts for r in graph.resources if r.type == "google_compute_instance")
    assert facts["cloud"]["name"] == "gcp"
    assert facts["hourly_usd"]["desired"] == pytest.approx(88.49, abs=0.01)


# --- Karpenter NodePools: worst case kept, priced on their own cloud -------------------------

_NODEPOOL = """apiVersion: karpenter.sh/v1
kind: NodePool
metadata: {{name: gpu}}
spec:
  limits: {{nvidia.com/gpu: 16}}
  template:
    spec:
      nodeClassRef: {{group: {group}, kind: {kind}, name: default}}
      requirements:
        - {{key: {key}, operator: In, values: [{values}]}}
"""


@pytest.mark.parametrize(
    ("kind", "group", "key", "values", "cloud", "per_gpu"),
    [
        (
            "EC2NodeClass",
            "karpenter.k8s.aws",
            "karpenter.k8s.aws/instance-gpu-name",
            "h100",
            "aws",
            55.04 / 8,
        ),
        (
            "AKSNodeClass",
            "karpenter.azure.com",
            "karpenter.azure.com/sku-gpu-name",
            "H100",
            "azure",
            6.98,
        ),
        # Several instance types allowed: the priciest is the worst case, on its own cloud.
        (
            "EC2NodeClass",
            "karpenter.k8s.aws",
            "node.kubernetes.io/instance-type",
            "g5.xlarge, p4d.24xlarge",
            "aws",
            21.957642 / 8,
        ),
    ],
)
def test_nodepool_worst_case_is_priced_per_its_cloud(
    tmp_path: Path, kind: str, group: str, key: str, values: str, cloud: str, per_gpu: float
) -> None:
    path = tmp_path / "nodepool.yaml"
    path.write_text(_NODEPOOL.format(kind=kind, group=group, key=key, values=values))
    graph = enriched_graph([str(path)], ScanOptions(no_config=True))
    facts = next(r.facts for r in graph.resources if r.type == "NodePool")
    assert facts["cloud"]["name"] == cloud and facts["price_basis"] == "catalog"
    assert facts["monthly_usd"]["max"] == pytest.approx(16 * per_gpu * HOURS_PER_MONTH, rel=1e-3)


# --- spot: GR-SPOT-001 gives the saving whenever the catalog has a spot price ----------------

_TRAINING_JOB = """apiVersion: batch/v1
kind: Job
metadata: {{name: train, namespace: ml-dev, labels: {{environment: dev, workload: training}}}}
spec:
  backoffLimit: 3
  template:
    spec:
      restartPolicy: Never
      nodeSelector: {{{selector}}}
      containers:
        - {{name: t, image: "registry.example.com/t:1", resources: {{limits: {{{resource}: 8}}}}}}
"""


@pytest.mark.parametrize("engine", ["python", "rego"])
@pytest.mark.parametrize(
    ("selector", "resource", "saving"),
    [
        # Before: "no spot price is known to estimate the saving" (no TPU rows at all).
        ("cloud.google.com/gke-tpu-accelerator: tpu-v5-lite-podslice", "google.com/tpu", "$5,578"),
        ("cloud.google.com/gke-accelerator: nvidia-h100-80gb", "nvidia.com/gpu", "$26,223"),
    ],
)
def test_spot_001_gives_the_saving_at_the_clouds_spot_price(
    tmp_path: Path, engine: str, selector: str, resource: str, saving: str
) -> None:
    path = tmp_path / "job.yaml"
    path.write_text(_TRAINING_JOB.format(selector=selector, resource=resource))
    report = scan([str(path)], ScanOptions(no_config=True, engine=engine))
    (spot,) = [f for f in report.findings if f.policy == "GR-SPOT-001"]
    assert spot.message.endswith(f"spot would save about {saving}/month")


@pytest.mark.parametrize("engine", ["python", "rego"])
def test_spot_001_says_when_the_saving_rests_on_an_assumed_cloud(
    tmp_path: Path, engine: str
) -> None:
    path = tmp_path / "job.yaml"
    path.write_text(
        _TRAINING_JOB.format(
            selector="nvidia.com/gpu.product: NVIDIA-H100-80GB-HBM3", resource="nvidia.com/gpu"
        )
    )
    report = scan([str(path)], ScanOptions(no_config=True, engine=engine))
    (spot,) = [f for f in report.findings if f.policy == "GR-SPOT-001"]
    assert spot.outcome == Outcome.FAIL
    assert spot.message.endswith(
        "/month (assumed AWS price, p5.48xlarge at $6.88/GPU-hour: nothing names the cloud)"
    )


# --- the catalog interface and cloud detection ------------------------------------------------


def test_price_for_is_keyed_by_cloud_and_sku() -> None:
    assert price_for("gcp", "nvidia-h100-80gb", 8) == pytest.approx(88.49)
    assert price_for("aws", "H100", 8) == pytest.approx(55.04)
    assert price_for("azure", "H100", 8) == pytest.approx(8 * 6.98)
    assert price_for(None, "p5.48xlarge") == pytest.approx(55.04)  # a SKU names its cloud
    assert price_for("gcp", "tpu-v5e", 8, spot=True) == pytest.approx(8 * 0.244925)
    assert price_for("gcp", "no-such-accelerator") is None


@pytest.mark.parametrize(
    ("keys", "cloud"),
    [
        (["cloud.google.com/gke-spot"], "gcp"),
        (["eks.amazonaws.com/capacityType"], "aws"),
        (["karpenter.k8s.aws/instance-family"], "aws"),
        (["kubernetes.azure.com/scalesetpriority"], "azure"),
        (["karpenter.azure.com/sku-family"], "azure"),
        (["nvidia.com/gpu.product", "kubernetes.io/arch"], None),
    ],
)
def test_cloud_from_node_label_keys(keys: list[str], cloud: str | None) -> None:
    found = clouds.of_label_keys(keys, "node selector")
    assert (found.cloud if found else None) == cloud


@pytest.mark.parametrize(
    ("name", "cloud"),
    [
        ("p5.48xlarge", "aws"),
        ("ml.g5.2xlarge", "aws"),
        ("a3-highgpu-8g", "gcp"),
        ("ct6e-standard-4t", "gcp"),
        ("Standard_ND96isr_MI300X_v5", "azure"),
    ],
)
def test_cloud_from_instance_type_naming(name: str, cloud: str) -> None:
    found = clouds.of_instance_type(name)
    assert found is not None and found.cloud == cloud


def test_terraform_resource_types_name_their_cloud() -> None:
    assert [
        (c.cloud if c else None)
        for c in map(
            clouds.of_type,
            [
                "aws_eks_node_group",
                "google_container_node_pool",
                "azurerm_kubernetes_cluster",
                "kubernetes_deployment",
            ],
        )
    ] == ["aws", "gcp", "azure", None]


def test_gke_tpu_node_pool_machine_type_is_priced_per_chip(tmp_path: Path) -> None:
    """ct6e-standard-4t (4 TPU v6e chips) had no catalog row: the pool was not seen as
    accelerator capacity at all. Now 4 chips x $2.70, spot at the catalog's spot price."""
    path = tmp_path / "main.tf"
    path.write_text(
        'resource "google_container_node_pool" "tpu" {\n  name = "tpu"\n  cluster = "c"\n'
        '  node_count = 2\n  node_config {\n    machine_type = "ct6e-standard-4t"\n'
        "    spot = true\n  }\n}\n"
    )
    graph = enriched_graph([str(path)], ScanOptions(no_config=True))
    facts = next(r.facts for r in graph.resources if r.type == "google_container_node_pool")
    assert facts["is_gpu"] and facts["cloud"]["name"] == "gcp"
    assert facts["gpu"]["model"] == "TPU v6e" and facts["gpu"]["count"] == 4
    assert facts["capacity"] == "spot"
    assert facts["hourly_usd"]["desired"] == pytest.approx(2 * 4 * 0.57285, abs=0.01)


@pytest.mark.parametrize(
    ("template", "cloud", "source"),
    [
        (
            {"tolerations": [{"key": "kubernetes.azure.com/scalesetpriority", "value": "spot"}]},
            "azure",
            "toleration kubernetes.azure.com/scalesetpriority",
        ),
        (
            {
                "affinity": {
                    "nodeAffinity": {
                        "requiredDuringSchedulingIgnoredDuringExecution": {
                            "nodeSelectorTerms": [
                                {"matchExpressions": [{"key": "cloud.google.com/gke-spot"}]}
                            ]
                        }
                    }
                }
            },
            "gcp",
            "node affinity cloud.google.com/gke-spot",
        ),
        ({"node_selector": {"eks.amazonaws.com/nodegroup": "gpu"}}, "aws", None),
        ({"node_selector": {"nvidia.com/gpu.present": "true"}}, None, None),
    ],
)
def test_cloud_from_a_pod_template(
    template: dict[str, Any], cloud: str | None, source: str | None
) -> None:
    found = clouds.of_template(template)
    assert (found.cloud if found else None) == cloud
    if source is not None and found is not None:
        assert found.source == source


@pytest.mark.parametrize(
    ("accelerator", "per_pod", "hourly", "sku"),
    [
        # Before: L4 took the bare `gpu:L4` accelerator row ($0.56/h), without the g2 host it
        # only comes in; 2 per pod need g2-standard-24, not twice g2-standard-4.
        ("nvidia-l4", 1, 0.70683, "g2-standard-4"),
        ("nvidia-l4", 2, 2.00083, "g2-standard-24"),
        ("nvidia-l4", 8, 8.00334, "g2-standard"),
        ("nvidia-l4", 16, 16.00668, "g2-standard"),  # more than any g2 holds: the largest
        # A100 40GB comes only in a2-highgpu ($3.67/GPU), not its $2.93 GPU part alone.
        ("nvidia-tesla-a100", 1, 3.67339, "a2-highgpu"),
        ("nvidia-h100-80gb", 8, 88.49, "a3-highgpu"),
    ],
)
def test_gke_accelerator_sold_in_one_machine_family_is_priced_by_a_machine_holding_the_pod(
    tmp_path: Path, accelerator: str, per_pod: int, hourly: float, sku: str
) -> None:
    facts = _pod_facts(tmp_path, f"cloud.google.com/gke-accelerator: {accelerator}", n=per_pod)
    assert facts["cloud"]["name"] == "gcp" and facts["price_basis"] == "catalog"
    assert facts["hourly_usd"]["desired"] == pytest.approx(hourly, abs=0.01)
    (item,) = facts["priced_items"]
    assert item["source"].startswith(sku)


def test_terraform_kubernetes_deployment_on_gke_l4_is_priced_at_g2(tmp_path: Path) -> None:
    """ai-on-gke's inference-service module: 2 L4 per pod, priced as g2-standard-24."""
    path = tmp_path / "main.tf"
    path.write_text(
        'resource "kubernetes_deployment" "d" {\n  metadata {\n    name = "d"\n  }\n'
        '  spec {\n    replicas = 1\n    template {\n      metadata {\n        name = "d"\n'
        "      }\n      spec {\n"
        '        node_selector = { "cloud.google.com/gke-accelerator" = "nvidia-l4" }\n'
        '        container {\n          name = "c"\n          image = "vllm/vllm:1"\n'
        '          resources {\n            limits = { "nvidia.com/gpu" = "2" }\n'
        "          }\n        }\n      }\n    }\n  }\n}\n"
    )
    graph = enriched_graph([str(path)], ScanOptions(no_config=True))
    facts = next(r.facts for r in graph.resources if r.native_type == "kubernetes_deployment")
    assert facts["monthly_usd"]["desired"] == pytest.approx(2.00083 * HOURS_PER_MONTH, rel=0.01)


def test_n1_guest_accelerator_stays_the_gpu_row(tmp_path: Path) -> None:
    """T4/V100/P100/P4 attach to N1 VMs: the GPU row, the host VM priced apart (unchanged)."""
    path = tmp_path / "main.tf"
    path.write_text(
        'resource "google_compute_instance" "t" {\n  name = "t"\n  machine_type = "n1-standard-8"\n'
        '  zone = "us-central1-a"\n  guest_accelerator {\n    type = "nvidia-tesla-t4"\n'
        "    count = 2\n  }\n"
        '  boot_disk {\n    initialize_params { image = "debian-12" }\n  }\n'
        '  network_interface { network = "default" }\n}\n'
    )
    graph = enriched_graph([str(path)], ScanOptions(no_config=True))
    facts = next(r.facts for r in graph.resources if r.type == "google_compute_instance")
    t4 = load_gpu_catalog().accelerators["nvidia-tesla-t4"].on_demand or 0
    assert facts["hourly_usd"]["desired"] == pytest.approx(2 * t4, abs=0.01)
