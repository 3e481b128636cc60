"""Indexes over one graph that enrichment looks resources up in, and sizing by kind.

Built once per run so every lookup is O(1) and enrichment stays linear; answers that depend
only on a value many resources share (a type's cloud, a namespace's environment, a key an
accelerator walk has seen) are remembered for the run.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from guardrails.enrich import clouds
from guardrails.enrich.attrs import is_mapping
from guardrails.enrich.catalog import GpuCatalog, load_gpu_catalog
from guardrails.enrich.cloud import CLOUD_SIZERS
from guardrails.enrich.dra import ClaimIndex
from guardrails.enrich.environment import environment_table
from guardrails.enrich.kubernetes import size_node_pool, size_workload, workload_autoscaling
from guardrails.enrich.options import EnrichOptions
from guardrails.enrich.pod_accelerators import add_claims, add_pinned, add_unreadable
from guardrails.enrich.ray_auth import ray_auth_of, service_ray_auth
from guardrails.enrich.sizing import Sizing
from guardrails.enrich.tags import alias_table
from guardrails.enrich.unmodelled import RUNTIME_KINDS, AcceleratorFinder
from guardrails.model import EdgeKind, Graph, Resource
from guardrails.model.contract import Neighbors
from guardrails.parsers.kubernetes_pods import train_job

_LINKS = (EdgeKind.REFERENCES, EdgeKind.DEPENDS_ON)
_SELECTS = str(EdgeKind.SELECTS)


class EnrichContext:
    """Indexes over the graph so every lookup is O(1) (enrichment stays linear)."""

    def __init__(self, graph: Graph, options: EnrichOptions) -> None:
        self.options = options
        self.tag_table = alias_table(options.tag_aliases)
        self.environments = environment_table(options.environment_aliases)
        #: Namespace → the environment its name holds (enrich.environment), per run.
        self.namespace_environments: dict[str, str | None] = {}
        self.catalog: GpuCatalog = load_gpu_catalog()
        self.accelerators = AcceleratorFinder(self.catalog)
        self._type_clouds: dict[str, clouds.CloudEvidence | None] = {}
        self.by_id = {r.id: r for r in graph.resources}
        self.targets: dict[str, list[str]] = defaultdict(list)
        self.selected: set[str] = set()
        self.scaler: dict[str, Resource] = {}
        self.neighbors: dict[str, Neighbors] = defaultdict(lambda: {"in": [], "out": []})
        by_id, neighbors = self.by_id, self.neighbors
        kind_names = {kind: str(kind) for kind in EdgeKind}
        for edge in graph.edges:
            source, target = by_id.get(edge.source), by_id.get(edge.target)
            if source is not None and target is not None:
                kind_name = kind_names.get(edge.kind) or str(edge.kind)
                neighbors[edge.source]["out"].append(
                    {"kind": kind_name, "id": target.id, "type": target.type}
                )
                neighbors[edge.target]["in"].append(
                    {"kind": kind_name, "id": source.id, "type": source.type}
                )
            if edge.kind in _LINKS:
                self.targets[edge.source].append(edge.target)
            elif edge.kind == EdgeKind.SELECTS:
                self.selected.add(edge.target)
            elif edge.kind == EdgeKind.SCALES and source is not None:
                self.scaler[edge.target] = source

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
            if n["kind"] == _SELECTS and n["id"] in self.by_id
        ]
        return service_ray_auth(resource, selected, candidates)

    def type_cloud(self, resource_type: str) -> clouds.CloudEvidence | None:
        """The cloud a Terraform/Pulumi resource type names (enrich.clouds), once per type."""
        if resource_type not in self._type_clouds:
            self._type_clouds[resource_type] = clouds.of_type(resource_type)
        return self._type_clouds[resource_type]

    def referenced(self, resource: Resource, types: tuple[str, ...]) -> Resource | None:
        for target in self.targets.get(resource.id, ()):
            found = self.by_id.get(target)
            if found is not None and found.type in types:
                return found
        return None

    def sized(self, resource: Resource, kubernetes: bool) -> bool:
        """False when :meth:`size` gives ``resource`` an empty Sizing whatever its attributes
        (``kubernetes``: ``resource.is_kubernetes_object``)."""
        if resource.mode != "managed":
            return False
        if resource.type in CLOUD_SIZERS:
            return True
        return kubernetes and (bool(resource.workload) or resource.type == "NodePool")

    def size(self, resource: Resource) -> Sizing:
        """What ``resource`` provisions: sized by its cloud type, workload or NodePool."""
        if resource.mode != "managed":
            return Sizing()
        sizer = CLOUD_SIZERS.get(resource.type)
        if sizer is not None:
            sizing = sizer(resource, resource.attributes or {}, self.catalog, self.referenced)
            sizing.cloud = sizing.cloud or self.type_cloud(resource.type)
            return sizing
        if resource.workload is not None or resource.type == "NodePool":
            if not resource.is_kubernetes_object:
                return Sizing()
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
        is_mapping(t) and t.get("resource_claims") for t in templates
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
