"""Python twin of GR-COST-006: idle GPU without a shutdown path."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from typing import Any

from guardrails.engines.base import RawFinding
from guardrails.engines.python.index import Resources
from guardrails.engines.python.registry import twin
from guardrails.engines.python.util import (
    Doc,
    Resource,
    at,
    blocks,
    finding,
    is_number,
    neighbors,
    resource_types,
    unknown_path,
)

_JOB_KINDS = resource_types("bounded_jobs")
_KUBEFLOW_JOBS = resource_types("kubeflow_jobs")
_GPU_NODE = re.compile(r"^(g4dn|g5|g6|p3|p4d|p5)\.|^Standard_N[CDV]|^(a2|a3|g2)-")


def _has(obj: Any, key: str) -> bool:
    return isinstance(obj, dict) and key in obj and obj[key] is not None


def _first(value: Any) -> Any:
    found = blocks(value)
    return found[0] if found else {}


def _get(value: Any, key: str, default: Any) -> Any:
    """``object.get(value, key, default)``."""
    return value.get(key, default) if isinstance(value, dict) else default


def _culling_enabled(resources: Resources) -> bool:
    for r in resources.of_types(("Deployment",)):
        containers = at(r.get("attributes"), "spec", "template", "spec", "containers")
        for c in blocks(containers if containers is not None else []):
            for e in blocks(_get(c, "env", [])):
                value = _get(e, "value", None)
                named = _get(e, "name", None) == "ENABLE_CULLING"
                if named and isinstance(value, str) and value.lower() == "true":
                    return True
    return False


def _gpu_databricks(a: Any) -> bool:
    version = _get(a, "spark_version", "")
    if isinstance(version, str) and "gpu" in version.lower():
        return True
    node = _get(a, "node_type_id", "")
    return isinstance(node, str) and _GPU_NODE.search(node) is not None


def _kube_gpu(r: Resource) -> bool:
    return r.get("provider") == "kubernetes" and r["facts"].get("is_gpu") is True


def _bounded_job(r: Resource, culling: bool) -> str | None:
    spec = _get(r.get("attributes"), "spec", {})
    if not _has(spec, "activeDeadlineSeconds") and not _has(spec, "ttlSecondsAfterFinished"):
        return (
            "runs GPUs with neither spec.activeDeadlineSeconds nor "
            "spec.ttlSecondsAfterFinished, so nothing bounds how long it holds them"
        )
    return None


def _cron_job(r: Resource, culling: bool) -> str | None:
    spec = at(r.get("attributes"), "spec", "jobTemplate", "spec")
    spec = spec if spec is not None else {}
    if not _has(spec, "activeDeadlineSeconds") and not _has(spec, "ttlSecondsAfterFinished"):
        return (
            "starts GPU jobs with neither activeDeadlineSeconds nor "
            "ttlSecondsAfterFinished in spec.jobTemplate.spec"
        )
    return None


def _kubeflow_job(r: Resource, culling: bool) -> str | None:
    policy = at(r.get("attributes"), "spec", "runPolicy")
    policy = policy if policy is not None else {}
    if not _has(policy, "activeDeadlineSeconds") and not _has(policy, "ttlSecondsAfterFinished"):
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
    instance_type = _get(a, "instance_type", "")
    if (
        isinstance(instance_type, str)
        and instance_type.startswith(("ml.g", "ml.p"))
        and not _has(a, "lifecycle_config_name")
        and not unknown_path(r, "lifecycle_config_name")
    ):
        return (
            f"runs a GPU notebook ({instance_type}) with no lifecycle_config_name, so no "
            "idle auto-stop script can run"
        )
    return None


def _databricks(r: Resource, culling: bool) -> str | None:
    a = r.get("attributes")
    minutes = _get(a, "autotermination_minutes", None)
    if is_number(minutes) and minutes == 0 and _gpu_databricks(a):
        return "is a GPU cluster with autotermination_minutes = 0, so it never terminates when idle"
    return None


def _vertex_runtime(r: Resource, culling: bool) -> str | None:
    a = r.get("attributes")
    vm = _first(_get(a, "virtual_machine", []))
    config = _first(_get(vm, "virtual_machine_config", []))
    software = _first(_get(a, "software_config", []))
    if (
        blocks(_get(config, "accelerator_config", []))
        and _get(software, "idle_shutdown", None) is False
    ):
        return "is a GPU Vertex AI runtime with software_config.idle_shutdown = false"
    return None


def _dev_vm(r: Resource, culling: bool) -> str | None:
    f = r["facts"]
    if (
        f.get("is_gpu") is True
        and f.get("environment") == "dev"
        and not _has(_first(_get(r.get("attributes"), "scheduling", [])), "max_run_duration")
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


def _unknown_block(r: Resource, parts: list[str]) -> str | None:
    """An unknown path at or around a nested block, in the plan or the Pulumi shape."""
    return unknown_path(r, ".0.".join(parts)) or unknown_path(r, ".".join(parts))


_STUDIO_APPS = ("jupyter_lab_app_settings", "code_editor_app_settings")
_STUDIO_SETTINGS = {
    "aws_sagemaker_domain": "default_user_settings",
    "aws_sagemaker_user_profile": "user_settings",
}


def _idle_settings(r: Resource, app: str) -> Any:
    settings = _first(_get(r.get("attributes"), _STUDIO_SETTINGS[r["type"]], []))
    lifecycle = _first(_get(_first(_get(settings, app, [])), "app_lifecycle_management", []))
    return _first(_get(lifecycle, "idle_settings", []))


def _studio_gap(r: Resource, app: str, limit: Any) -> str | None:
    idle = _idle_settings(r, app)
    state = _get(idle, "lifecycle_management", None)
    if r["type"] == "aws_sagemaker_domain" and state is None:
        return ".lifecycle_management is not set, and Studio idle shutdown is off unless enabled"
    if state == "DISABLED":
        return ".lifecycle_management is DISABLED"
    for key in ("idle_timeout_in_minutes", "max_idle_timeout_in_minutes"):
        minutes = _get(idle, key, None)
        if is_number(minutes) and minutes > limit:
            return (
                f".{key} is {_count_text(minutes)} minutes, above max_idle_shutdown_minutes "
                f"{int(limit)}"
            )
    return None


def _studio_findings(r: Resource, limit: Any) -> list[RawFinding]:
    out: list[RawFinding] = []
    settings = _STUDIO_SETTINGS[r["type"]]
    for app in _STUDIO_APPS:
        hidden = _unknown_block(r, [settings, app, "app_lifecycle_management", "idle_settings"])
        if hidden:
            out.append(
                finding(
                    r,
                    f"Studio idle shutdown is unknown until apply ({hidden}), so it cannot be "
                    "checked",
                    outcome="unknown",
                    attribute=hidden,
                )
            )
            continue
        gap = _studio_gap(r, app, limit)
        if gap is not None:
            out.append(
                finding(
                    r,
                    "lets users keep Studio spaces on GPU instances (ml.g*/ml.p*) running idle: "
                    f"{settings}.{app}.app_lifecycle_management.idle_settings{gap}",
                )
            )
    return out


_WORKBENCH_GPU_MACHINE = re.compile(r"(a2|a3|a4|g2)-")
_WHOLE_NUMBER = re.compile(r"-?[0-9]{1,12}")


def _count_text(n: Any) -> str:
    """Rego's ``count_text``: a whole number, huge ones named (regopy wraps past 64 bits)."""
    return str(math.floor(n)) if n < 1_000_000_000_000 else "more than 10^12"


def _workbench_gpu(setup: Any) -> bool:
    if blocks(_get(setup, "accelerator_configs", [])):
        return True
    machine = _get(setup, "machine_type", "")
    return isinstance(machine, str) and _WORKBENCH_GPU_MACHINE.match(machine) is not None


def _whole_number(value: Any) -> Any:
    if is_number(value):
        return value
    if isinstance(value, str) and _WHOLE_NUMBER.fullmatch(value):
        return int(value)
    return None


def _idle_seconds_gap(value: Any, limit: Any) -> str | None:
    seconds = _whole_number(value)
    if seconds is None:
        return "is not a number of seconds, so idle shutdown cannot run"
    if seconds <= 0:
        return "is not a positive number of seconds, so idle shutdown is off"
    if seconds > limit * 60:
        return (
            f"is {_count_text(seconds)} s, above max_idle_shutdown_minutes {int(limit)} "
            f"({int(limit * 60)} s)"
        )
    return None


def _workbench_finding(r: Resource, limit: Any) -> RawFinding | None:
    setup = _first(_get(r.get("attributes"), "gce_setup", []))
    if not _workbench_gpu(setup):
        return None
    hidden = _unknown_block(r, ["gce_setup", "metadata"])
    if hidden:
        return finding(
            r,
            f"is a GPU Workbench instance whose metadata is unknown until apply ({hidden}), so "
            "its idle shutdown cannot be checked",
            outcome="unknown",
            attribute=hidden,
        )
    value = _get(_get(setup, "metadata", {}), "idle-timeout-seconds", None)
    gap = _idle_seconds_gap(value, limit) if value is not None else None
    if gap is None:
        return None
    return finding(
        r, f'is a GPU Workbench instance whose gce_setup.metadata["idle-timeout-seconds"] {gap}'
    )


def _field(obj: Any, key: str) -> Any:
    """Rego's ``field``: ``obj[key]`` when ``obj`` is an object holding it (not null), else {}."""
    if isinstance(obj, dict) and obj.get(key) is not None:
        return obj[key]
    return {}


def _azapi_body(a: Resource) -> Any:
    body = _get(a.get("attributes"), "body", None)
    if isinstance(body, dict):
        return body
    if isinstance(body, str):
        try:
            parsed = json.loads(body, parse_constant=_reject_constant)
        except (ValueError, RecursionError):
            return {}
        return parsed if isinstance(parsed, dict) else {}
    return {}


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _azapi_stops(body: Any) -> bool:
    outer = _field(body, "properties")
    for props in (body, outer, _field(outer, "properties")):
        if not isinstance(props, dict):
            continue
        idle = props.get("idleTimeBeforeShutdown", "")
        if isinstance(idle, str) and idle != "":
            return True
        for entry in blocks(_get(_field(props, "schedules"), "computeStartStop", [])):
            if (
                isinstance(entry, dict)
                and entry.get("action", "") == "Stop"
                and entry.get("status", "Enabled") != "Disabled"
            ):
                return True
    return False


def _azure_gpu_size(size: Any) -> bool:
    return isinstance(size, str) and size.lower().startswith("standard_n")


_AZURE_GAP = (
    "no idle shutdown: the azurerm provider has no idle-shutdown argument and ARM's "
    "idleTimeBeforeShutdown is unset unless given; no azapi resource in this change sets it "
    "or a Stop schedule (schedules.computeStartStop)"
)


def _azure_finding(r: Resource, patchers: set[str]) -> RawFinding | None:
    a = r.get("attributes")
    if any(n.get("id") in patchers for n in neighbors(r, "in")):
        return None
    if r["type"] == "azurerm_machine_learning_compute_instance":
        size = _get(a, "virtual_machine_size", "")
        if _azure_gpu_size(size):
            return finding(r, f"is a GPU Azure ML compute instance ({size}) with {_AZURE_GAP}")
        return None
    kind = _get(a, "type", "")
    if not isinstance(kind, str) or not kind.lower().startswith(
        "microsoft.machinelearningservices/workspaces/computes@"
    ):
        return None
    body = _azapi_body(r)
    props = _field(body, "properties")
    size = _get(_field(props, "properties"), "vmSize", "")
    if (
        _get(props, "computeType", "") == "ComputeInstance"
        and _azure_gpu_size(size)
        and not _azapi_stops(body)
    ):
        return finding(
            r,
            f"creates a GPU Azure ML compute instance ({size}) with neither "
            "properties.properties.idleTimeBeforeShutdown nor a Stop schedule "
            "(schedules.computeStartStop)",
        )
    return None


#: The types GR-COST-006 judges: the idle checks', Workbench, Azure ML and SageMaker Studio's.
_WORKBENCH = "google_workbench_instance"
_AZURE_COMPUTE = ("azurerm_machine_learning_compute_instance", "azapi_resource")
_JUDGED = frozenset((*_IDLE_CHECKS, _WORKBENCH, *_AZURE_COMPUTE, *_STUDIO_SETTINGS))


@twin("GR-COST-006")
def idle_gpu_without_shutdown(resources: Resources, config: Doc) -> list[RawFinding]:
    culling = _culling_enabled(resources)
    limit = config["max_idle_shutdown_minutes"]
    azapi = [t for t in resources.types if t.startswith("azapi_")]
    patchers = {a["id"] for a in resources.of_types(azapi) if _azapi_stops(_azapi_body(a))}
    out: list[RawFinding] = []
    studio: list[RawFinding] = []
    for r in resources.live_of(_JUDGED):
        kind = r["type"]
        found: RawFinding | None = None
        if kind == _WORKBENCH:
            found = _workbench_finding(r, limit)
        elif kind in _AZURE_COMPUTE:
            found = _azure_finding(r, patchers)
        else:
            why = _idle_reason(r, culling)
            found = finding(r, why) if why is not None else None
        if found is not None:
            out.append(found)
        if kind in _STUDIO_SETTINGS:
            studio.extend(_studio_findings(r, limit))
    return out + studio
