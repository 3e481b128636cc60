"""The provable worst-case monthly GPU spend of a scaling configuration, per budget pool.

Each scaling object gets a Bound: a Karpenter NodePool its ``spec.limits`` x the priciest
allowed type per unit (limits are eventually consistent, so an overrun margin of
``budgets.overrun_nodes`` nodes of the priciest allowed type is added), a Kueue ClusterQueue
per flavor its nominal quota + borrowing limit x the flavor's priciest GPU, a ResourceQuota its
``requests.<gpu>`` x the priciest GPU the scan can provide, any other GPU resource (node group,
workload) its cost at max size/replicas (HPA/KEDA max) at on-demand prices. A pool's worst
case is the sum of its members' bounds: members may describe the same GPUs (a NodePool and the
ClusterQueue admitting onto it), so the sum is an upper bound, never an underestimate. A member
with no upper bound or with unpriced allowed types makes the pool's worst case unknown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from guardrails.enrich.allowed import Allowed, Ceiling
from guardrails.enrich.budgets import UNATTRIBUTED, budget_settings, dimension_value
from guardrails.enrich.catalog import GpuCatalog, load_gpu_catalog
from guardrails.enrich.cost import dollars
from guardrails.enrich.worst_case.bound import Bound, as_map
from guardrails.enrich.worst_case.nodepool import nodepool_allowed, nodepool_bound
from guardrails.enrich.worst_case.queues import (
    api_version,
    clusterqueue_bounds,
    cohort_of,
    flavors_by_name,
    resourcequota_bound,
    volcano_bound,
)
from guardrails.model import Action, Resource

#: Built-in dimensions a scaling object answers by itself (no label needed).
_OWN_NAME = {"nodepool": "NodePool", "clusterqueue": "ClusterQueue"}


def fixed_bound(resource: Resource) -> Bound | None:
    """Any other GPU resource: its on-demand cost at max size/replicas (None: not a member)."""
    facts = resource.facts or {}
    if facts.get("is_gpu") is not True or resource.mode != "managed":
        return None
    if resource.action == Action.DELETE:
        return None
    placement = as_map(facts.get("placement"))
    if placement.get("status") == "on_node_group" and placement.get("link") == "name":
        return None  # its pods can only run on the named node group, bounded there
    base: dict[str, Any] = {"id": resource.id, "address": resource.address, "kind": resource.type}
    ceiling = facts.get("monthly_usd_ceiling")
    if isinstance(ceiling, int | float):
        scale = as_map(facts.get("autoscaling"))
        at = as_map(facts.get("replicas")).get("max")
        where = (
            f" ({scale['attribute']})" if scale.get("enabled") and scale.get("attribute") else ""
        )
        return Bound(
            **base,
            monthly=float(ceiling),
            why=f"at its max of {at}{where}, on-demand = {dollars(float(ceiling))}",
        )

    unknown = as_map(facts.get("price_unknown")).get("reason")
    if facts.get("price_basis") == "assumed":
        unknown = "priced only at an assumed $/GPU-hour (no catalog row), no ceiling"
    if unknown:
        return Bound(**base, monthly=None, problem=f"unpriced: {unknown}")
    return Bound(**base, monthly=None, problem="unbounded: no max size or max replicas")


@dataclass(frozen=True)
class Scan:
    """Everything the bounds of one scan need, computed once."""

    resources: Sequence[Resource]
    bounds: dict[str, list[Bound]]
    namespaces: dict[str, Resource]
    ceiling: Ceiling | None


def scan_bounds(resources: Sequence[Resource], budgets: Mapping[str, Any]) -> Scan:
    """The bound of every scaling object and GPU resource of a scan, by resource id."""
    catalog = load_gpu_catalog()
    settings = budget_settings(budgets)
    overrun = settings.overrun_nodes
    flavors = flavors_by_name(resources)
    pools = {
        r.name: nodepool_allowed(r, catalog)
        for r in resources
        if r.type == "NodePool" and r.is_kubernetes_object
    }
    bounds: dict[str, list[Bound]] = {}
    for r in resources:
        if r.type == "NodePool" and r.is_kubernetes_object:
            bounds[r.id] = [nodepool_bound(r, catalog, overrun)]
        elif r.type == "ClusterQueue" and str(api_version(r)).startswith("kueue.x-k8s.io/"):
            found = clusterqueue_bounds(r, flavors, catalog, settings.flavor_types, pools)
            if found:
                bounds[r.id] = found
    ceilings = [b.ceiling for found in bounds.values() for b in found if b.ceiling is not None]
    for r in resources:
        if r.id in bounds or r.type in ("ResourceQuota", "Queue"):
            continue
        fixed = fixed_bound(r)
        if fixed is not None:
            bounds[r.id] = [fixed]
            per = _fixed_ceiling(r, catalog)
            if per is not None:
                ceilings.append(per)
    top = max(ceilings, key=lambda c: c.per_gpu, default=None)
    for r in resources:
        if r.type == "ResourceQuota" and r.is_kubernetes_object:
            quota = resourcequota_bound(r, top)
        elif r.type == "Queue" and str(api_version(r)).startswith("scheduling.volcano.sh/"):
            quota = volcano_bound(r, top)
        else:
            continue
        if quota is not None:
            bounds[r.id] = [quota]
    namespaces = {r.name: r for r in resources if r.type == "Namespace" and r.is_kubernetes_object}
    return Scan(resources, bounds, namespaces, top)


def _fixed_ceiling(resource: Resource, catalog: GpuCatalog) -> Ceiling | None:
    instance = (resource.facts or {}).get("instance_type")
    row = catalog.instance(str(instance)) if isinstance(instance, str) else None
    if row is None or row.on_demand is None or not row.gpu_count:
        return None
    return Allowed((row,), (), ()).ceiling()


def belongs(resource: Resource, dimension: str) -> bool:
    """Whether ``resource`` can be in a pool of ``dimension`` at all: the built-in object
    dimensions (``nodepool``, ``clusterqueue``, ``cohort``) hold only objects of their kind."""
    kind = {**_OWN_NAME, "cohort": "ClusterQueue"}.get(dimension)
    return kind is None or resource.type == kind


def pool_value(resource: Resource, dimension: str, scan: Scan) -> str:
    """The pool of ``resource`` for ``dimension``: its label/fact, a built-in (``nodepool``,
    ``clusterqueue``, ``cohort``, ``namespace``), else its Namespace's label."""
    found = dimension_value(resource, dimension)
    if found:
        return found
    if dimension == "cohort" and resource.type == "ClusterQueue":
        return cohort_of(resource) or UNATTRIBUTED
    if dimension == "namespace" and resource.namespace:
        return resource.namespace
    if dimension == "namespace" and resource.type == "Namespace":
        return resource.name
    owner = scan.namespaces.get(resource.namespace or "")
    if owner is not None:
        return dimension_value(owner, dimension) or UNATTRIBUTED
    return UNATTRIBUTED
