"""``guardrails budgets compile``: from a pool's dollar budget to the limits a cluster enforces.

Per budgeted pool: the members without a limit to set (node groups, workloads) keep their
bound, the rest of the budget is split evenly over the pool's Karpenter NodePools, Kueue
ClusterQueue flavors and Namespaces, and each gets the largest whole limit whose worst case
(limit x the priciest allowed type per unit, plus a NodePool's overrun margin) fits its share.
A pool with an unpriced allowed type or a member without an upper bound is refused, naming it.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from guardrails.enrich.allowed import Ceiling, monthly
from guardrails.enrich.budget_proof import ProofPool, proof_pools
from guardrails.enrich.cost import dollars
from guardrails.enrich.worst_case import Scan, pool_value, scan_bounds
from guardrails.enrich.worst_case.bound import Bound
from guardrails.model import Resource

#: Name of a ResourceQuota compile creates in a Namespace that has none capping GPUs.
QUOTA_NAME = "gpu-budget"


@dataclass
class Plan:
    """One manifest compile writes: the whole object, its merge patch and the arithmetic."""

    key: str
    whole: dict[str, Any]
    patch: dict[str, Any]
    comments: list[str] = field(default_factory=list)
    new: bool = False


@dataclass(frozen=True)
class Compiled:
    plans: list[Plan]
    refused: list[str]
    notes: list[str]


def _rate(value: float) -> str:
    return f"${value:,.4f}".rstrip("0").rstrip(".")


def _prices(ceiling: Ceiling) -> str:
    return f"prices: {ceiling.source}, as of {ceiling.as_of}"


def compile_budgets(resources: Sequence[Resource], budgets: Mapping[str, Any]) -> Compiled:
    """The manifests that hold every budgeted pool's worst case within its budget."""
    scan = scan_bounds(resources, budgets)
    by_id = {r.id: r for r in resources}
    plans: dict[str, Plan] = {}
    refused: list[str] = []
    notes: list[str] = []
    for pool in proof_pools(resources, budgets, scan=scan):
        if pool.budget is None:
            continue
        namespaces = [
            ns
            for ns in scan.namespaces.values()
            if pool_value(ns, pool.dimension, scan) == pool.value and not _has_quota(ns, scan)
        ]
        problem = _refusal(pool, namespaces, scan)
        if problem is not None:
            refused.append(f"pool {pool.name}: {problem}")
            continue
        targets = [b for b in pool.bounds if b.compiles]
        if not targets and not namespaces:
            notes.append(
                f"pool {pool.name}: no NodePool, ClusterQueue, Volcano Queue or Namespace to limit"
            )
            continue
        fixed = round(sum(b.worst or 0.0 for b in pool.bounds if not b.compiles), 2)
        count = len(targets) + len(namespaces)
        share = (pool.budget.effective - fixed) / count
        head = f"pool {pool.name}: budget {pool.budget.binding}"
        if fixed or count > 1:
            head += (
                (f" - {dollars(fixed)} bounded elsewhere" if fixed else "")
                + (f", split evenly over {count} members" if count > 1 else "")
                + f" = {dollars(share)} each"
            )
        for bound in targets:
            resource = by_id[bound.id]
            plan = plans.setdefault(bound.id, _plan(resource))
            failure = _apply(plan, bound, share, head, scan)
            if failure is not None:
                refused.append(f"pool {pool.name}: {bound.address}: {failure}")
        for ns in namespaces:
            assert scan.ceiling is not None  # _refusal checked
            plans[f"{ns.id}#quota"] = _new_quota(ns.name, share, head, scan.ceiling)
    return Compiled(list(plans.values()), refused, notes)


def _refusal(pool: ProofPool, namespaces: list[Resource], scan: Scan) -> str | None:
    for bound in pool.bounds:
        if bound.problem and (not bound.compiles or bound.problem.startswith("unpriced")):
            return f"{bound.address}: {bound.problem}"
    if namespaces and scan.ceiling is None:
        return "no GPU type in the scan prices the GPUs of Namespace " + namespaces[0].name
    return None


def _has_quota(namespace: Resource, scan: Scan) -> bool:
    return any(
        b.kind == "ResourceQuota" and b.detail.get("namespace") == namespace.name
        for bounds in scan.bounds.values()
        for b in bounds
    )


def _plan(resource: Resource) -> Plan:
    whole = copy.deepcopy(dict(resource.attributes))
    whole.pop("status", None)
    raw = whole.get("metadata")
    metadata: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
    identity = {k: metadata[k] for k in ("name", "namespace") if k in metadata}
    patch = {"apiVersion": whole.get("apiVersion"), "kind": whole.get("kind"), "metadata": identity}
    return Plan(resource.id, whole, patch)


def _spec(document: dict[str, Any]) -> dict[str, Any]:
    spec = document.get("spec")
    if not isinstance(spec, dict):
        spec = document["spec"] = {}
    return spec


def _apply(plan: Plan, bound: Bound, share: float, head: str, scan: Scan) -> str | None:
    if bound.ceiling is None:
        return "no priced GPU type"
    if bound.compiles == "nodepool":
        return _nodepool(plan, bound, bound.ceiling, share, head)
    if bound.compiles == "clusterqueue":
        return _clusterqueue(plan, bound, bound.ceiling, share, head)
    if bound.compiles == "volcano":
        return _volcano(plan, bound, bound.ceiling, share, head)
    return _quota(plan, bound, bound.ceiling, share, head)


def _volcano(plan: Plan, bound: Bound, ceiling: Ceiling, share: float, head: str) -> str | None:
    key = str(bound.detail["key"])
    value = math.floor(share / monthly(ceiling.per_gpu))
    _spec(plan.whole).setdefault("capability", {})[key] = str(value)
    _spec(plan.patch).setdefault("capability", {})[key] = str(value)
    plan.comments += [
        head,
        f"spec.capability.{key}: {value} = floor({dollars(share)} / ({_rate(ceiling.per_gpu)}"
        f"/GPU-hour, {ceiling.per_gpu_type}, the priciest GPU the scan provides, x 730 h))",
        f"worst case {value} x {dollars(monthly(ceiling.per_gpu))} = "
        f"{dollars(value * monthly(ceiling.per_gpu))}; {_prices(ceiling)}",
    ]
    return None


def _nodepool(plan: Plan, bound: Bound, ceiling: Ceiling, share: float, head: str) -> str | None:
    margin = float(bound.detail.get("margin", bound.margin))
    room = share - margin
    if room < 0:
        return (
            f"its share {dollars(share)} is below the overrun margin {dollars(margin)} "
            f"(one {ceiling.per_node_type} for a month): narrow the allowed types or raise "
            "the budget"
        )
    resource = ceiling.device or "cpu"
    per = ceiling.per(resource)
    if per is None:
        return "the allowed types share no limitable resource"
    unit = "vCPU" if resource == "cpu" else "GPU"
    value = math.floor(room / monthly(per))
    limits = _spec(plan.whole).setdefault("limits", {})
    computed = value
    kept = ""
    try:
        existing = float(str(limits.get(resource)))
    except ValueError:
        existing = math.inf
    if existing < value:
        value = int(existing)
        kept = f"; the existing, lower limit {value} is kept"
    limits[resource] = str(value)
    _spec(plan.patch).setdefault("limits", {})[resource] = str(value)
    priciest = ceiling.per_gpu_type if unit == "GPU" else "priciest per vCPU"
    capacity = "/".join(bound.detail.get("capacity") or ["on-demand"])
    spot = "; spot capacity is bounded at the on-demand price" if "spot" in capacity else ""
    plan.comments += [
        head,
        f"spec.limits.{resource}: {computed} = floor(({dollars(share)} - overrun margin "
        f"{dollars(margin)}) / ({_rate(per)}/{unit}-hour, {priciest}, x 730 h)){kept}",
        f"worst case {value} x {dollars(monthly(per))} + {dollars(margin)} = "
        f"{dollars(value * monthly(per) + margin)}; capacity {capacity}{spot}; {_prices(ceiling)}",
    ]
    return None


def _clusterqueue(
    plan: Plan, bound: Bound, ceiling: Ceiling, share: float, head: str
) -> str | None:
    detail = bound.detail
    total = math.floor(share / monthly(ceiling.per_gpu))
    cohort = detail.get("cohort")
    nominal = detail.get("nominal")
    if cohort is not None:
        kept = int(nominal) if isinstance(nominal, int | float) else total
        new_nominal = min(kept, total)
        borrowing: int | None = total - new_nominal
    else:
        new_nominal, borrowing = total, None
    for entry in _flavor_resources(plan.whole, detail["flavor"], detail["resource"]):
        entry["nominalQuota"] = new_nominal
        if borrowing is not None:
            entry["borrowingLimit"] = borrowing
    spec = _spec(plan.patch)
    spec["resourceGroups"] = copy.deepcopy(_spec(plan.whole).get("resourceGroups"))
    where = f"flavor {detail['flavor']} {detail['resource']}"
    split = (
        f"nominalQuota {new_nominal} + borrowingLimit {borrowing} (cohort {cohort})"
        if borrowing is not None
        else f"nominalQuota {new_nominal}"
    )
    plan.comments += [
        head,
        f"{where}: {split}: {total} = floor({dollars(share)} / ({_rate(ceiling.per_gpu)}"
        f"/GPU-hour, {ceiling.per_gpu_type}, x 730 h))",
        f"worst case {total} x {dollars(monthly(ceiling.per_gpu))} = "
        f"{dollars(total * monthly(ceiling.per_gpu))}; {_prices(ceiling)}",
    ]
    return None


def _flavor_resources(document: dict[str, Any], flavor: str, resource: str) -> list[dict[str, Any]]:
    found = []
    for group in _spec(document).get("resourceGroups") or []:
        for entry in (group or {}).get("flavors") or []:
            if isinstance(entry, dict) and str(entry.get("name")) == flavor:
                for item in entry.get("resources") or []:
                    if isinstance(item, dict) and str(item.get("name")) == resource:
                        found.append(item)
    return found


def _quota(plan: Plan, bound: Bound, ceiling: Ceiling, share: float, head: str) -> str | None:
    key = str(bound.detail["key"])
    value = math.floor(share / monthly(ceiling.per_gpu))
    _spec(plan.whole).setdefault("hard", {})[key] = str(value)
    _spec(plan.patch).setdefault("hard", {})[key] = str(value)
    plan.comments += _quota_comments(key, value, share, head, ceiling)
    return None


def _quota_comments(key: str, value: int, share: float, head: str, ceiling: Ceiling) -> list[str]:
    return [
        head,
        f"spec.hard.{key}: {value} = floor({dollars(share)} / ({_rate(ceiling.per_gpu)}/GPU-hour,"
        f" {ceiling.per_gpu_type}, the priciest GPU the scan provides, x 730 h))",
        f"worst case {value} x {dollars(monthly(ceiling.per_gpu))} = "
        f"{dollars(value * monthly(ceiling.per_gpu))}; {_prices(ceiling)}",
    ]


def _new_quota(namespace: str, share: float, head: str, ceiling: Ceiling) -> Plan:
    device = ceiling.device or "nvidia.com/gpu"
    key = f"requests.{device}"
    value = math.floor(share / monthly(ceiling.per_gpu))
    whole = {
        "apiVersion": "v1",
        "kind": "ResourceQuota",
        "metadata": {"name": QUOTA_NAME, "namespace": namespace},
        "spec": {"hard": {key: str(value)}},
    }
    return Plan(
        f"{namespace}#quota",
        whole,
        copy.deepcopy(whole),
        _quota_comments(key, value, share, head, ceiling),
        new=True,
    )
