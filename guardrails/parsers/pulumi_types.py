"""Canonical resource types for Pulumi type tokens: the Terraform name policies match on.

Pulumi's bridged providers (aws, gcp, azure, and every other Terraform-bridged package) name a
Terraform resource ``<package>:<module>/<resource>:<Resource>``. The Terraform name follows by
rule: ``<provider>_<module>_<resource in snake case>`` — the module is left out where it is
``index``, where the resource name already starts with it (``network/networkSecurityGroup``) or
where Terraform never had it (AWS ``ec2``, Azure ``compute``/``core``/``network``/
``containerservice``); :data:`OVERRIDES` lists the tokens that follow no rule. ``azure-native``
resources are ARM resources, not Terraform ones: the few that provision GPU compute or hold
public data map to their azurerm counterpart (see pulumi_attrs.py for their attribute shape).
"""

from __future__ import annotations

import re
from functools import lru_cache

#: Pulumi package -> the Terraform provider prefix of its type names.
PROVIDER_PREFIX = {"gcp": "google", "azure": "azurerm", "azuread": "azuread"}
#: Modules Terraform leaves out of type names, per package (aws:ec2/instance -> aws_instance).
DROPPED_MODULES = {
    "aws": frozenset({"ec2"}),
    "azure": frozenset({"compute", "core", "network", "containerservice"}),
}
#: Tokens (without the trailing ``:Resource``) whose Terraform name follows no rule.
OVERRIDES = {
    "aws:ec2/fleet": "aws_ec2_fleet",
    "aws:ec2/capacityReservation": "aws_ec2_capacity_reservation",
    "aws:ec2/host": "aws_ec2_host",
    "aws:ec2/tag": "aws_ec2_tag",
    "aws:ec2/managedPrefixList": "aws_ec2_managed_prefix_list",
    "aws:ec2transitgateway/transitGateway": "aws_ec2_transit_gateway",
    "aws:rds/instance": "aws_db_instance",
    "aws:rds/subnetGroup": "aws_db_subnet_group",
    "aws:rds/parameterGroup": "aws_db_parameter_group",
    "aws:lb/loadBalancer": "aws_lb",
    "aws:alb/loadBalancer": "aws_alb",
    "aws:elb/loadBalancer": "aws_elb",
    "aws:s3/bucketObjectv2": "aws_s3_object",
    "aws:efs/fileSystem": "aws_efs_file_system",
    "aws:iam/instanceProfile": "aws_iam_instance_profile",
    "aws:cloudwatch/metricAlarm": "aws_cloudwatch_metric_alarm",
    "gcp:projects/iAMMember": "google_project_iam_member",
    "gcp:projects/iAMBinding": "google_project_iam_binding",
    "gcp:projects/iAMPolicy": "google_project_iam_policy",
    "gcp:projects/service": "google_project_service",
    "gcp:organizations/project": "google_project",
    "gcp:serviceaccount/account": "google_service_account",
    "gcp:serviceaccount/key": "google_service_account_key",
    "gcp:serviceaccount/iAMMember": "google_service_account_iam_member",
    "gcp:vertex/aiEndpoint": "google_vertex_ai_endpoint",
    "azure:containerservice/registry": "azurerm_container_registry",
    "azure:machinelearning/computeCluster": "azurerm_machine_learning_compute_cluster",
    "azure:machinelearning/computeInstance": "azurerm_machine_learning_compute_instance",
    "azure:machinelearning/workspace": "azurerm_machine_learning_workspace",
    "azure:keyvault/keyVault": "azurerm_key_vault",
}
#: azure-native ``<module>:<Resource>`` -> the azurerm type with the same meaning.
AZURE_NATIVE = {
    "compute:VirtualMachine": "azurerm_virtual_machine",
    "compute:VirtualMachineScaleSet": "azurerm_orchestrated_virtual_machine_scale_set",
    "containerservice:AgentPool": "azurerm_kubernetes_cluster_node_pool",
    "containerservice:ManagedCluster": "azurerm_kubernetes_cluster",
    "storage:StorageAccount": "azurerm_storage_account",
    "storage:BlobContainer": "azurerm_storage_container",
    "resources:ResourceGroup": "azurerm_resource_group",
    "network:NetworkSecurityGroup": "azurerm_network_security_group",
    "network:SecurityRule": "azurerm_network_security_rule",
}

_LOWER_UPPER = re.compile(r"([a-z0-9])([A-Z])")
_ACRONYM_WORD = re.compile(r"([A-Z]+)([A-Z][a-z])")
#: Names of Pulumi's aws s3 v6 resources end in V2 where Terraform's have no suffix.
_S3_V2 = re.compile(r"V2$")


@lru_cache(maxsize=8192)
def snake(name: str) -> str:
    """``bucketIAMMember`` -> ``bucket_iam_member``; ``httpTokens`` -> ``http_tokens``.

    Cached: a preview repeats the same few hundred keys in every resource (two regex
    substitutions per key were 2 s of a profiled 10k-step preview)."""
    return _LOWER_UPPER.sub(r"\1_\2", _ACRONYM_WORD.sub(r"\1_\2", name)).lower()


def _split(token: str) -> tuple[str, str, str] | None:
    parts = token.split(":")
    if len(parts) != 3 or not all(parts):
        return None
    return parts[0], parts[1], parts[2]


def bridged_type(token: str) -> str | None:
    """The Terraform type of a bridged provider's token, or None when it is not one."""
    parts = _split(token)
    if parts is None:
        return None
    package, module_path, _ = parts
    if package in ("pulumi", "kubernetes", "azure-native", "google-native", "aws-native"):
        return None
    module, slash, resource = module_path.partition("/")
    if not slash:
        return None  # `aws:s3:BucketEventSubscription`: a Pulumi component, not a Terraform type
    key = f"{package}:{module}/{resource}"
    if key in OVERRIDES:
        return OVERRIDES[key]
    if package == "aws" and module == "s3":
        resource = _S3_V2.sub("", resource)
    name = snake(resource)
    prefix = PROVIDER_PREFIX.get(package, package)
    drop = (
        module == "index"
        or module in DROPPED_MODULES.get(package, frozenset())
        or name.replace("_", "").startswith(module.lower())
    )
    if name.replace("_", "").startswith(prefix.replace("_", "")):
        return name  # index/randomPassword -> random_password, not random_random_password
    return f"{prefix}_{name}" if drop else f"{prefix}_{module.lower()}_{name}"


def azure_native_type(token: str) -> str | None:
    """``azure-native:compute:VirtualMachine`` (or ``compute/v20240301:…``) -> azurerm type."""
    parts = _split(token)
    if parts is None or parts[0] != "azure-native":
        return None
    module = parts[1].split("/", 1)[0]
    return AZURE_NATIVE.get(f"{module}:{parts[2]}")


def kubernetes_kind(token: str) -> tuple[str, str] | None:
    """``kubernetes:apps/v1:Deployment`` -> (``apps/v1``, ``Deployment``); core group -> ``v1``.

    Pulumi-side kinds (``helm.sh/v3:Chart``, ``yaml:ConfigFile``, ``CustomResource`` with no
    kind of its own) are None: they are groupings or carry apiVersion/kind in their inputs.
    """
    parts = _split(token)
    if parts is None or parts[0] != "kubernetes":
        return None
    group_version, kind = parts[1], parts[2]
    if "/" not in group_version or group_version.startswith(("helm.sh/", "yaml/", "kustomize/")):
        return None
    group, _, version = group_version.partition("/")
    return (version if group == "core" else group_version), kind


def canonical_type(token: str) -> str:
    """The type policies match: the Terraform name or Kubernetes kind, else the token itself."""
    k8s = kubernetes_kind(token)
    if k8s is not None:
        return k8s[1]
    return azure_native_type(token) or bridged_type(token) or token
