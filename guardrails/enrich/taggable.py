"""Which resources carry tags or labels natively (the ones tagging policies apply to)."""

from __future__ import annotations

from guardrails.enrich.attrs import kind
from guardrails.model import Resource

#: Terraform providers whose resources exist only in state and have no tags.
_UNTAGGED_PROVIDERS = {
    "null",
    "random",
    "local",
    "tls",
    "time",
    "terraform",
    "archive",
    "external",
    "http",
    "template",
    "cloudinit",
    "helm",
    "kubernetes",
    "pulumi",
}
_TAG_KEYS = ("tags", "labels", "tags_all", "tag", "resource_labels")
_KUBERNETES_TAGGABLE = {"Service", "NodePool", "Namespace"}
#: Common taggable types, for HCL where an unwritten `tags` argument is simply absent.
_KNOWN_TAGGABLE = {
    "aws_instance",
    "aws_spot_instance_request",
    "aws_launch_template",
    "aws_autoscaling_group",
    "aws_eks_cluster",
    "aws_eks_node_group",
    "aws_s3_bucket",
    "aws_ebs_volume",
    "aws_db_instance",
    "aws_efs_file_system",
    "aws_security_group",
    "aws_vpc",
    "aws_subnet",
    "aws_lb",
    "aws_sagemaker_endpoint",
    "aws_sagemaker_endpoint_configuration",
    "aws_sagemaker_notebook_instance",
    "aws_sagemaker_model",
    "aws_batch_compute_environment",
    "aws_ecr_repository",
    "aws_kms_key",
    "google_compute_instance",
    "google_compute_instance_template",
    "google_compute_disk",
    "google_storage_bucket",
    "google_container_cluster",
    "google_workbench_instance",
    "azurerm_linux_virtual_machine",
    "azurerm_windows_virtual_machine",
    "azurerm_linux_virtual_machine_scale_set",
    "azurerm_kubernetes_cluster",
    "azurerm_kubernetes_cluster_node_pool",
    "azurerm_storage_account",
    "azurerm_resource_group",
    "azurerm_machine_learning_compute_cluster",
    "azurerm_managed_disk",
}


def is_taggable(resource: Resource) -> bool:
    """A managed cloud resource with tags/labels in its schema, or a Kubernetes workload."""
    if resource.mode != "managed":
        return False
    if resource.is_kubernetes_object:
        return resource.workload is not None or resource.type in _KUBERNETES_TAGGABLE
    if resource.provider in _UNTAGGED_PROVIDERS:
        return False
    attributes = resource.attributes or {}
    return any(key in attributes for key in _TAG_KEYS) or kind(resource) in _KNOWN_TAGGABLE
