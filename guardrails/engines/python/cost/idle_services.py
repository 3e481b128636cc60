"""GR-COST-006's checks of managed notebook services: SageMaker Studio, Vertex AI Workbench
and Azure ML compute instances (the twin is in idle.py)."""

from __future__ import annotations

import json
import math
from typing import Any

from guardrails.engines.base import RawFinding
from guardrails.engines.python.index import Resources
from guardrails.engines.python.util import (
    Resource,
    blocks,
    finding,
    first_block,
    is_number,
    neighbors,
    object_get,
    unknown_path,
)
from guardrails.lazy_regex import LazyPattern


def _unknown_block(r: Resource, parts: list[str]) -> str | None:
    """An unknown path at or around a nested block, in the plan or the Pulumi shape."""
    return unknown_path(r, ".0.".join(parts)) or unknown_path(r, ".".join(parts))


_STUDIO_APPS = ("jupyter_lab_app_settings", "code_editor_app_settings")
STUDIO_SETTINGS = {
    "aws_sagemaker_domain": "default_user_settings",
    "aws_sagemaker_user_profile": "user_settings",
}


def _idle_settings(r: Resource, app: str) -> Any:
    settings = first_block(object_get(r.get("attributes"), STUDIO_SETTINGS[r["type"]], []))
    lifecycle = first_block(
        object_get(first_block(object_get(settings, app, [])), "app_lifecycle_management", [])
    )
    return first_block(object_get(lifecycle, "idle_settings", []))


def _studio_gap(r: Resource, app: str, limit: Any) -> str | None:
    idle = _idle_settings(r, app)
    state = object_get(idle, "lifecycle_management", None)
    if r["type"] == "aws_sagemaker_domain" and state is None:
        return ".lifecycle_management is not set, and Studio idle shutdown is off unless enabled"
    if state == "DISABLED":
        return ".lifecycle_management is DISABLED"
    for key in ("idle_timeout_in_minutes", "max_idle_timeout_in_minutes"):
        minutes = object_get(idle, key, None)
        if is_number(minutes) and minutes > limit:
            return (
                f".{key} is {_count_text(minutes)} minutes, above max_idle_shutdown_minutes "
                f"{int(limit)}"
            )
    return None


def studio_findings(r: Resource, limit: Any) -> list[RawFinding]:
    out: list[RawFinding] = []
    settings = STUDIO_SETTINGS[r["type"]]
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


_WORKBENCH_GPU_MACHINE = LazyPattern(r"(a2|a3|a4|g2)-")
_WHOLE_NUMBER = LazyPattern(r"-?[0-9]{1,12}")


def _count_text(n: Any) -> str:
    """Rego's ``count_text``: a whole number, huge ones named (regopy wraps past 64 bits)."""
    return str(math.floor(n)) if n < 1_000_000_000_000 else "more than 10^12"


def _workbench_gpu(setup: Any) -> bool:
    if blocks(object_get(setup, "accelerator_configs", [])):
        return True
    machine = object_get(setup, "machine_type", "")
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


def workbench_finding(r: Resource, limit: Any) -> RawFinding | None:
    setup = first_block(object_get(r.get("attributes"), "gce_setup", []))
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
    value = object_get(object_get(setup, "metadata", {}), "idle-timeout-seconds", None)
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
    body = object_get(a.get("attributes"), "body", None)
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
        for entry in blocks(object_get(_field(props, "schedules"), "computeStartStop", [])):
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


def azure_finding(r: Resource, patchers: set[str]) -> RawFinding | None:
    a = r.get("attributes")
    if any(n.get("id") in patchers for n in neighbors(r, "in")):
        return None
    if r["type"] == "azurerm_machine_learning_compute_instance":
        size = object_get(a, "virtual_machine_size", "")
        if _azure_gpu_size(size):
            return finding(r, f"is a GPU Azure ML compute instance ({size}) with {_AZURE_GAP}")
        return None
    kind = object_get(a, "type", "")
    if not isinstance(kind, str) or not kind.lower().startswith(
        "microsoft.machinelearningservices/workspaces/computes@"
    ):
        return None
    body = _azapi_body(r)
    props = _field(body, "properties")
    size = object_get(_field(props, "properties"), "vmSize", "")
    if (
        object_get(props, "computeType", "") == "ComputeInstance"
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


def azapi_patchers(resources: Resources) -> set[str]:
    """Ids of the azapi resources (of any mode or action) that set an idle shutdown or a Stop
    schedule: a compute instance they patch has one."""
    azapi = [t for t in resources.types if t.startswith("azapi_")]
    return {a["id"] for a in resources.of_types(azapi) if _azapi_stops(_azapi_body(a))}
