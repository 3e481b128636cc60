"""The resources of one evaluation, grouped once for every twin.

Each Rego policy filters ``input.resources`` itself (``util.live``, a type set, ``is_gpu``); a
twin that did the same would walk all of them ~30 times per scan. :class:`Resources` walks them
once and hands each twin only the group it can judge, always in document order, so a twin's
findings come out in the order the Rego's comprehension produces them.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain

from guardrails.model.contract import InputDocument, ResourceDoc


class Resources:
    """``input.resources`` of one document, with the groups the twins select from.

    Every group is a list in document order; ``live`` is ``util.live`` (managed and not being
    deleted) and the other groups are subsets of it, except :meth:`of_types`, which, like
    the policies that read it, also sees data sources and deletions.
    """

    __slots__ = (
        "_gpu_positions",
        "_live_types",
        "_types",
        "all",
        "doc",
        "gpu",
        "live",
        "spot",
        "taggable",
        "workloads",
    )

    def __init__(self, doc: InputDocument) -> None:
        self.doc = doc
        #: Every resource, whatever its mode or action.
        self.all: list[ResourceDoc] = doc["resources"]
        #: ``util.live``: managed and not being deleted.
        self.live: list[ResourceDoc] = []
        #: Live resources that enrichment sized as GPU (``facts.is_gpu``).
        self.gpu: list[ResourceDoc] = []
        #: Live resources that take tags or labels (``facts.taggable``).
        self.taggable: list[ResourceDoc] = []
        #: Live resources on spot capacity (``facts.capacity == "spot"``).
        self.spot: list[ResourceDoc] = []
        #: Live resources with a workload (pod templates, ``util.templates``).
        self.workloads: list[ResourceDoc] = []
        self._types: dict[str, list[int]] = {}
        self._live_types: dict[str, list[int]] = {}
        self._gpu_positions: list[int] = []
        for position, r in enumerate(self.all):
            kind = r["type"]
            self._types.setdefault(kind, []).append(position)
            if r.get("mode") != "managed" or r.get("action") == "delete":
                continue
            self.live.append(r)
            self._live_types.setdefault(kind, []).append(position)
            f = r["facts"]
            if f.get("is_gpu") is True:
                self.gpu.append(r)
                self._gpu_positions.append(position)
            if f.get("taggable") is True:
                self.taggable.append(r)
            if f.get("capacity") == "spot":
                self.spot.append(r)
            if r["workload"] is not None:
                self.workloads.append(r)

    @property
    def types(self) -> Iterable[str]:
        """Every resource type in the document."""
        return self._types.keys()

    def live_of(self, types: Iterable[str], *, gpu: bool = False) -> list[ResourceDoc]:
        """Live resources whose type is one of ``types`` (with ``gpu``, and every live GPU
        resource), in document order."""
        return self._select(self._live_types, types, self._gpu_positions if gpu else None)

    def of_types(self, types: Iterable[str]) -> list[ResourceDoc]:
        """Resources of any mode and action whose type is one of ``types``, in document order."""
        return self._select(self._types, types)

    def _select(
        self, table: dict[str, list[int]], types: Iterable[str], more: list[int] | None = None
    ) -> list[ResourceDoc]:
        if isinstance(types, str):  # one type is a set of one, never a set of its letters
            raise TypeError("types must be a collection of type names")
        groups = [table[kind] for kind in set(types) if kind in table]
        if more is not None:
            groups.append(more)
        if not groups:
            return []
        resources = self.all
        if len(groups) == 1:
            positions: Iterable[int] = groups[0]
        else:  # a GPU resource of a listed type is in two groups: once is enough
            positions = sorted(set(chain.from_iterable(groups)))
        return [resources[p] for p in positions]
