"""The resource graph: resources from every input, one set of typed edges."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from guardrails.model import contract
from guardrails.model.resource import Edge, Resource

INPUT_VERSION = 1
#: ``InputFile.format`` of a file found by walking that is in no supported format.
INPUT_SKIPPED = "skipped"
#: ``InputFile.format`` of a file that could not be read or parsed (its note says why).
INPUT_ERROR = "error"


@dataclass(frozen=True, slots=True)
class InputFile:
    """One scanned input and the format it was detected as."""

    path: str
    format: str
    notes: tuple[str, ...] = ()

    def to_input(self) -> contract.InputFile:
        return {"path": self.path, "format": self.format, "notes": list(self.notes)}

    @property
    def evaluated(self) -> bool:
        """The input was parsed into the graph (not skipped, not failed)."""
        return self.format not in (INPUT_SKIPPED, INPUT_ERROR)


@dataclass(frozen=True)
class Graph:
    """Resources keyed by id plus edges between them."""

    resources: tuple[Resource, ...] = ()
    edges: tuple[Edge, ...] = ()
    inputs: tuple[InputFile, ...] = ()
    #: Change-level facts from enrichment (e.g. ``cost``: monthly totals before/after/delta).
    summary: Mapping[str, Any] = field(default_factory=dict)
    _by_id: Mapping[str, Resource] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {r.id: r for r in self.resources})

    def __iter__(self) -> Iterator[Resource]:
        return iter(self.resources)

    def __len__(self) -> int:
        return len(self.resources)

    def get(self, resource_id: str) -> Resource | None:
        return self._by_id.get(resource_id)

    @property
    def input_errors(self) -> tuple[InputFile, ...]:
        """Inputs that could not be read or parsed: the graph (and any report on it) is partial."""
        return tuple(i for i in self.inputs if i.format == INPUT_ERROR)

    def with_resources(self, resources: Iterable[Resource]) -> Graph:
        """A copy with the resources replaced (used by enrichment)."""
        return replace(self, resources=tuple(resources))

    @staticmethod
    def merge(graphs: Iterable[Graph]) -> Graph:
        """Join graphs from several inputs into one."""
        resources: list[Resource] = []
        edges: list[Edge] = []
        inputs: list[InputFile] = []
        for g in graphs:
            resources.extend(g.resources)
            edges.extend(g.edges)
            inputs.extend(g.inputs)
        return Graph(tuple(resources), tuple(dict.fromkeys(edges)), tuple(inputs))

    def to_input(self) -> contract.InputDocument:
        """The whole graph as the document policies receive (graph-input.schema.json)."""
        return {
            "version": INPUT_VERSION,
            "inputs": [i.to_input() for i in self.inputs],
            "resources": [r.to_input() for r in self.resources],
            "edges": [e.to_input() for e in self.edges],
            "summary": dict(self.summary),
        }
