"""The graph under construction: resource nodes, what each one reads, and the edges that
become of it (references, ``depends_on``, module parents, Kubernetes workloads)."""

from __future__ import annotations

from typing import Any

from guardrails.inputs.secrets import redact_terraform
from guardrails.model import Action, Edge, EdgeKind, Graph, InputFile, Location, Resource
from guardrails.model import SourceFormat as Fmt
from guardrails.model.ids import resource_id
from guardrails.parsers.ids import provider_from_terraform, resource_labels
from guardrails.parsers.kubernetes import workload_edges
from guardrails.parsers.terraform_hcl.addresses import strip_keys, strip_last_key
from guardrails.parsers.terraform_hcl.values import Converted
from guardrails.parsers.terraform_kubernetes import as_kubernetes


class Nodes:
    """Resources added so far and what they read, until :meth:`graph` makes the edges."""

    def __init__(self) -> None:
        self.resources: list[Resource] = []
        self.references: dict[str, set[str]] = {}
        self.depends: dict[str, set[str]] = {}
        self.parents: dict[str, str] = {}
        #: Module calls whose number of instances is unknown: one instance stands for all.
        self.uncounted: set[str] = set()

    def add(
        self,
        path: str,
        address: str,
        rtype: str,
        name: str,
        mode: str,
        attributes: dict[str, Any],
        out: Converted,
        depends: Converted,
        location: Location,
        module: str | None,
        unevaluated: str | None = None,
        uncounted: str | None = None,
    ) -> None:
        """Add one resource, data source or module call node (``mode``)."""
        rid = resource_id(path, address)
        if (
            uncounted is None
            and module
            and any(
                module == call or module.startswith((call + ".", call + "["))
                for call in self.uncounted
            )
        ):
            uncounted = "count"  # inside a module call whose number of instances is unknown
        if uncounted:  # enrichment must not price the stand-in as one instance
            out.unknown.add(uncounted)
        self.references[rid] = out.references
        self.depends[rid] = depends.references
        if module:
            self.parents[rid] = strip_last_key(module)
        if mode == "managed":
            attributes = redact_terraform(rtype, attributes)
        self.resources.append(
            as_kubernetes(
                Resource(
                    id=rid,
                    address=address,
                    source_format=Fmt.TERRAFORM_HCL,
                    provider="terraform"
                    if mode == "module"
                    else provider_from_terraform(None, rtype),
                    type=rtype,
                    name=name,
                    action=Action.CREATE,
                    attributes=attributes,
                    unknown=frozenset(out.unknown),
                    labels=resource_labels(rtype, attributes) if mode == "managed" else {},
                    location=location,
                    mode=mode,
                    module=module,
                    unevaluated=unevaluated,
                )
            )
        )

    def graph(self, paths: list[str]) -> Graph:
        """The graph of every node added, its edges, and ``paths`` as its inputs."""
        by_address = {r.address: r.id for r in self.resources}
        by_base: dict[str, list[str]] = {}
        for r in self.resources:
            by_base.setdefault(strip_keys(r.address), []).append(r.id)
        edges: list[Edge] = []
        for resource in self.resources:
            for kind, table in (
                (EdgeKind.REFERENCES, self.references),
                (EdgeKind.DEPENDS_ON, self.depends),
            ):
                for reference in sorted(table.get(resource.id, ())):
                    for target in by_base.get(strip_keys(reference), ()):
                        if target != resource.id:
                            edges.append(Edge(resource.id, target, kind))
            parent = by_address.get(self.parents.get(resource.id, ""))
            if parent is not None and parent != resource.id:
                edges.append(Edge(resource.id, parent, EdgeKind.PARENT))
        # Services select, HPAs scale and workloads mount the kubernetes_* objects.
        edges.extend(workload_edges(self.resources))
        inputs = tuple(InputFile(p, str(Fmt.TERRAFORM_HCL), ()) for p in paths)
        return Graph(tuple(self.resources), tuple(dict.fromkeys(edges)), inputs)
