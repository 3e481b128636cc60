"""Sizing of cloud compute resources (Terraform and Pulumi), per gpu_catalog.md §6.

One module per cloud (aws, gcp, azure) over the shared helpers in ``common``; CLOUD_SIZERS
maps each canonical resource type to its sizer.
"""

from __future__ import annotations

from guardrails.enrich.cloud.aws import (
    aws_autoscaling_group,
    aws_batch_compute_environment,
    aws_eks_node_group,
    aws_instance,
    aws_sagemaker_endpoint_configuration,
    aws_template,
)
from guardrails.enrich.cloud.azure import (
    azure_kubernetes_cluster,
    azure_ml_compute_cluster,
    azure_ml_compute_instance,
    azure_node_pool,
    azure_scale_set,
    azure_vm,
)
from guardrails.enrich.cloud.common import SizingFunction
from guardrails.enrich.cloud.gcp import (
    google_compute_instance,
    google_container_cluster,
    google_container_node_pool,
    google_instance_group_manager,
    google_notebooks_runtime,
    google_tpu_vm,
    google_workbench_instance,
)

CLOUD_SIZERS: dict[str, SizingFunction] = {
    "aws_instance": aws_instance,
    "aws_spot_instance_request": aws_instance,
    "aws_launch_template": aws_template,
    "aws_launch_configuration": aws_template,
    "aws_autoscaling_group": aws_autoscaling_group,
    "aws_eks_node_group": aws_eks_node_group,
    "aws_sagemaker_endpoint_configuration": aws_sagemaker_endpoint_configuration,
    "aws_sagemaker_notebook_instance": aws_instance,
    "aws_batch_compute_environment": aws_batch_compute_environment,
    "google_compute_instance": google_compute_instance,
    "google_compute_instance_template": google_compute_instance,
    "google_compute_region_instance_template": google_compute_instance,
    "google_compute_instance_group_manager": google_instance_group_manager,
    "google_compute_region_instance_group_manager": google_instance_group_manager,
    "google_container_node_pool": google_container_node_pool,
    "google_container_cluster": google_container_cluster,
    "google_workbench_instance": google_workbench_instance,
    "google_notebooks_instance": google_workbench_instance,
    "google_notebooks_runtime": google_notebooks_runtime,
    "google_tpu_v2_vm": google_tpu_vm,
    "google_tpu_node": google_tpu_vm,
    "azurerm_linux_virtual_machine": azure_vm,
    "azurerm_windows_virtual_machine": azure_vm,
    "azurerm_virtual_machine": azure_vm,
    "azurerm_linux_virtual_machine_scale_set": azure_scale_set,
    "azurerm_windows_virtual_machine_scale_set": azure_scale_set,
    "azurerm_orchestrated_virtual_machine_scale_set": azure_scale_set,
    "azurerm_kubernetes_cluster_node_pool": azure_node_pool,
    "azurerm_kubernetes_cluster": azure_kubernetes_cluster,
    "azurerm_machine_learning_compute_cluster": azure_ml_compute_cluster,
    "azurerm_machine_learning_compute_instance": azure_ml_compute_instance,
}
