"""Python twin of GR-COST-006: idle GPU without a shutdown path."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from guardrails.engines.base import RawFinding
from guardrails.engines.python.cost.idle_services import (
    STUDIO_SETTINGS,
    azapi_patchers,
    azure_finding,
    studio_findings,
    workbench_finding,
)
from guardrails.engines.python.index import Resources
from guardrails.engines.python.registry import twin
from guardrails.engines.python.util import (
    Doc,
    Resource,
    at,
    blocks,
    finding,
    first_block,
    has_value,
    is_number,
    object_get,
    resource_types,
    unknown_path,
)
from guardrails.lazy_regex import LazyPattern

_JOB_KINDS = resource_types("bounded_jobs")
_KUBEFLOW_JOBS = resource_types("kubeflow_jobs")
_GPU_NODE = LazyPattern(r"^(g4dn|g5|g6|p3|p4d|p5)\.|^Standard_N[CDV]|^(a2|a3|g2)-")


def _culling_enabled(resources: Resources) -> bool:
    for r in resources.of_types(("Deployment",)):
        containers = at(r.get("attributes"), "spec", "template", "spec", "containers")
        for c in blocks(containers if containers is not None else []):
            for e in blocks(object_get(c, "env", [])):
                value = object_get(e, "value", None)
                named = object_get(e, "name", None) == "ENABLE_CULLING"
                if named and isinstance(value, str) and value.lower() == "true":
                    return True
    return False


def _gpu_databricks(a: Any) -> bool:
    version = object_get(a, "spark_version", "")
    if isinstance(version, str) and "gpu" in version.lower():
        return True
    node = object_get(a, "node_type_id", "")
    return isinstance(node, str) and _GPU_NODE.search(node) is not None


def _unbounded(spec: Any) -> bool:
    """Neither ``activeDeadlineSeconds`` nor ``ttlSecondsAfterFinished`` is set."""
    return not has_value(spec, "activeDeadlineSeconds") and not has_value(
        spec, "ttlSecondsAfterFinished"
    )


def _kube_gpu(r: Resource) -> bool:
    return r.get("provider") == "kubernetes" and r["facts"].get("is_gpu") is True


def _bounded_job(r: Resource, culling: bool) -> str | None:
    spec = object_get(r.get("attributes"), "spec", {})
    if _unbounded(spec):
        return (
            "runs GPUs with neither spec.activeDeadlineSeconds nor "
            "spec.ttlSecondsAfterFinished, so nothing bounds how long it holds them"
        )
    return None


def _cron_job(r: Resource, culling: bool) -> str | None:
    spec = at(r.get("attributes"), "spec", "jobTemplate", "spec")
    spec = spec if spec is not None else {}
    if _unbounded(spec):
        return (
            "starts GPU jobs with neither activeDeadlineSeconds nor "
            "ttlSecondsAfterFinished in spec.jobTemplate.spec"
        )
    return None


def _kubeflow_job(r: Resource, culling: bool) -> str | None:
    policy = at(r.get("attributes"), "spec", "runPolicy")
    policy = policy if policy is not None else {}
    if _unbounded(policy):
        return (
            "runs GPUs with neither spec.runPolicy.activeDeadlineSeconds nor "
            "spec.runPolicy.ttlSecondsAfterFinished"
        )
    return None


def _ray_cluster(r: Resource, culling: bool) -> str | None:
    enabled = at(r.get("attributes"), "spec", "enableInTreeAutoscaling")
    if (enabled if enabled is not None else False) is not True:
        return (
            "keeps GPU workers up with no autoscaler (spec.enableInTreeAutoscaling), so "
            "idle workers are never removed"
        )
    return None


def _notebook(r: Resource, culling: bool) -> str | None:
    if culling:
        return None
    return (
        "is a GPU notebook and no notebook-controller in this change sets "
        "ENABLE_CULLING=true (culling is off by default), so an idle notebook keeps its GPUs"
    )


def _sagemaker_notebook(r: Resource, culling: bool) -> str | None:
    a = r.get("attributes")
    instance_type = object_get(a, "instance_type", "")
    if (
        isinstance(instance_type, str)
        and instance_type.startswith(("ml.g", "ml.p"))
        and not has_value(a, "lifecycle_config_name")
        and not unknown_path(r, "lifecycle_config_name")
    ):
        return (
            f"runs a GPU notebook ({instance_type}) with no lifecycle_config_name, so no "
            "idle auto-stop script can run"
        )
    return None


def _databricks(r: Resource, culling: bool) -> str | None:
    a = r.get("attributes")
    minutes = object_get(a, "autotermination_minutes", None)
    if is_number(minutes) and minutes == 0 and _gpu_databricks(a):
        return "is a GPU cluster with autotermination_minutes = 0, so it never terminates when idle"
    return None


def _vertex_runtime(r: Resource, culling: bool) -> str | None:
    a = r.get("attributes")
    vm = first_block(object_get(a, "virtual_machine", []))
    config = first_block(object_get(vm, "virtual_machine_config", []))
    software = first_block(object_get(a, "software_config", []))
    if (
        blocks(object_get(config, "accelerator_config", []))
        and object_get(software, "idle_shutdown", None) is False
    ):
        return "is a GPU Vertex AI runtime with software_config.idle_shutdown = false"
    return None


def _dev_vm(r: Resource, culling: bool) -> str | None:
    f = r["facts"]
    if (
        f.get("is_gpu") is True
        and f.get("environment") == "dev"
        and not has_value(
            first_block(object_get(r.get("attributes"), "scheduling", [])), "max_run_duration"
        )
        and not unknown_path(r, "scheduling")
    ):
        return (
            "is a dev GPU VM without scheduling.max_run_duration, so it runs until someone stops it"
        )
    return None


_IdleCheck = Callable[[Resource, bool], "str | None"]
#: The idle checks by resource type, in the policy's order (the first that finds a gap wins);
#: Kubernetes kinds count only as GPU objects of the kubernetes provider.
_IDLE_CHECKS: dict[str, list[tuple[bool, _IdleCheck]]] = {}
for _kinds, _kube, _check in (
    (_JOB_KINDS, True, _bounded_job),
    (("CronJob",), True, _cron_job),
    (_KUBEFLOW_JOBS, True, _kubeflow_job),
    (("RayCluster",), True, _ray_cluster),
    (("Notebook",), True, _notebook),
    (("aws_sagemaker_notebook_instance",), False, _sagemaker_notebook),
    (("databricks_cluster",), False, _databricks),
    (("google_notebooks_runtime",), False, _vertex_runtime),
    (("google_compute_instance",), False, _dev_vm),
):
    for _kind in _kinds:
        _IDLE_CHECKS.setdefault(_kind, []).append((_kube, _check))


def _idle_reason(r: Resource, culling: bool) -> str | None:
    for kube, check in _IDLE_CHECKS.get(r["type"], ()):
        if kube and not _kube_gpu(r):
            continue
        why = check(r, culling)
        if why is not None:
            return why
    return None


#: The types GR-COST-006 judges: the idle checks', Workbench, Azure ML and SageMaker Studio's.
_WORKBENCH = "google_workbench_instance"
_AZURE_COMPUTE = ("azurerm_machine_learning_compute_instance", "azapi_resource")
_JUDGED = frozenset((*_IDLE_CHECKS, _WORKBENCH, *_AZURE_COMPUTE, *STUDIO_SETTINGS))


@twin("GR-COST-006")
def idle_gpu_without_shutdown(resources: Resources, config: Doc) -> list[RawFinding]:
    culling = _culling_enabled(resources)
    limit = config["max_idle_shutdown_minutes"]
    patchers = azapi_patchers(resources)
    out: list[RawFinding] = []
    studio: list[RawFinding] = []
    for r in resources.live_of(_JUDGED):
        kind = r["type"]
        found: RawFinding | None = None
        if kind == _WORKBENCH:
            found = workbench_finding(r, limit)
        elif kind in _AZURE_COMPUTE:
            found = azure_finding(r, patchers)
        else:
            why = _idle_reason(r, culling)
            found = finding(r, why) if why is not None else None
        if found is not None:
            out.append(found)
        if kind in STUDIO_SETTINGS:
            studio.extend(studio_findings(r, limit))
    return out + studio
