"""Enrichment: the facts every policy reads (GPU, capacity, replicas, cost, environment, class).

Computed once in Python after parsing, from the resource, its edges and the bundled GPU catalog,
so every engine sees the same facts (docs/facts.md is the contract).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from guardrails.enrich import clouds
from guardrails.enrich.attrs import kind
from guardrails.enrich.catalog import GpuCatalog, load_gpu_catalog
from guardrails.enrich.cloud import CLOUD_SIZERS
from guardrails.enrich.cost import (
    ACCELERATORS_UNKNOWN,
    assumption,
    ceiling_monthly,
    change_summary,
    coverage_summary,
    dollars,
    monthly,
    price,
    priced_items,
    rounded,
    spot_saving,
    unevaluated_reason,
)
from guardrails.enrich.dra import ClaimIndex
from guardrails.enrich.environment import (
    DEFAULT_ENVIRONMENT_ALIASES,
    EnvironmentAliases,
    environment_of,
    environment_table,
)
from guardrails.enrich.kubernetes import size_node_pool, size_workload, workload_autoscaling
from guardrails.enrich.placement import GROUP_IDS, counted_share, overlap_summary, place
from guardrails.enrich.pod_accelerators import add_claims, add_pinned, add_unreadable
from guardrails.enrich.ray_auth import ray_auth_of, service_ray_auth
from guardrails.enrich.sizing import Sizing
from guardrails.enrich.taggable import is_taggable
from guardrails.enrich.tags import DEFAULT_TAG_ALIASES, alias_table, canonical_tags
from guardrails.enrich.unmodelled import RUNTIME_KINDS, unmodelled_accelerator, unused_runtime
from guardrails.enrich.workload_class import workload_class_of
from guardrails.model import Action, EdgeKind, Graph, Resource
from guardrails.model.contract import Facts, Neighbors
from guardrails.parsers.kubernetes_pods import pod_templates, train_job


@dataclass(frozen=True)
class EnrichOptions:
    """Defaults enrichment falls back on (from the configuration)."""

    default_environment: str | None = None
    default_gpu_hourly_usd: float = 1.01
    #: The ``budgets:`` config (dimension → value → monthly USD) pools are built for.
    budgets: Mapping[str, Any] = field(default_factory=dict)
    #: The environment an operator assigned (the webhook's namespace mapping): wins over labels.
    assigned_environment: str | None = None
    #: ``tag_aliases``: canonical tag key → other keys that count as it (enrich.tags).
    tag_aliases: Mapping[str, Sequence[str]] = field(
        default_factory=lambda: dict(DEFAULT_TAG_ALIASES)
    )
    #: ``environment_aliases``: environment → values that count as it (enrich.environment).
    environment_aliases: EnvironmentAliases = field(
        default_factory=lambda: dict(DEFAULT_ENVIRONMENT_ALIASES)
    )


class _Context:
    """Indexes over the graph so every lookup is O(1) (enrichment stays linear)."""

    def __init__(self, graph: Graph, options: EnrichOptions) -> None:
        self.options = options
        self.tag_table = alias_table(options.tag_aliases)
        self.environments = environment_table(options.environment_aliases)
        self.catalog: GpuCatalog = load_gpu_catalog()
        self.by_id = {r.id: r for r in graph.resources}
        self.targets: dict[str, list[str]] = defaultdict(list)
        self.selected: set[str] = set()
        self.scaler: dict[str, Resource] = {}
        self.neighbors: dict[str, Neighbors] = defaultdict(lambda: {"in": [], "out": []})
        for edge in graph.edges:
            source, target = self.by_id.get(edge.source), self.by_id.get(edge.target)
            if source is not None and target is not None:
                kind_name = str(edge.kind)
                self.neighbors[edge.source]["out"].append(
                    {"kind": kind_name, "id": target.id, "type": target.type}
                )
                self.neighbors[edge.target]["in"].append(
                    {"kind": kind_name, "id": source.id, "type": source.type}
                )
            if edge.kind in (EdgeKind.REFERENCES, EdgeKind.DEPENDS_ON):
                self.targets[edge.source].append(edge.target)
            elif edge.kind == EdgeKind.SELECTS:
                self.selected.add(edge.target)
            elif edge.kind == EdgeKind.SCALES and edge.source in self.by_id:
                self.scaler[edge.target] = self.by_id[edge.source]

        # DRA claims and Kubeflow training runtimes, which workloads name across inputs.
        self.claims = ClaimIndex(graph.resources)
        self.runtimes: dict[tuple[str, str | None, str], Resource] = {
            (r.type, r.namespace, r.name): r
            for r in graph.resources
            if r.type in RUNTIME_KINDS and r.is_kubernetes_object
        }
        self.used_runtimes = {
            found.id
            for r in graph.resources
            if r.type == "TrainJob" and (found := self._runtime(r)) is not None
        }

        # Ray token authentication per Ray workload, and by namespace for the Services that
        # reach them through KubeRay's head labels.
        self.ray_auth: dict[str, dict[str, Any]] = {}
        self.ray_by_namespace: dict[str | None, list[tuple[Resource, dict[str, Any]]]] = (
            defaultdict(list)
        )
        for resource in graph.resources:
            fact = ray_auth_of(resource)
            if fact is not None:
                self.ray_auth[resource.id] = fact
                self.ray_by_namespace[resource.namespace].append((resource, fact))

    def ray_auth_for(self, resource: Resource) -> dict[str, Any] | None:
        """``facts.ray_auth``: a Ray workload's own, a Service's from the workloads it reaches."""
        if resource.id in self.ray_auth:
            return self.ray_auth[resource.id]
        if resource.type != "Service" or not resource.is_kubernetes_object:
            return None
        candidates = self.ray_by_namespace.get(resource.namespace)
        if not candidates:
            return None
        selected = [
            self.by_id[n["id"]]
            for n in self.neighbors.get(resource.id, {"out": []})["out"]
            if n["kind"] == str(EdgeKind.SELECTS) and n["id"] in self.by_id
        ]
        return service_ray_auth(resource, selected, candidates)

    def referenced(self, resource: Resource, types: tuple[str, ...]) -> Resource | None:
        for target in self.targets.get(resource.id, ()):
            found = self.by_id.get(target)
            if found is not None and kind(found) in types:
                return found
        return None

    def size(self, resource: Resource) -> Sizing:
        if resource.mode != "managed":
            return Sizing()
        sizer = CLOUD_SIZERS.get(kind(resource))
        if sizer is not None:
            sizing = sizer(resource, resource.attributes or {}, self.catalog, self.referenced)
            sizing.cloud = sizing.cloud or clouds.of_type(kind(resource))
            return sizing
        if resource.is_kubernetes_object:
            if resource.workload:
                return self._size_workload(resource)
            if resource.type == "NodePool":
                return size_node_pool(resource, self.catalog)
        return Sizing()

    def _runtime(self, resource: Resource) -> Resource | None:
        """The TrainingRuntime/ClusterTrainingRuntime a TrainJob's ``spec.runtimeRef`` names."""
        spec = resource.attributes.get("spec")
        ref = spec.get("runtimeRef") if isinstance(spec, Mapping) else None
        if not isinstance(ref, Mapping) or not ref.get("name"):
            return None
        kind_name = str(ref.get("kind") or "ClusterTrainingRuntime")
        namespace = resource.namespace if kind_name == "TrainingRuntime" else None
        return self.runtimes.get((kind_name, namespace, str(ref["name"])))

    def _size_workload(self, resource: Resource) -> Sizing:
        missing_runtime = None
        if resource.type == "TrainJob":
            runtime = self._runtime(resource)
            if runtime is not None:
                templates = train_job(resource.attributes, runtime.attributes)
                resource = replace(resource, workload={"pod_templates": templates})
            else:
                missing_runtime = _missing_runtime(resource)
        sizing = self._size_pods(resource)
        if self.claims or _has_claims(resource):
            sizing.accelerator_unknown = add_claims(
                sizing, resource, self.claims, self.catalog, self.options.default_gpu_hourly_usd
            )
        add_unreadable(sizing, resource)
        add_pinned(sizing, resource, self.catalog)
        if missing_runtime is not None and not sizing.is_gpu:
            sizing.accelerator_unknown = missing_runtime
        return sizing

    def _size_pods(self, resource: Resource) -> Sizing:
        scaler = self.scaler.get(resource.id)
        spec = scaler.attributes.get("spec") if scaler is not None else None
        # KEDA scales to maxReplicaCount, 100 when unset (as workload_autoscaling says).
        default = 100 if scaler is not None and scaler.type == "ScaledObject" else None
        scaler_max = (
            spec.get("maxReplicas", spec.get("maxReplicaCount", default))
            if isinstance(spec, Mapping)
            else None
        )
        sizing = size_workload(
            resource,
            self.catalog,
            self.options.default_gpu_hourly_usd,
            scaler_max if isinstance(scaler_max, int) else None,
        )
        sizing.autoscaling = workload_autoscaling(resource, scaler)
        return sizing


def _has_claims(resource: Resource) -> bool:
    templates = (resource.workload or {}).get("pod_templates")
    return isinstance(templates, list) and any(
        isinstance(t, Mapping) and t.get("resource_claims") for t in templates
    )


def _missing_runtime(resource: Resource) -> str:
    """Why a TrainJob whose runtime is not in the scan has unknown accelerators."""
    spec = resource.attributes.get("spec")
    ref = spec.get("runtimeRef") if isinstance(spec, Mapping) else None
    named = (
        f"{ref.get('kind') or 'ClusterTrainingRuntime'} {ref.get('name')}"
        if isinstance(ref, Mapping) and ref.get("name")
        else "no runtime (spec.runtimeRef)"
    )
    return (
        f"takes its nodes and resources from {named}, which the scan does "
        "not hold, and spec.trainer.resourcesPerNode asks for no accelerator: its accelerators "
        "(possibly GPUs) are not counted or priced"
    )


def _monthly_before(context: _Context, resource: Resource, after: float) -> float:
    if resource.action == Action.CREATE or resource.action == Action.APPLY:
        return 0.0
    if resource.action == Action.NO_OP and resource.before is None:
        return after
    if resource.before is None:
        return 0.0
    previous = replace(resource, attributes=resource.before, unknown=frozenset())
    if resource.workload is not None:  # a manifest's old object has its own pod templates
        templates = pod_templates(resource.before)
        previous = replace(
            previous, workload={"pod_templates": templates} if templates is not None else None
        )
    hourly, _ = price(context.size(previous))
    return monthly(hourly)["desired"] if hourly else 0.0


def _facts(context: _Context, resource: Resource) -> tuple[Facts, float, float]:
    """The facts of one resource, its monthly cost before and after the change."""
    subject = resource
    if resource.action == Action.DELETE and resource.before is not None:
        subject = replace(resource, attributes=resource.before)
    sizing = context.size(subject)
    if sizing.is_gpu and "count" in resource.unknown:
        # HCL whose count/for_each is known only after apply: one node stands for them all.
        sizing.price_problem = ("the number of instances (count) is unknown until apply", "count")
        sizing.desired = sizing.max = None
        sizing.units = [replace(u, desired=None, max=None) for u in sizing.units]
    tags, tag_keys = canonical_tags(resource.labels, context.tag_table)
    environment, environment_source = (
        (context.options.assigned_environment, "assigned")
        if context.options.assigned_environment
        else environment_of(
            resource, context.options.default_environment, tags, context.environments
        )
    )
    hourly, problem = price(sizing) if sizing.is_gpu else (None, None)
    month = monthly(hourly) if hourly else None
    saving = spot_saving(sizing) if month else None
    assumed = assumption(sizing) if month else None
    facts: Facts = {
        "environment": environment,
        "environment_source": environment_source,
        "workload_class": workload_class_of(
            resource, kind(resource), resource.id in context.selected
        ),
        "taggable": is_taggable(resource),
        "is_gpu": sizing.is_gpu,
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
        "cloud": clouds.fact(
            sizing.cloud
            if sizing.cloud or resource.is_kubernetes_object
            else _type_cloud(resource),
            (assumed or {}).get("cloud"),
        ),
        "priced_items": priced_items(sizing) if sizing.is_gpu else [],
        "price_unknown": (
            {
                "reason": problem,
                "attribute": sizing.price_problem[1] if sizing.price_problem else None,
            }
            if sizing.is_gpu and month is None
            else None
        ),
        "hourly_usd": rounded(hourly) if hourly else None,
        "monthly_usd": month,
        "monthly_usd_display": (
            {"desired": dollars(month["desired"]), "max": dollars(month["max"])} if month else None
        ),
        "monthly_usd_before": None,
        # On-demand cost at max size/replicas: what budgets prove a worst case with.
        "monthly_usd_ceiling": ceiling_monthly(sizing) if sizing.is_gpu else None,
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
        or _unknown_accelerators(context, resource, sizing),
    }
    if not sizing.is_gpu:
        return facts, 0.0, 0.0
    after = 0.0 if resource.action == Action.DELETE or month is None else month["desired"]
    before = _monthly_before(context, resource, month["desired"] if month else 0.0)
    facts["monthly_usd_before"] = round(before, 2)
    return facts, before, after


def _unknown_accelerators(context: _Context, resource: Resource, sizing: Sizing) -> str | None:
    """The catch-all (enrich.unmodelled) for what sizing does not model."""
    if sizing.is_gpu or resource.action == Action.DELETE:
        return None
    if resource.type in RUNTIME_KINDS and resource.is_kubernetes_object:
        if resource.id in context.used_runtimes:
            return None
        return unused_runtime(resource, context.catalog)
    return None if _modelled(resource) else unmodelled_accelerator(resource, context.catalog)


def _modelled(resource: Resource) -> bool:
    """Sizing models the resource's type (its verdict stands, GPU or not)."""
    return (
        kind(resource) in CLOUD_SIZERS
        or resource.workload is not None
        or (resource.type == "NodePool" and resource.is_kubernetes_object)
    )


def _type_cloud(resource: Resource) -> clouds.CloudEvidence | None:
    return clouds.of_type(kind(resource)) if resource.mode == "managed" else None


def _sorted_neighbors(found: Neighbors | None) -> Neighbors:
    if not found:
        return {"in": [], "out": []}
    key = lambda n: (n["kind"], n["type"], n["id"])  # noqa: E731
    return {"in": sorted(found["in"], key=key), "out": sorted(found["out"], key=key)}


def _guess_text(guess: dict[str, Any]) -> str:
    """``AWS p5.48xlarge at $6.88/GPU-hour``: the row an assumed-cloud price was taken from."""
    name = clouds.DISPLAY.get(str(guess["cloud"]), str(guess["cloud"]))
    return f"{name} {guess['sku']} at ${guess['usd_per_gpu_hour'] or 0:,.2f}/GPU-hour"


def enrich(graph: Graph, options: EnrichOptions) -> Graph:
    """Return ``graph`` with facts on every resource and change-level cost in its summary."""
    context = _Context(graph, options)
    resources = []
    costs: list[tuple[str, str, float, float]] = []
    assumed: list[tuple[str, str]] = []
    cloud_assumed: list[tuple[str, str, str]] = []
    unpriced: list[tuple[str, str, str]] = []
    unevaluated: list[tuple[str, str, str]] = []
    for resource in graph.resources:
        if resource.unevaluated:
            unevaluated.append(
                (resource.id, resource.address, unevaluated_reason(resource.mode, resource.unknown))
            )
        facts, before, after = _facts(context, resource)
        resources.append(replace(resource, facts=facts))
        if facts["accelerator_unknown"] and not resource.unevaluated:
            unevaluated.append((resource.id, resource.address, ACCELERATORS_UNKNOWN))
        if facts["is_gpu"]:
            costs.append((resource.id, resource.address, before, after))
            guess = facts["price_assumption"]
            if guess is not None and guess["cloud"] is not None:
                cloud_assumed.append((resource.id, resource.address, _guess_text(guess)))
            elif guess is not None:
                assumed.append((resource.id, resource.address))
            elif not facts["priced"]:
                unknown = facts["price_unknown"]
                reason = str(unknown["reason"] if unknown and unknown["reason"] else "not priced")
                unpriced.append((resource.id, resource.address, reason))
    placements = place(resources)
    if placements:
        # A workload on a node group of this change runs on that group's GPUs: it adds only
        # the scale-up beyond the group's desired size (enrich.placement).
        shares = counted_share(resources, placements)
        for rid, share in shares.items():
            placements[rid] = {
                **placements[rid],
                "monthly_usd_counted": share["monthly_usd"],
                "gpus_counted": share["gpus"],
            }
        for found in placements.values():
            found.pop(GROUP_IDS, None)
        resources = [
            replace(r, facts={**r.facts, "placement": placements[r.id]})
            if r.id in placements
            else r
            for r in resources
        ]
        costs = [
            (
                rid,
                address,
                0.0 if was == 0.0 else shares[rid]["monthly_usd"],
                shares[rid]["monthly_usd"],
            )
            if rid in shares
            else (rid, address, was, now)
            for rid, address, was, now in costs
        ]
        unpriced = [u for u in unpriced if u[0] not in shares]
        assumed = [a for a in assumed if a[0] not in shares or shares[a[0]]["monthly_usd"]]
        cloud_assumed = [
            a for a in cloud_assumed if a[0] not in shares or shares[a[0]]["monthly_usd"]
        ]
    enriched = graph.with_resources(resources)
    coverage = coverage_summary(
        assumed, unpriced, options.default_gpu_hourly_usd, unevaluated, cloud_assumed
    )
    overlap = overlap_summary(resources, placements)
    notes = "; ".join(n for n in (coverage["coverage_note"], overlap.pop("note")) if n)
    summary = {
        **graph.summary,
        "cost": {**change_summary(costs), **coverage, **overlap, "coverage_note": notes},
        "budgets": budget_facts(resources, options.budgets),
    }
    return replace(enriched, summary=summary)


def budget_facts(resources: Sequence[Resource], budgets: Mapping[str, Any]) -> dict[str, Any]:
    """``input.summary.budgets``: every pool of every budgeted dimension and its worst case.

    The pool and worst-case code (~20 ms to import) loads only when budgets are configured.
    """
    if not budgets:  # what the code below gives for none, without loading it
        return {"warn_at_percent": None, "pools": [], "worst_case": []}
    from guardrails.enrich.budget_proof import worst_case_summary
    from guardrails.enrich.budgets import budget_summary

    return {
        **budget_summary(resources, budgets),
        "worst_case": worst_case_summary(resources, budgets),
    }
