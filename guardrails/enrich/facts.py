"""The facts of one resource (docs/facts.md is the contract), and the resource carrying them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields, replace
from operator import itemgetter
from typing import Any, cast

from guardrails.enrich import clouds
from guardrails.enrich.cloud import CLOUD_SIZERS
from guardrails.enrich.context import EnrichContext
from guardrails.enrich.cost import (
    assumption,
    ceiling_monthly,
    dollars,
    monthly,
    price,
    priced_items,
    rounded,
    spot_saving,
)
from guardrails.enrich.environment import environment_of
from guardrails.enrich.sizing import Sizing
from guardrails.enrich.taggable import is_taggable
from guardrails.enrich.tags import canonical_tags
from guardrails.enrich.unmodelled import RUNTIME_KINDS, unmodelled_accelerator, unused_runtime
from guardrails.enrich.workload_class import workload_class_of
from guardrails.model import Action, Resource
from guardrails.model.contract import Facts, Neighbors
from guardrails.parsers.kubernetes_pods import pod_templates


def resource_facts(context: EnrichContext, resource: Resource) -> tuple[Facts, float, float]:
    """The facts of one resource, its monthly cost before and after the change."""
    kubernetes = resource.is_kubernetes_object
    if not context.sized(resource, kubernetes):
        return _unsized_facts(context, resource, kubernetes), 0.0, 0.0
    subject = resource
    if resource.action == Action.DELETE and resource.before is not None:
        subject = _with_before(resource, resource.before, resource.unknown, resource.workload)
    sizing = context.size(subject)
    is_gpu = sizing.is_gpu
    if is_gpu and "count" in resource.unknown:
        # HCL whose count/for_each is known only after apply: one node stands for them all.
        sizing.price_problem = ("the number of instances (count) is unknown until apply", "count")
        sizing.desired = sizing.max = None
        sizing.units = [replace(u, desired=None, max=None) for u in sizing.units]
    environment, environment_source, tags, tag_keys = _environment_and_tags(context, resource)
    hourly, problem = price(sizing) if is_gpu else (None, None)
    month = monthly(hourly) if hourly else None
    saving = spot_saving(sizing) if month else None
    assumed = assumption(sizing) if month else None
    evidence = sizing.cloud
    if evidence is None and not kubernetes and resource.mode == "managed":
        evidence = context.type_cloud(resource.type)
    facts: Facts = {
        "environment": environment,
        "environment_source": environment_source,
        "workload_class": workload_class_of(
            resource, resource.type, resource.id in context.selected
        ),
        "taggable": is_taggable(resource, kubernetes),
        "is_gpu": is_gpu,
        "gpu": sizing.gpu_fact(),
        "instance_type": sizing.instance_type,
        "capacity": sizing.capacity,
        "capacity_attribute": sizing.capacity_attribute,
        "replicas": {
            "desired": sizing.desired,
            "max": sizing.max,
            "groups": sizing.desired
            if sizing.groups is None or sizing.desired is None
            else sizing.groups,
        },
        "autoscaling": sizing.autoscaling,
        "priced": month is not None,
        # "catalog": every unit has a catalog row; "assumed": a unit is priced at the configured
        # default_gpu_hourly_usd (reports say so); None: not priced.
        "price_basis": None if month is None else ("assumed" if assumed else "catalog"),
        "price_assumption": assumed,
        # The cloud the price key uses and what names it, or the cloud a price was assumed on.
        "cloud": clouds.fact(evidence, (assumed or {}).get("cloud")),
        "priced_items": priced_items(sizing) if is_gpu else [],
        "price_unknown": (
            {
                "reason": problem,
                "attribute": sizing.price_problem[1] if sizing.price_problem else None,
            }
            if is_gpu and month is None
            else None
        ),
        "hourly_usd": rounded(hourly) if hourly else None,
        "monthly_usd": month,
        "monthly_usd_display": (
            {"desired": dollars(month["desired"]), "max": dollars(month["max"])} if month else None
        ),
        "monthly_usd_before": None,
        # On-demand cost at max size/replicas: what budgets prove a worst case with.
        "monthly_usd_ceiling": ceiling_monthly(sizing) if is_gpu else None,
        "spot_saving_monthly_display": dollars(saving) if saving else None,
        # A Kubernetes GPU workload and the GPU node group it runs on (enrich.placement).
        "placement": None,
        # The resource's edges with the type at the other end, so relational policies stay
        # linear on every engine (a lookup into another rule's set is O(n) on regopy).
        "neighbors": _sorted_neighbors(context.neighbors.get(resource.id)),
        "ray_auth": context.ray_auth_for(resource),
        # One rule for tag keys: case-insensitive, `tag_aliases` folded in (enrich.tags).
        "tags": tags,
        "tag_keys": tag_keys,
        # Accelerators the resource may hold that nothing counts (GR-INPUT-001 reports them).
        "accelerator_unknown": sizing.accelerator_unknown
        or _unknown_accelerators(context, resource, sizing, kubernetes),
    }
    if not is_gpu:
        return facts, 0.0, 0.0
    after = 0.0 if resource.action == Action.DELETE or month is None else month["desired"]
    before = _monthly_before(context, resource, month["desired"] if month else 0.0)
    facts["monthly_usd_before"] = round(before, 2)
    return facts, before, after


def _environment_and_tags(
    context: EnrichContext, resource: Resource
) -> tuple[str, str, dict[str, str], dict[str, str]]:
    """(environment, where it came from, facts.tags, facts.tag_keys)."""
    tags, tag_keys = canonical_tags(resource.labels, context.tag_table)
    options = context.options
    if options.assigned_environment:
        return options.assigned_environment, "assigned", tags, tag_keys
    environment, source = environment_of(
        resource,
        options.default_environment,
        tags,
        context.environments,
        context.namespace_environments,
    )
    return environment, source, tags, tag_keys


#: The facts every unsized resource shares (what an empty Sizing gives), in the order of
#: resource_facts' own; the keys set per resource are filled in by _unsized_facts.
_UNSIZED: dict[str, Any] = {
    "environment": None,
    "environment_source": None,
    "workload_class": None,
    "taggable": None,
    "is_gpu": False,
    "gpu": None,
    "instance_type": None,
    "capacity": "unknown",
    "capacity_attribute": None,
    "replicas": None,
    "autoscaling": None,
    "priced": False,
    "price_basis": None,
    "price_assumption": None,
    "cloud": None,
    "priced_items": None,
    "price_unknown": None,
    "hourly_usd": None,
    "monthly_usd": None,
    "monthly_usd_display": None,
    "monthly_usd_before": None,
    "monthly_usd_ceiling": None,
    "spot_saving_monthly_display": None,
    "placement": None,
    "neighbors": None,
    "ray_auth": None,
    "tags": None,
    "tag_keys": None,
    "accelerator_unknown": None,
}
_NOT_SIZED = Sizing()


def _unsized_facts(context: EnrichContext, resource: Resource, kubernetes: bool) -> Facts:
    """The facts of a resource sizing does not look at (a data source, a module, a type or
    kind no sizer models): no GPU, capacity or price; the rest as resource_facts gives it."""
    facts: dict[str, Any] = _UNSIZED.copy()
    facts["environment"], facts["environment_source"], facts["tags"], facts["tag_keys"] = (
        _environment_and_tags(context, resource)
    )
    facts["workload_class"] = workload_class_of(
        resource, resource.type, resource.id in context.selected
    )
    facts["taggable"] = is_taggable(resource, kubernetes)
    facts["replicas"] = {"desired": None, "max": None, "groups": None}
    facts["autoscaling"] = {"enabled": False, "max": None, "explicit_max": False, "attribute": None}
    evidence = None
    if not kubernetes and resource.mode == "managed":
        evidence = context.type_cloud(resource.type)
    facts["cloud"] = clouds.fact(evidence, None)
    facts["priced_items"] = []
    facts["neighbors"] = _sorted_neighbors(context.neighbors.get(resource.id))
    facts["ray_auth"] = context.ray_auth_for(resource)
    facts["accelerator_unknown"] = _unknown_accelerators(context, resource, _NOT_SIZED, kubernetes)
    return cast(Facts, facts)


def _monthly_before(context: EnrichContext, resource: Resource, after: float) -> float:
    """Monthly USD at desired scale before the change (``after``: the after-state's)."""
    action = resource.action
    if action == Action.CREATE or action == Action.APPLY:
        return 0.0
    before = resource.before
    if before is None:
        return after if action == Action.NO_OP else 0.0
    # Nothing unknown and no pod templates to re-read: the before-state is the resource just
    # sized when it is the state deleted, or equal to the after-state (every no-op; one C-level
    # comparison instead of sizing the same values again).
    if (
        not resource.unknown
        and resource.workload is None
        and (action == Action.DELETE or before == resource.attributes)
    ):
        return after
    workload = resource.workload
    if workload is not None:  # a manifest's old object has its own pod templates
        templates = pod_templates(before)
        workload = {"pod_templates": templates} if templates is not None else None
    hourly, _ = price(context.size(_with_before(resource, before, frozenset(), workload)))
    return monthly(hourly)["desired"] if hourly else 0.0


def _unknown_accelerators(
    context: EnrichContext, resource: Resource, sizing: Sizing, kubernetes: bool
) -> str | None:
    """The catch-all (enrich.unmodelled) for what sizing does not model."""
    if sizing.is_gpu or resource.action == Action.DELETE:
        return None
    if resource.type in RUNTIME_KINDS and kubernetes:
        if resource.id in context.used_runtimes:
            return None
        return unused_runtime(resource, context.accelerators)
    if _modelled(resource, kubernetes):
        return None
    return unmodelled_accelerator(resource, context.accelerators, kubernetes)


def _modelled(resource: Resource, kubernetes: bool) -> bool:
    """Sizing models the resource's type (its verdict stands, GPU or not)."""
    return (
        resource.type in CLOUD_SIZERS
        or resource.workload is not None
        or (resource.type == "NodePool" and kubernetes)
    )


_NEIGHBOR_ORDER = itemgetter("kind", "type", "id")


def _sorted_neighbors(found: Neighbors | None) -> Neighbors:
    """The run's own edge lists, each in (kind, type, id) order (most hold one edge or none:
    those are handed out as they are)."""
    if not found:
        return {"in": [], "out": []}
    if len(found["in"]) < 2 and len(found["out"]) < 2:
        return found
    return {
        "in": sorted(found["in"], key=_NEIGHBOR_ORDER),
        "out": sorted(found["out"], key=_NEIGHBOR_ORDER),
    }


_FIELDS = tuple(f.name for f in fields(Resource))


def _copier(changed: tuple[str, ...]) -> Callable[..., Resource]:
    """A function ``(resource, *new values of changed)`` → a copy of ``resource`` with those
    fields replaced, written out from ``Resource``'s own field names (as dataclasses writes
    ``__init__``): each slot is set through its descriptor, without the frozen ``__init__``'s
    per-field ``object.__setattr__`` calls or ``dataclasses.replace``'s keyword handling
    (1.0 µs a copy instead of 3.0 and ~6)."""
    lines = [f"def copy(resource, {', '.join(changed)}):", "    made = new(Resource)"]
    lines += [
        f"    set_{name}(made, {name if name in changed else 'resource.' + name})"
        for name in _FIELDS
    ]
    lines.append("    return made")
    scope: dict[str, Any] = {"new": object.__new__, "Resource": Resource}
    scope.update({f"set_{name}": getattr(Resource, name).__set__ for name in _FIELDS})
    exec("\n".join(lines), scope)  # the text is built from Resource's field names only
    made: Callable[..., Resource] = scope["copy"]
    return made


#: ``with_facts(resource, facts)``: the one copy enrichment makes of each resource.
with_facts: Callable[[Resource, Facts | dict[str, Any]], Resource] = _copier(("facts",))
#: ``_with_before(resource, attributes, unknown, workload)``: the resource as another state
#: of it (the one deleted, the one before the change), for sizing that state.
_with_before: Callable[..., Resource] = _copier(("attributes", "unknown", "workload"))
