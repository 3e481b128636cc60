"""Worst cases of the objects that cap GPUs by count: a Kueue ClusterQueue per flavor (nominal
quota + borrowing limit x the flavor's priciest GPU), a ResourceQuota's ``requests.<gpu>`` and
a Volcano Queue's ``spec.capability`` (x the priciest GPU the scan can provide)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from guardrails.enrich.allowed import Allowed, Ceiling, allowed_by_labels, device_of, monthly
from guardrails.enrich.attrs import items
from guardrails.enrich.catalog import GpuCatalog
from guardrails.enrich.cost import dollars
from guardrails.enrich.kubernetes import quantity
from guardrails.enrich.worst_case.bound import Bound, as_map, listed, rate_text, spec_of
from guardrails.model import Resource

_QUOTA_PREFIX = "requests."


def flavors_by_name(resources: Iterable[Resource]) -> dict[str, Mapping[str, Any]]:
    """Kueue ResourceFlavor name → its ``spec.nodeLabels``."""
    out = {}
    for r in resources:
        if r.type == "ResourceFlavor" and str(api_version(r)).startswith("kueue.x-k8s.io/"):
            out[r.name] = as_map(spec_of(r).get("nodeLabels"))
    return out


def api_version(resource: Resource) -> Any:
    """The object's ``apiVersion`` ('' when it has none)."""
    return as_map(resource.attributes).get("apiVersion", "")


def cohort_of(resource: Resource) -> str | None:
    """A ClusterQueue's cohort (``spec.cohort`` in v1beta1, ``spec.cohortName`` in v1beta2)."""
    spec = spec_of(resource)
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
    for group in items(spec_of(resource).get("resourceGroups")):
        for flavor in items(as_map(group).get("flavors")):
            fname = str(as_map(flavor).get("name", ""))
            for entry in items(as_map(flavor).get("resources")):
                rname = str(as_map(entry).get("name", ""))
                if not device_of(rname):
                    continue
                out.append(
                    _flavor_bound(
                        resource,
                        fname,
                        rname,
                        as_map(entry),
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
        why = allowed.unknown or f"allows {listed(allowed.unpriced)} (no catalog price)"
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
        f"nominalQuota {int(nominal)}{borrowed} x {rate_text(ceiling.per_gpu)}/GPU-hour "
        f"({ceiling.per_gpu_type}) x 730 h = {dollars(cost)}"
    )
    return Bound(**base, monthly=round(cost, 2), why=why, ceiling=ceiling)


def resourcequota_bound(resource: Resource, ceiling: Ceiling | None) -> Bound | None:
    """A ResourceQuota's ``requests.<accelerator>`` x the priciest GPU of the scan; None when
    it caps no accelerator."""
    hard = as_map(spec_of(resource).get("hard"))
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
        f"{field} {int(amount)} x {rate_text(ceiling.per_gpu)}/GPU-hour ({ceiling.per_gpu_type}, "
        f"the priciest GPU the scan provides) x 730 h = {dollars(cost)}"
    )
    return Bound(**base, monthly=round(cost, 2), why=why, ceiling=ceiling)


def volcano_bound(resource: Resource, ceiling: Ceiling | None) -> Bound | None:
    """A Volcano Queue's ``spec.capability`` GPUs x the priciest GPU of the scan (its jobs may
    land on any GPU node); None when the capability caps no accelerator."""
    capability = as_map(spec_of(resource).get("capability"))
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
