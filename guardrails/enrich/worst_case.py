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

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from guardrails.enrich.allowed import (
    Allowed,
    Ceiling,
    allowed_by_labels,
    allowed_by_requirements,
    device_of,
    monthly,
    requirements_of,
)
from guardrails.enrich.attrs import items
from guardrails.enrich.budgets import UNATTRIBUTED, budget_settings, dimension_value
from guardrails.enrich.catalog import GpuCatalog, load_gpu_catalog
from guardrails.enrich.clouds import NODE_CLASS_KINDS
from guardrails.enrich.cost import dollars
from guardrails.enrich.kubernetes import quantity
from guardrails.model import Action, Resource

#: Built-in dimensions a scaling object answers by itself (no label needed).
_OWN_NAME = {"nodepool": "NodePool", "clusterqueue": "ClusterQueue"}
#: Default overrun margin: nodes of the priciest allowed type Karpenter may launch past a limit.
DEFAULT_OVERRUN_NODES = 1
_QUOTA_PREFIX = "requests."


@dataclass(frozen=True)
class Bound:
    """At most what one scaling object (or one flavor of a ClusterQueue) spends per month."""

    id: str
    address: str
    kind: str
    #: Monthly USD at the bound, margin excluded; None: no bound or not priced.
    monthly: float | None
    #: Eventual-consistency overrun margin (Karpenter), monthly USD.
    margin: float = 0.0
    #: The arithmetic, one line (``nvidia.com/gpu 8 x $5.27/GPU-hour (g7e.8xlarge) x 730 h``).
    why: str = ""
    #: Why no bound can be given (``unbounded: ...`` / ``unpriced: ...``), None when bounded.
    problem: str | None = None
    ceiling: Ceiling | None = None
    #: What compile may set: ``nodepool``, ``clusterqueue`` or ``resourcequota``; None: fixed.
    compiles: str | None = None
    #: Compile details: the ClusterQueue flavor/resource, existing values, cohort, namespace.
    detail: Mapping[str, Any] = field(default_factory=dict)
    #: Allows GPU capacity at all (a CPU-only NodePool or queue is no member of a GPU budget).
    gpu: bool = True

    @property
    def worst(self) -> float | None:
        return None if self.monthly is None else round(self.monthly + self.margin, 2)


def _spec(resource: Resource) -> Mapping[str, Any]:
    spec = resource.attributes.get("spec") if isinstance(resource.attributes, Mapping) else None
    return spec if isinstance(spec, Mapping) else {}


def _map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def nodepool_cloud(spec: Mapping[str, Any]) -> str | None:
    """The cloud a NodePool's nodeClassRef names (EKS Auto Mode's NodeClass is AWS)."""
    ref = _map(_map(_map(spec.get("template")).get("spec")).get("nodeClassRef"))
    kind = str(ref.get("kind", "")).lower()
    if str(ref.get("group", "")).startswith("eks.amazonaws.com"):
        return "aws"
    return NODE_CLASS_KINDS.get(kind)


def nodepool_allowed(resource: Resource, catalog: GpuCatalog) -> Allowed:
    """The GPU types a Karpenter NodePool allows."""
    spec = _spec(resource)
    raw = _map(_map(spec.get("template")).get("spec")).get("requirements")
    reqs = requirements_of(items(raw))
    cloud = nodepool_cloud(spec)
    if cloud is None and any(r.key.startswith(("karpenter.k8s.aws/", "eks.")) for r in reqs):
        cloud = "aws"
    return allowed_by_requirements(reqs, catalog, cloud)


def _limit_quantity(name: str, value: Any) -> float | None:
    if name == "memory":
        return _gib(value)
    return quantity(_decimal(value))


_SUFFIX = {"k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "m": 1e-3}
_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50}


def _decimal(value: Any) -> Any:
    text = str(value).strip()
    for suffix, factor in _SUFFIX.items():
        if text.endswith(suffix) and text[: -len(suffix)].replace(".", "", 1).isdigit():
            return float(text[: -len(suffix)]) * factor
    return text


def _gib(value: Any) -> float | None:
    text = str(value).strip()
    for suffix, factor in _BINARY.items():
        if text.endswith(suffix):
            number = quantity(text[: -len(suffix)])
            return None if number is None else number * factor / 2**30
    number = quantity(_decimal(text))
    return None if number is None else number / 2**30


def _names(names: Sequence[str], shown: int = 5) -> str:
    """The first few names, and how many more (a hostile NodePool may list thousands)."""
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def _rate(value: float) -> str:
    return f"${value:,.4f}".rstrip("0").rstrip(".")


def nodepool_bound(resource: Resource, catalog: GpuCatalog, overrun_nodes: int) -> Bound:
    """A Karpenter NodePool's worst case: the tightest of its limits x the priciest allowed
    type per unit of that limit, plus the overrun margin."""
    allowed = nodepool_allowed(resource, catalog)
    base: dict[str, Any] = {"id": resource.id, "address": resource.address, "kind": "NodePool"}
    limits = {str(k): v for k, v in _map(_spec(resource).get("limits")).items()}
    detail: dict[str, Any] = {"limits": limits, "capacity": list(allowed.capacity)}
    if not allowed.any_gpu:
        if (resource.facts or {}).get("is_gpu") is True or any(device_of(k) for k in limits):
            # It asks for GPUs (a GPU limit, a GPU requirement) yet no allowed type is known.
            return Bound(
                **base,
                monthly=None,
                problem="unpriced: it provisions GPUs but allows no instance type the catalog "
                "knows",
                compiles="nodepool",
                detail=detail,
            )
        return Bound(**base, monthly=0.0, why="allows no GPU instance type", gpu=False)
    if allowed.unpriced:
        unbounded = "" if limits else "; unbounded: no spec.limits"
        return Bound(
            **base,
            monthly=None,
            problem=f"unpriced: allows {_names(allowed.unpriced)} (no catalog price){unbounded}",
            compiles="nodepool",
            detail=detail,
        )
    ceiling = allowed.ceiling()
    assert ceiling is not None  # any_gpu with nothing unpriced: priced rows
    margin = round(overrun_nodes * monthly(ceiling.per_node), 2)
    detail["margin"] = margin  # what compile reserves, also when no limit bounds the pool yet
    candidates = []
    for name, raw in limits.items():
        amount = _limit_quantity(name, raw)
        per = ceiling.per(name)
        if amount is None or per is None:
            continue
        candidates.append((int(amount) * monthly(per), name, int(amount), per))
    bounded: dict[str, Any] = dict(base, ceiling=ceiling, compiles="nodepool", detail=detail)
    if not candidates:
        return Bound(
            **bounded,
            monthly=None,
            problem=(
                "unbounded: no spec.limits"
                if not limits
                else "unbounded: spec.limits caps no resource every allowed GPU type has "
                "(cpu, memory, nodes or " + (ceiling.device or "one accelerator resource") + ")"
            ),
        )
    cost, name, amount, per = min(candidates)
    unit = {"cpu": "vCPU", "memory": "GiB", "nodes": "node"}.get(name, "GPU")
    which = {"cpu": "", "memory": "", "nodes": ceiling.per_node_type}.get(
        name, ceiling.per_gpu_type
    )
    why = (
        f"{name} {amount} x {_rate(per)}/{unit}-hour{f' ({which})' if which else ''} x 730 h"
        f" = {dollars(cost)}; + overrun margin {overrun_nodes} x {ceiling.per_node_type} "
        f"({_rate(ceiling.per_node)}/h) = {dollars(margin)}"
    )
    return Bound(**bounded, monthly=round(cost, 2), margin=margin, why=why)


def flavors_by_name(resources: Iterable[Resource]) -> dict[str, Mapping[str, Any]]:
    """Kueue ResourceFlavor name → its ``spec.nodeLabels``."""
    out = {}
    for r in resources:
        if r.type == "ResourceFlavor" and str(_api(r)).startswith("kueue.x-k8s.io/"):
            out[r.name] = _map(_spec(r).get("nodeLabels"))
    return out


def _api(resource: Resource) -> Any:
    return _map(resource.attributes).get("apiVersion", "")


def cohort_of(resource: Resource) -> str | None:
    """A ClusterQueue's cohort (``spec.cohort`` in v1beta1, ``spec.cohortName`` in v1beta2)."""
    spec = _spec(resource)
    value = spec.get("cohortName", spec.get("cohort"))
    return str(value) if isinstance(value, str) and value else None


def clusterqueue_bounds(
    resource: Resource,
    flavors: Mapping[str, Mapping[str, Any]],
    catalog: GpuCatalog,
    declared: Mapping[str, list[str]],
    nodepools: Mapping[str, Allowed],
) -> list[Bound]:
    """One Bound per (flavor, accelerator resource) of a ClusterQueue: (nominal quota +
    borrowing limit) x the flavor's priciest GPU. In a cohort without a borrowingLimit the
    queue may borrow whatever the cohort lends: no bound."""
    cohort = cohort_of(resource)
    out = []
    for group in items(_spec(resource).get("resourceGroups")):
        for flavor in items(_map(group).get("flavors")):
            fname = str(_map(flavor).get("name", ""))
            for entry in items(_map(flavor).get("resources")):
                rname = str(_map(entry).get("name", ""))
                if not device_of(rname):
                    continue
                out.append(
                    _flavor_bound(
                        resource,
                        fname,
                        rname,
                        _map(entry),
                        cohort,
                        flavors,
                        catalog,
                        declared,
                        nodepools,
                    )
                )
    return out


def _flavor_bound(
    resource: Resource,
    fname: str,
    rname: str,
    entry: Mapping[str, Any],
    cohort: str | None,
    flavors: Mapping[str, Mapping[str, Any]],
    catalog: GpuCatalog,
    declared: Mapping[str, list[str]],
    nodepools: Mapping[str, Allowed],
) -> Bound:
    nominal = quantity(entry.get("nominalQuota", 0))
    borrow_raw = entry.get("borrowingLimit")
    borrow = quantity(borrow_raw) if borrow_raw is not None else None
    detail = {
        "flavor": fname,
        "resource": rname,
        "nominal": nominal,
        "borrowing": borrow,
        "cohort": cohort,
    }
    base: dict[str, Any] = {
        "id": resource.id,
        "address": f"{resource.address} flavor {fname} {rname}",
        "kind": "ClusterQueue",
        "compiles": "clusterqueue",
        "detail": detail,
    }
    if fname not in flavors and fname not in declared:
        allowed = Allowed((), (), (), unknown=f"ResourceFlavor {fname} is not in the scan")
    else:
        allowed = allowed_by_labels(flavors.get(fname, {}), catalog, declared.get(fname), nodepools)
    if allowed.unknown or allowed.unpriced or not allowed.rows:
        why = allowed.unknown or f"allows {_names(allowed.unpriced)} (no catalog price)"
        return Bound(**base, monthly=None, problem=f"unpriced: flavor {fname}: {why}")
    ceiling = allowed.ceiling()
    assert ceiling is not None
    if nominal is None:
        return Bound(
            **base, monthly=None, ceiling=ceiling, problem="unbounded: nominalQuota is no number"
        )
    if cohort is not None and borrow is None:
        return Bound(
            **base,
            monthly=None,
            ceiling=ceiling,
            problem=(
                f"unbounded: in cohort {cohort} with no borrowingLimit it may borrow whatever "
                "the cohort lends"
            ),
        )
    total = int(nominal) + int(borrow or 0)
    borrowed = f" + borrowingLimit {int(borrow or 0)}" if cohort is not None else ""
    cost = total * monthly(ceiling.per_gpu)
    why = (
        f"nominalQuota {int(nominal)}{borrowed} x {_rate(ceiling.per_gpu)}/GPU-hour "
        f"({ceiling.per_gpu_type}) x 730 h = {dollars(cost)}"
    )
    return Bound(**base, monthly=round(cost, 2), why=why, ceiling=ceiling)


def resourcequota_bound(resource: Resource, ceiling: Ceiling | None) -> Bound | None:
    """A ResourceQuota's ``requests.<accelerator>`` x the priciest GPU of the scan; None when
    it caps no accelerator."""
    hard = _map(_spec(resource).get("hard"))
    keys = [k for k in hard if str(k).startswith(_QUOTA_PREFIX) and device_of(str(k)[9:])]
    if not keys:
        return None
    key = str(keys[0])
    amount = quantity(hard[key])
    base: dict[str, Any] = {
        "id": resource.id,
        "address": resource.address,
        "kind": "ResourceQuota",
        "compiles": "resourcequota",
        "detail": {"key": key, "namespace": resource.namespace},
    }
    return _gpu_count_bound(base, key, amount, ceiling, owner="namespace's", field=key)


def _gpu_count_bound(
    base: dict[str, Any],
    key: str,
    amount: float | None,
    ceiling: Ceiling | None,
    *,
    owner: str,
    field: str,
) -> Bound:
    """A count of GPUs (``amount`` under ``key``) x the priciest GPU of the scan: a
    ResourceQuota's or a Volcano Queue's bound, whose GPUs may land on any GPU node."""
    if ceiling is None:
        return Bound(
            **base,
            monthly=None,
            problem=f"unpriced: no GPU type in the scan tells what the {owner} GPUs cost",
        )
    if amount is None:
        return Bound(
            **base, monthly=None, ceiling=ceiling, problem=f"unbounded: {key} is no number"
        )
    cost = int(amount) * monthly(ceiling.per_gpu)
    why = (
        f"{field} {int(amount)} x {_rate(ceiling.per_gpu)}/GPU-hour ({ceiling.per_gpu_type}, "
        f"the priciest GPU the scan provides) x 730 h = {dollars(cost)}"
    )
    return Bound(**base, monthly=round(cost, 2), why=why, ceiling=ceiling)


def volcano_bound(resource: Resource, ceiling: Ceiling | None) -> Bound | None:
    """A Volcano Queue's ``spec.capability`` GPUs x the priciest GPU of the scan (its jobs may
    land on any GPU node); None when the capability caps no accelerator."""
    capability = _map(_spec(resource).get("capability"))
    keys = [str(k) for k in capability if device_of(str(k))]
    if not keys:
        return None
    key = keys[0]
    amount = quantity(capability[key])
    base: dict[str, Any] = {
        "id": resource.id,
        "address": resource.address,
        "kind": "Queue",
        "compiles": "volcano",
        "detail": {"key": key},
    }
    return _gpu_count_bound(
        base, key, amount, ceiling, owner="queue's", field=f"spec.capability {key}"
    )


def fixed_bound(resource: Resource) -> Bound | None:
    """Any other GPU resource: its on-demand cost at max size/replicas (None: not a member)."""
    facts = resource.facts or {}
    if facts.get("is_gpu") is not True or resource.mode != "managed":
        return None
    if resource.action == Action.DELETE:
        return None
    placement = _map(facts.get("placement"))
    if placement.get("status") == "on_node_group" and placement.get("link") == "name":
        return None  # its pods can only run on the named node group, bounded there
    base: dict[str, Any] = {"id": resource.id, "address": resource.address, "kind": resource.type}
    ceiling = facts.get("monthly_usd_ceiling")
    if isinstance(ceiling, int | float):
        scale = _map(facts.get("autoscaling"))
        at = _map(facts.get("replicas")).get("max")
        where = (
            f" ({scale['attribute']})" if scale.get("enabled") and scale.get("attribute") else ""
        )
        return Bound(
            **base,
            monthly=float(ceiling),
            why=f"at its max of {at}{where}, on-demand = {dollars(float(ceiling))}",
        )

    unknown = _map(facts.get("price_unknown")).get("reason")
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
        elif r.type == "ClusterQueue" and str(_api(r)).startswith("kueue.x-k8s.io/"):
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
        elif r.type == "Queue" and str(_api(r)).startswith("scheduling.volcano.sh/"):
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
