"""What a resource is for: training, inference, batch, notebook, dev (or unknown)."""

from __future__ import annotations

from guardrails.model import Resource

WORKLOAD_CLASSES = ("training", "inference", "batch", "notebook", "dev")
_BY_KIND = {
    "Job": "batch",
    "CronJob": "batch",
    "PyTorchJob": "training",
    "TFJob": "training",
    "MPIJob": "training",
    "XGBoostJob": "training",
    "PaddleJob": "training",
    "JAXJob": "training",
    "TrainJob": "training",
    "RayJob": "training",
    "JobSet": "training",
    "InferenceService": "inference",
    "LLMInferenceService": "inference",
    "RayService": "inference",
    "ServingRuntime": "inference",
    "Notebook": "notebook",
    "aws_sagemaker_notebook_instance": "notebook",
    "google_workbench_instance": "notebook",
    "google_notebooks_instance": "notebook",
    "azurerm_machine_learning_compute_instance": "notebook",
    "aws_sagemaker_endpoint_configuration": "inference",
    "aws_sagemaker_endpoint": "inference",
    "google_vertex_ai_endpoint": "inference",
    "aws_batch_compute_environment": "batch",
    "aws_batch_job_definition": "batch",
    "azurerm_batch_pool": "batch",
    "azurerm_machine_learning_compute_cluster": "training",
}
_SERVED_KINDS = {"Deployment", "StatefulSet", "ReplicaSet"}
_VOLCANO_GROUP = "batch.volcano.sh"


def workload_class_of(resource: Resource, kind: str, selected_by_service: bool) -> str:
    """The ``workload`` tag/label when valid, else the class the kind implies, else unknown."""
    value: str = ""
    for key, found in resource.labels.items():
        if key.lower() == "workload":
            value = found  # the last spelling wins, as a case-folded mapping of the labels
    label = value.strip().lower()
    if label in WORKLOAD_CLASSES:
        return label
    if kind == "Job" and str(resource.attributes.get("apiVersion", "")).startswith(_VOLCANO_GROUP):
        return "batch"
    if kind in _BY_KIND:
        return _BY_KIND[kind]
    if kind in _SERVED_KINDS and selected_by_service:
        return "inference"
    return "unknown"
