"""Resources and edges: the nodes and links of the normalized graph."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, cast

from guardrails.model import contract

#: Replaces every value a plan marks sensitive; the original never enters the graph.
REDACTED = "(sensitive value)"


class SourceFormat(StrEnum):
    TERRAFORM_PLAN = "terraform-plan"
    TERRAFORM_STATE = "terraform-state"
    TERRAFORM_HCL = "terraform-hcl"
    PULUMI_PREVIEW = "pulumi-preview"
    PULUMI_STATE = "pulumi-state"
    KUBERNETES = "kubernetes"
    #: A whole input file that could not be read or parsed (a node so reports name it).
    UNREADABLE = "unreadable"


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    REPLACE = "replace"
    NO_OP = "no-op"
    READ = "read"
    APPLY = "apply"


class EdgeKind(StrEnum):
    DEPENDS_ON = "depends_on"
    REFERENCES = "references"
    PARENT = "parent"
    SELECTS = "selects"
    SCALES = "scales"
    MOUNTS = "mounts"


@dataclass(frozen=True, slots=True)
class Location:
    """Where a resource is written: a file and, where known, a 1-based line."""

    file: str
    line: int | None = None

    def to_input(self) -> contract.Location:
        return {"file": self.file, "line": self.line}

    @property
    def report_line(self) -> int:
        """The line for formats that must place a result on one (SARIF, GitHub annotations):
        the known line, else 1 (the top of the file)."""
        return self.line or 1

    def __str__(self) -> str:
        """``file:line`` for people; the file alone when the format has no lines (Pulumi), as
        JSON says with ``line: null``, never an invented ``:1``."""
        return f"{self.file}:{self.line}" if self.line else self.file


@dataclass(frozen=True, slots=True)
class Edge:
    """A typed link from one resource id to another."""

    source: str
    target: str
    kind: EdgeKind

    def to_input(self) -> contract.EdgeDoc:
        return {"from": self.source, "to": self.target, "kind": str(self.kind)}


@dataclass(frozen=True, slots=True)
class Resource:
    """One resource from any input format, normalized.

    ``attributes`` holds planned/after values (manifests: the object itself), ``before`` the
    prior values (None when the resource is new or the format has none). ``unknown`` lists
    dotted attribute paths whose value is only known after apply. ``workload`` is set for
    anything that runs pods: its pod templates with replica counts, containers and scheduling.
    ``facts`` is filled by enrichment, never by parsers. ``unevaluated`` says why the engine
    could not look inside this node (a module whose files are not here, a part of an input it
    cannot read) and what to do about it; GR-INPUT-001 reports every such node as ``unknown``.
    ``type`` is canonical across formats (Terraform names for cloud resources, kinds for
    Kubernetes objects); ``native_type`` keeps the input's own name when it differs.
    """

    id: str
    address: str
    source_format: SourceFormat
    provider: str
    type: str
    name: str
    action: Action
    attributes: Mapping[str, Any]
    before: Mapping[str, Any] | None = None
    unknown: frozenset[str] = frozenset()
    labels: Mapping[str, str] = field(default_factory=dict)
    location: Location | None = None
    mode: str = "managed"
    module: str | None = None
    namespace: str | None = None
    workload: Mapping[str, Any] | None = None
    facts: Mapping[str, Any] = field(default_factory=dict)
    unevaluated: str | None = None
    #: The input's own type name where ``type`` is a canonical one (a Pulumi token).
    native_type: str | None = None

    @property
    def is_kubernetes_object(self) -> bool:
        """A Kubernetes object, from a manifest, a Pulumi ``kubernetes:*`` resource or a
        Terraform ``kubernetes_*`` resource read as its object (parsers.terraform_kubernetes)."""
        return self.source_format == SourceFormat.KUBERNETES or (self.native_type or "").startswith(
            ("kubernetes:", "kubernetes_")
        )

    def to_input(self) -> contract.ResourceDoc:
        """Render as the JSON document policies receive (graph-input.schema.json).

        ``facts`` and ``workload`` keep the shapes enrichment and the parsers give them
        (tests/model/test_contract.py holds them to the contract)."""
        return {
            "id": self.id,
            "address": self.address,
            "source_format": str(self.source_format),
            "provider": self.provider,
            "type": self.type,
            "native_type": self.native_type or self.type,
            "name": self.name,
            "mode": self.mode,
            "module": self.module,
            "namespace": self.namespace,
            "action": str(self.action),
            "attributes": self.attributes,
            "before": self.before,
            "unknown": sorted(self.unknown),
            "labels": dict(self.labels),
            "location": self.location.to_input() if self.location else None,
            "workload": cast(contract.Workload | None, self.workload),
            "facts": cast(contract.Facts, self.facts),
            "unevaluated": self.unevaluated,
        }
