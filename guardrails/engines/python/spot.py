"""Python twins of the spot policies (policies/spot)."""

from __future__ import annotations

from guardrails.engines.base import RawFinding
from guardrails.engines.python.index import Resources
from guardrails.engines.python.registry import twin
from guardrails.engines.python.util import (
    SPOT_TAINT_KEYS,
    Doc,
    Resource,
    blocks,
    finding,
    one_of,
    resource_types,
    templates,
)
from guardrails.model.contract import PodTemplate

_BATCH = {"training", "batch"}
_OUTSIDE_PROD = {"dev", "staging"}


@twin("GR-SPOT-001")
def training_on_demand(resources: Resources, config: Doc) -> list[RawFinding]:
    out = []
    for r in resources.group("gpu"):
        f = r["facts"]
        if f["workload_class"] not in _BATCH or f["environment"] not in _OUTSIDE_PROD:
            continue
        if f["capacity"] == "on-demand":
            saving = f.get("spot_saving_monthly_display")
            display = (f.get("price_assumption") or {}).get("display")
            assumed = f" ({display})" if isinstance(display, str) else ""
            tail = (
                f"; spot would save about {saving}/month{assumed}"
                if isinstance(saving, str)
                else "; no spot price is known to estimate the saving"
            )
            out.append(
                finding(
                    r,
                    f"is a {f['workload_class']} GPU workload in "
                    f"{f['environment']} on on-demand capacity{tail}",
                )
            )
        elif f["capacity"] == "unknown" and isinstance(f.get("capacity_attribute"), str):
            attribute = f["capacity_attribute"]
            out.append(
                finding(
                    r,
                    f"capacity ({attribute}) is unknown until apply, so spot use cannot be checked",
                    outcome="unknown",
                    attribute=attribute,
                )
            )
    return out


def _spot_toleration(template: PodTemplate) -> str | None:
    keys = sorted(
        t["key"] for t in template["tolerations"] if one_of(t.get("key"), SPOT_TAINT_KEYS)
    )
    return keys[0] if keys else None


@twin("GR-SPOT-002")
def prod_inference_on_spot(resources: Resources, config: Doc) -> list[RawFinding]:
    out = []
    # A reason is spot capacity or a pod template's toleration.
    for r in resources.live_of(groups=("spot", "workloads")):
        f = r["facts"]
        if f.get("environment") != "prod" or f["workload_class"] != "inference":
            continue
        reasons = ["it selects spot or preemptible capacity"] if f["capacity"] == "spot" else []
        for t in templates(r):
            key = _spot_toleration(t)
            if key:
                reasons.append(f"pod template {t['role']} tolerates the spot taint {key}")
        if reasons:
            out.append(
                finding(
                    r,
                    f"serves production inference on spot capacity ({'; '.join(sorted(reasons))})",
                )
            )
    return out


def _retried(r: Resource) -> bool:
    return any(isinstance(limit := t.get("backoff_limit"), int) and limit > 0 for t in templates(r))


def _checkpointed(r: Resource) -> bool:
    for t in templates(r):
        if any(v.get("persistentVolumeClaim") for v in t["volumes"]):
            return True
        if any("checkpoint" in key for key in t["annotations"]):
            return True
    return False


_AZURE_VMS = resource_types("azure_vms")
_GCP_INSTANCES = resource_types("gcp_instances")


def _vm_problem(r: Resource) -> list[str]:
    attributes = r["attributes"] or {}
    if r["type"] == "aws_instance":
        ok = any(
            isinstance(s, dict) and isinstance(s.get("instance_interruption_behavior"), str)
            for m in blocks(attributes.get("instance_market_options"))
            if isinstance(m, dict)
            for s in blocks(m.get("spot_options"))
        )
        return (
            []
            if ok
            else [
                "no interruption behaviour "
                "(instance_market_options.spot_options.instance_interruption_behavior)"
            ]
        )
    if r["type"] in _GCP_INSTANCES:
        ok = any(
            isinstance(s, dict) and isinstance(s.get("instance_termination_action"), str)
            for s in blocks(attributes.get("scheduling"))
        )
        return [] if ok else ["no interruption behaviour (scheduling.instance_termination_action)"]
    if r["type"] in _AZURE_VMS and not isinstance(attributes.get("eviction_policy"), str):
        return ["no eviction policy (eviction_policy)"]
    return []


@twin("GR-SPOT-003")
def spot_not_interruption_ready(resources: Resources, config: Doc) -> list[RawFinding]:
    out = []
    for r in resources.group("spot"):
        f = r["facts"]
        problems: list[str] = []
        batch = f["workload_class"] in _BATCH and bool(templates(r))
        if batch and not _retried(r):
            problems.append("no retries (backoffLimit is unset or 0)")
        if batch and not _checkpointed(r):
            problems.append("no checkpoint volume or checkpoint annotation")
        for t in templates(r):
            grace = t.get("termination_grace_period_seconds")
            if isinstance(grace, int) and grace < 30:
                problems.append(
                    f"pod template {t['role']} has terminationGracePeriodSeconds {grace} (< 30)"
                )
        problems.extend(_vm_problem(r))
        if problems:
            out.append(
                finding(
                    r,
                    f"runs on spot but is not ready for interruption: "
                    f"{'; '.join(sorted(problems))}",
                )
            )
    return out


#: Resources that can hold several instance types (where GR-SPOT-004's fix is possible).
_POOLS = resource_types("multi_type_pools")


def _type_count(r: Resource) -> int:
    attributes = r["attributes"] or {}
    if r["type"] == "aws_eks_node_group":
        return len(blocks(attributes.get("instance_types")))
    if r["type"] == "aws_autoscaling_group":
        return sum(
            len(blocks(t.get("override")))
            for p in blocks(attributes.get("mixed_instances_policy"))
            if isinstance(p, dict)
            for t in blocks(p.get("launch_template"))
            if isinstance(t, dict)
        )
    if r["type"] == "NodePool":
        spec = ((attributes.get("spec") or {}).get("template") or {}).get("spec") or {}
        pinned = [
            req
            for req in spec.get("requirements") or []
            if isinstance(req, dict)
            and req.get("key") == "node.kubernetes.io/instance-type"
            and req.get("operator") == "In"
        ]
        return sum(len(req.get("values") or []) for req in pinned) if pinned else 2
    return 1


@twin("GR-SPOT-004")
def spot_single_instance_type(resources: Resources, config: Doc) -> list[RawFinding]:
    out = []
    for r in resources.group("spot"):
        f = r["facts"]
        if r["type"] not in _POOLS:
            continue
        if _type_count(r) <= 1:
            shown = f", {f['instance_type']}" if isinstance(f.get("instance_type"), str) else ""
            out.append(
                finding(
                    r,
                    f"uses spot capacity with a single instance type{shown}; one reclaimed spot "
                    "market takes all of its capacity",
                )
            )
    return out
