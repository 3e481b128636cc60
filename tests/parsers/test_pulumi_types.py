"""Pulumi resources get the canonical type and attribute shape every policy reads."""

from __future__ import annotations

from typing import Any

import pytest

from guardrails.api import ScanOptions, build_input, scan
from guardrails.parsers.pulumi_attrs import normalize
from guardrails.parsers.pulumi_types import canonical_type, snake
from tests.conftest import FIXTURES

CANONICAL = FIXTURES / "pulumi" / "canonical-types.json"


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("aws:s3/bucket:Bucket", "aws_s3_bucket"),
        ("aws:s3/bucketV2:BucketV2", "aws_s3_bucket"),
        ("aws:s3/bucketAclV2:BucketAclV2", "aws_s3_bucket_acl"),
        (
            "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
            "aws_s3_bucket_public_access_block",
        ),
        ("aws:ec2/instance:Instance", "aws_instance"),
        ("aws:ec2/securityGroup:SecurityGroup", "aws_security_group"),
        ("aws:ec2/launchTemplate:LaunchTemplate", "aws_launch_template"),
        ("aws:ec2/fleet:Fleet", "aws_ec2_fleet"),
        (
            "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
            "aws_vpc_security_group_ingress_rule",
        ),
        ("aws:ebs/volume:Volume", "aws_ebs_volume"),
        ("aws:eks/nodeGroup:NodeGroup", "aws_eks_node_group"),
        ("aws:autoscaling/group:Group", "aws_autoscaling_group"),
        (
            "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
            "aws_sagemaker_endpoint_configuration",
        ),
        ("aws:batch/computeEnvironment:ComputeEnvironment", "aws_batch_compute_environment"),
        ("aws:rds/instance:Instance", "aws_db_instance"),
        ("gcp:container/nodePool:NodePool", "google_container_node_pool"),
        ("gcp:compute/instance:Instance", "google_compute_instance"),
        (
            "gcp:compute/regionInstanceGroupManager:RegionInstanceGroupManager",
            "google_compute_region_instance_group_manager",
        ),
        ("gcp:compute/firewall:Firewall", "google_compute_firewall"),
        ("gcp:storage/bucketIAMMember:BucketIAMMember", "google_storage_bucket_iam_member"),
        ("gcp:storage/bucketACL:BucketACL", "google_storage_bucket_acl"),
        ("gcp:projects/iAMMember:IAMMember", "google_project_iam_member"),
        ("azure:compute/linuxVirtualMachine:LinuxVirtualMachine", "azurerm_linux_virtual_machine"),
        (
            "azure:compute/linuxVirtualMachineScaleSet:LinuxVirtualMachineScaleSet",
            "azurerm_linux_virtual_machine_scale_set",
        ),
        (
            "azure:containerservice/kubernetesClusterNodePool:KubernetesClusterNodePool",
            "azurerm_kubernetes_cluster_node_pool",
        ),
        (
            "azure:network/networkSecurityGroup:NetworkSecurityGroup",
            "azurerm_network_security_group",
        ),
        ("azure:network/networkSecurityRule:NetworkSecurityRule", "azurerm_network_security_rule"),
        ("azure:storage/account:Account", "azurerm_storage_account"),
        ("azure:storage/container:Container", "azurerm_storage_container"),
        ("azure:core/resourceGroup:ResourceGroup", "azurerm_resource_group"),
        (
            "azure:machinelearning/computeCluster:ComputeCluster",
            "azurerm_machine_learning_compute_cluster",
        ),
        ("random:index/randomPassword:RandomPassword", "random_password"),
        ("azure-native:containerservice:AgentPool", "azurerm_kubernetes_cluster_node_pool"),
        ("azure-native:compute/v20240301:VirtualMachine", "azurerm_virtual_machine"),
        ("kubernetes:apps/v1:Deployment", "Deployment"),
        ("kubernetes:ray.io/v1:RayCluster", "RayCluster"),
        ("pulumi:pulumi:Stack", "pulumi:pulumi:Stack"),
        ("pulumi:providers:aws", "pulumi:providers:aws"),
        ("azure-native:web:WebApp", "azure-native:web:WebApp"),
        ("aws:s3:BucketEventSubscription", "aws:s3:BucketEventSubscription"),  # a component
    ],
)
def test_canonical_type(token: str, expected: str) -> None:
    assert canonical_type(token) == expected


def test_snake_case_keeps_acronyms_whole() -> None:
    assert [snake(n) for n in ("httpTokens", "bucketIAMMember", "cidrIpv6", "vmSize")] == [
        "http_tokens",
        "bucket_iam_member",
        "cidr_ipv6",
        "vm_size",
    ]


def test_attribute_shape() -> None:
    inputs = {
        "nodeConfig": {
            "machineType": "n1-standard-8",
            "guestAccelerators": [{"type": "nvidia-tesla-t4", "count": 1}],
            "resourceLabels": {"costCenter": "cc-42"},
        },
        "tags": {"CostCenter": "cc-42", "camelKey": "x"},
    }
    assert normalize(inputs, "google_container_node_pool") == {
        "node_config": {
            "machine_type": "n1-standard-8",
            "guest_accelerator": [{"type": "nvidia-tesla-t4", "count": 1}],
            "resource_labels": {"costCenter": "cc-42"},
        },
        "tags": {"CostCenter": "cc-42", "camelKey": "x"},
    }


def _resources() -> dict[tuple[str, str], dict[str, Any]]:
    return {(r["name"], r["type"]): r for r in build_input([str(CANONICAL)])["resources"]}


@pytest.mark.parametrize(
    ("name", "rtype", "native", "facts"),
    [
        (
            "gpu-pool",
            "google_container_node_pool",
            "gcp:container/nodePool:NodePool",
            {"capacity": "spot", "gpu_model": "T4", "gpu_total": 2},
        ),
        (
            "native-a100",
            "azurerm_linux_virtual_machine",
            "azure-native:compute:VirtualMachine",
            {"capacity": "spot", "gpu_model": "A100", "instance_type": "Standard_NC24ads_A100_v4"},
        ),
        (
            "native-vmss",
            "azurerm_linux_virtual_machine_scale_set",
            "azure-native:compute/v20240301:VirtualMachineScaleSet",
            {"capacity": "on-demand", "replicas": 3, "gpu_model": "A100"},
        ),
        (
            "gpu",
            "azurerm_kubernetes_cluster_node_pool",
            "azure-native:containerservice:AgentPool",
            {"capacity": "spot", "replicas": 2, "max": 4, "gpu_model": "A100"},
        ),
        (
            "llm-server",
            "Deployment",
            "kubernetes:apps/v1:Deployment",
            {"replicas": 2, "max": 50, "gpu_model": "L4", "namespace": "ml-prod"},
        ),
        (
            "research",
            "RayCluster",
            "kubernetes:ray.io/v1:RayCluster",
            {"replicas": 2, "gpu_total": 8, "namespace": "ml-dev"},
        ),
        (
            "finetune",
            "PyTorchJob",
            "kubernetes:apiextensions.k8s.io:CustomResource",
            {"replicas": 4, "gpu_total": 32, "namespace": "ml-dev"},
        ),
    ],
)
def test_pulumi_resources_are_sized_like_their_terraform_and_manifest_twins(
    name: str, rtype: str, native: str, facts: dict[str, Any]
) -> None:
    resource = _resources()[(name, rtype)]
    assert resource["native_type"] == native
    f = resource["facts"]
    actual = {
        "capacity": f["capacity"],
        "gpu_model": f["gpu"]["model"],
        "gpu_total": f["gpu"]["total"]["desired"],
        "instance_type": f["instance_type"],
        "replicas": f["replicas"]["desired"],
        "max": f["replicas"]["max"],
        "namespace": resource["namespace"],
    }
    assert {k: actual[k] for k in facts} == facts


@pytest.mark.parametrize("engine", ["python", "rego"])
def test_type_specific_policies_reach_pulumi_resources(engine: str) -> None:
    report = scan([str(CANONICAL)], ScanOptions(engine=engine, no_config=True))
    hits = {(f.policy, f.resource.rsplit("::", 1)[-1]) for f in report.findings}
    assert {
        ("GR-SEC-003", "ray-open"),  # gcp firewall `allows` open to the world
        ("GR-SEC-001", "public-weights"),  # allUsers on a GCS bucket
        ("GR-SEC-001", "checkpoints"),  # azure-native public blob container
        ("GR-SPOT-003", "native-a100"),  # azure-native spot VM without an eviction policy
        ("GR-SPOT-003", "classic-spot"),
        ("GR-COST-004", "llm-server"),  # HPA scaling the Pulumi Deployment to 50
    } <= hits
