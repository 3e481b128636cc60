"""Kubernetes manifests (multi-document YAML, JSON, ``List`` kinds) into the resource graph.

Every object becomes a resource addressed ``Kind/namespace/name`` (cluster-scoped kinds:
``Kind/name``); workloads carry their pod templates (see kubernetes_pods.py); Services select
workloads, HPAs and KEDA ScaledObjects scale them, workloads mount PVCs, ConfigMaps and Secrets.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from guardrails.inputs.loader import LoadedInput
from guardrails.inputs.secrets import redact_kubernetes
from guardrails.model import Action, Edge, EdgeKind, Graph, InputFile, Location, Resource
from guardrails.model import SourceFormat as Fmt
from guardrails.model.ids import resource_id
from guardrails.parsers.base import ParseOptions
from guardrails.parsers.ids import string_map
from guardrails.parsers.kubernetes_pods import as_list, as_map, pod_templates
from guardrails.parsers.kubernetes_scope import DeclaredScopes, declared_scopes, is_cluster_scoped

_MOUNTABLE = {
    "persistentVolumeClaim": ("PersistentVolumeClaim", "claimName"),
    "configMap": ("ConfigMap", "name"),
    "secret": ("Secret", "secretName"),
}


def _is_object(doc: Any) -> bool:
    return isinstance(doc, Mapping) and isinstance(doc.get("kind"), str) and "apiVersion" in doc


def admission_request(doc: Any) -> Mapping[str, Any] | None:
    """The ``request`` of an ``admission.k8s.io`` AdmissionReview document, else None."""
    if not (
        _is_object(doc)
        and doc["kind"] == "AdmissionReview"
        and str(doc["apiVersion"]).startswith("admission.k8s.io/")
    ):
        return None
    return as_map(doc.get("request"))


def _admitted(request: Mapping[str, Any]) -> tuple[Mapping[str, Any], Mapping[str, Any] | None]:
    """The object an AdmissionReview admits (namespace filled from the request) and, on
    UPDATE, the object it replaces."""
    obj = as_map(request.get("object"))
    meta = as_map(obj.get("metadata"))
    if not meta.get("namespace") and isinstance(request.get("namespace"), str):
        obj = {**obj, "metadata": {**meta, "namespace": request["namespace"]}}
    old = request.get("oldObject")
    updating = request.get("operation") == "UPDATE" and _is_object(old)
    return obj, old if updating else None


_Admitted = tuple[Mapping[str, Any], int | None, Mapping[str, Any] | None]


def _objects(loaded: LoadedInput) -> Iterator[_Admitted]:
    """Every object with its 1-based line and, for a replayed AdmissionReview UPDATE, the old
    object; ``List`` kinds and AdmissionReviews are unpacked, empty documents skipped."""
    for index, doc in enumerate(loaded.documents):
        line = loaded.document_lines[index] if index < len(loaded.document_lines) else None
        request = admission_request(doc)
        if request is not None:
            obj, old = _admitted(request)
            if _is_object(obj):
                yield obj, line, old
            continue
        if not _is_object(doc):
            continue
        items = doc.get("items")
        if str(doc["kind"]).endswith("List") and isinstance(items, list):
            lines = loaded.item_lines[index] if index < len(loaded.item_lines) else ()
            for position, item in enumerate(items):
                if _is_object(item):
                    yield item, lines[position] if position < len(lines) else line, None
            continue
        yield doc, line, None


def address_of(
    obj: Mapping[str, Any], declared: DeclaredScopes | None = None
) -> tuple[str, str, str | None]:
    """(address, name, namespace) of an object; unnamed objects use generateName.

    ``declared``: the scopes CustomResourceDefinitions of the same input give their kinds.
    """
    meta = as_map(obj.get("metadata"))
    kind = str(obj["kind"])
    name = str(meta.get("name") or f"{meta.get('generateName') or 'unnamed-'}<generated>")
    if is_cluster_scoped(kind, obj.get("apiVersion"), declared):
        return f"{kind}/{name}", name, None
    namespace = str(meta.get("namespace") or "default")
    return f"{kind}/{namespace}/{name}", name, namespace


class KubernetesParser:
    """Kubernetes manifests: core workloads, AI CRDs (Ray, Kubeflow, KServe, Volcano, JobSet)."""

    format = Fmt.KUBERNETES

    def matches(self, loaded: LoadedInput) -> bool:
        return loaded.syntax in ("yaml", "json") and any(_is_object(d) for d in loaded.documents)

    def parse(self, loaded: LoadedInput, options: ParseOptions) -> Graph:
        resources: list[Resource] = []
        seen: set[str] = set()
        objects = list(_objects(loaded))
        scopes = declared_scopes(obj for obj, _, _ in objects)
        runtimes = _serving_runtimes(obj for obj, _, _ in objects)
        for index, (raw, line, raw_old) in enumerate(objects):
            # Before anything reads them: no secret enters the graph.
            obj = redact_kubernetes(raw)
            old = redact_kubernetes(raw_old) if raw_old is not None else None
            address, name, namespace = address_of(obj, scopes)
            rid = resource_id(loaded.path, address)
            if rid in seen:  # the same object twice in one file stays two resources
                rid = f"{rid}[{index}]"
            seen.add(rid)
            templates = pod_templates(obj, _runtime_of(obj, namespace, runtimes))
            resources.append(
                Resource(
                    id=rid,
                    address=address,
                    source_format=Fmt.KUBERNETES,
                    provider="kubernetes",
                    type=str(obj["kind"]),
                    name=name,
                    action=Action.APPLY if old is None else Action.UPDATE,
                    attributes=obj,
                    before=old,
                    labels=string_map(as_map(as_map(obj.get("metadata")).get("labels"))),
                    location=Location(loaded.path, line),
                    namespace=namespace,
                    workload={"pod_templates": templates} if templates is not None else None,
                )
            )
        notes = () if resources else ("no Kubernetes objects",)
        return Graph(
            tuple(resources),
            tuple(dict.fromkeys(workload_edges(resources))),
            (InputFile(loaded.path, str(Fmt.KUBERNETES), notes),),
        )


_Runtimes = dict[tuple[str | None, str], Mapping[str, Any]]


def _serving_runtimes(objects: Iterable[Mapping[str, Any]]) -> _Runtimes:
    """KServe ServingRuntimes by (namespace, name); ClusterServingRuntimes by (None, name)."""
    runtimes: _Runtimes = {}
    for obj in objects:
        kind = obj.get("kind")
        if kind in ("ServingRuntime", "ClusterServingRuntime"):
            meta = as_map(obj.get("metadata"))
            cluster = kind == "ClusterServingRuntime"
            namespace = None if cluster else str(meta.get("namespace") or "default")
            runtimes[(namespace, str(meta.get("name")))] = obj
    return runtimes


def _runtime_of(
    obj: Mapping[str, Any], namespace: str | None, runtimes: _Runtimes
) -> Mapping[str, Any] | None:
    """The runtime an InferenceService's predictor names: its namespace's ServingRuntime
    first, then the ClusterServingRuntime of that name (KServe's order)."""
    if obj.get("kind") != "InferenceService" or not runtimes:
        return None
    predictor = as_map(as_map(obj.get("spec")).get("predictor"))
    name = as_map(predictor.get("model")).get("runtime")
    if not isinstance(name, str):
        return None
    return runtimes.get((namespace, name)) or runtimes.get((None, name))


def _matches(selector: Mapping[str, str], labels: Mapping[str, str]) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def workload_edges(resources: list[Resource]) -> Iterator[Edge]:
    """``selects``, ``scales`` and ``mounts`` edges between objects of one graph.

    Objects are found by their Kubernetes identity (``Kind/namespace/name``), which is the
    address of a manifest object and is read from the object for a Pulumi resource.
    """
    resources = [r for r in resources if r.is_kubernetes_object]
    by_address = {_identity(r): r for r in resources}
    # Workloads by (namespace, label, value) of their pod templates: a Service looks up the
    # candidates of one selector label instead of scanning every workload (linear, not n²).
    by_label: dict[tuple[str | None, str, str], list[Resource]] = {}
    for workload in resources:
        if workload.workload:
            pairs = {
                (workload.namespace, str(k), str(v))
                for t in as_list(workload.workload.get("pod_templates"))
                for k, v in as_map(as_map(t).get("labels")).items()
            }
            for pair in pairs:
                by_label.setdefault(pair, []).append(workload)
    for resource in resources:
        spec = as_map(resource.attributes.get("spec"))
        if resource.type == "Service":
            selector = string_map(as_map(spec.get("selector")))
            first = next(iter(selector.items()), None)
            candidates = by_label.get((resource.namespace, *first), []) if first else []
            for workload in candidates:
                templates = (
                    as_list(workload.workload.get("pod_templates")) if workload.workload else []
                )
                if any(_matches(selector, t.get("labels", {})) for t in templates):
                    yield Edge(resource.id, workload.id, EdgeKind.SELECTS)
        elif resource.type in ("HorizontalPodAutoscaler", "ScaledObject"):
            ref = as_map(spec.get("scaleTargetRef"))
            kind = str(ref.get("kind") or "Deployment")
            target = by_address.get(f"{kind}/{resource.namespace}/{ref.get('name')}")
            if target is not None:
                yield Edge(resource.id, target.id, EdgeKind.SCALES)
        if resource.workload:
            for template in as_list(resource.workload.get("pod_templates")):
                for kind, name in _mounted(template.get("volumes", [])):
                    target = by_address.get(f"{kind}/{resource.namespace}/{name}")
                    if target is not None:
                        yield Edge(resource.id, target.id, EdgeKind.MOUNTS)


def scan_scaler_edges(resources: Iterable[Resource], edges: Iterable[Edge]) -> Iterator[Edge]:
    """``scales`` edges from an HPA/KEDA ScaledObject to a target in another input of the scan.

    The manifests of one scan are applied to one cluster, and an autoscaler is commonly kept in
    a file of its own. Within one input :func:`workload_edges` links it; across inputs only a
    target whose identity is unique in the scan is linked (two copies, as kustomize overlays
    hold, leave the choice ambiguous), and an autoscaler already linked is left alone.
    """
    objects = [r for r in resources if r.is_kubernetes_object]
    linked = {e.source for e in edges if e.kind == EdgeKind.SCALES}
    by_address: dict[str, list[Resource]] = {}
    for resource in objects:
        by_address.setdefault(_identity(resource), []).append(resource)
    for resource in objects:
        if resource.type not in ("HorizontalPodAutoscaler", "ScaledObject"):
            continue
        if resource.id in linked:
            continue
        ref = as_map(as_map(resource.attributes.get("spec")).get("scaleTargetRef"))
        kind = str(ref.get("kind") or "Deployment")
        targets = by_address.get(f"{kind}/{resource.namespace}/{ref.get('name')}", [])
        if len(targets) == 1:
            yield Edge(resource.id, targets[0].id, EdgeKind.SCALES)


def _identity(resource: Resource) -> str:
    if resource.source_format == Fmt.KUBERNETES:
        return resource.address
    meta = as_map(resource.attributes.get("metadata"))
    return address_of({**resource.attributes, "metadata": {"name": resource.name, **meta}})[0]


def _mounted(volumes: list[Any]) -> Iterator[tuple[str, str]]:
    for volume in volumes:
        volume = as_map(volume)
        sources = [
            volume,
            *(as_map(s) for s in as_list(as_map(volume.get("projected")).get("sources"))),
        ]
        for source in sources:
            for key, (kind, field) in _MOUNTABLE.items():
                ref = as_map(source.get(key))
                name = ref.get(field) or ref.get("name")
                if name:
                    yield kind, str(name)
