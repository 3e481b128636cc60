"""The resources of one evaluation, grouped once for every twin.

Each Rego policy filters ``input.resources`` itself (``util.live``, a type set, ``is_gpu``); a
twin that did the same would walk all of them ~30 times per scan, reading each resource's facts
from memory every time. :class:`Resources` walks them once and hands each twin only the resources
it can judge, always in document order, so a twin's findings come out in the order the Rego's
comprehension produces them.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain
from typing import Literal

from guardrails.engines.python.util import live
from guardrails.model.contract import InputDocument, ResourceDoc

#: The groups of live resources by fact: ``gpu`` (``facts.is_gpu``), ``priced``
#: (``facts.priced``), ``spot`` (``facts.capacity == "spot"``), ``taggable``
#: (``facts.taggable``), ``workloads`` (a workload with pod templates, ``util.templates``).
Group = Literal["gpu", "priced", "spot", "taggable", "workloads"]


class Resources:
    """``input.resources`` of one document, with the groups the twins select from.

    ``live`` is ``util.live`` (managed and not being deleted); every group and selection is a
    list in document order; only :meth:`of_types` also holds data sources and deletions (the
    policies that read those say so).
    """

    __slots__ = ("_groups", "_live_types", "_types", "all", "doc", "live")

    def __init__(self, doc: InputDocument) -> None:
        self.doc = doc
        #: Every resource, whatever its mode or action.
        self.all: list[ResourceDoc] = doc["resources"]
        #: ``util.live``: managed and not being deleted.
        self.live: list[ResourceDoc] = []
        self._types: dict[str, list[int]] = {}
        self._live_types: dict[str, list[int]] = {}
        gpu: list[int] = []
        priced: list[int] = []
        spot: list[int] = []
        taggable: list[int] = []
        workloads: list[int] = []
        self._groups: dict[Group, list[int]] = {
            "gpu": gpu,
            "priced": priced,
            "spot": spot,
            "taggable": taggable,
            "workloads": workloads,
        }
        for position, r in enumerate(self.all):
            kind = r["type"]
            self._types.setdefault(kind, []).append(position)
            if not live(r):
                continue
            self.live.append(r)
            self._live_types.setdefault(kind, []).append(position)
            f = r["facts"]  # enrichment gives every resource every fact (model/contract.py)
            if f["is_gpu"] is True:
                gpu.append(position)
            if f["priced"] is True:
                priced.append(position)
            if f["capacity"] == "spot":
                spot.append(position)
            if f["taggable"] is True:
                taggable.append(position)
            if r["workload"] is not None:
                workloads.append(position)

    @property
    def types(self) -> Iterable[str]:
        """Every resource type in the document."""
        return self._types.keys()

    def group(self, name: Group) -> list[ResourceDoc]:
        """The live resources of one group (see :data:`Group`)."""
        resources = self.all
        return [resources[p] for p in self._groups[name]]

    def live_of(
        self, types: Iterable[str] = (), *, groups: Iterable[Group] = ()
    ) -> list[ResourceDoc]:
        """Live resources whose type is one of ``types`` or that are in one of ``groups``."""
        return self._select(self._live_types, types, [self._groups[g] for g in groups])

    def of_types(self, types: Iterable[str]) -> list[ResourceDoc]:
        """Resources of any mode and action whose type is one of ``types``."""
        return self._select(self._types, types, [])

    def _select(
        self, table: dict[str, list[int]], types: Iterable[str], groups: list[list[int]]
    ) -> list[ResourceDoc]:
        if isinstance(types, str):  # one type is a set of one, never a set of its letters
            raise TypeError("types must be a collection of type names")
        groups += [table[kind] for kind in set(types) if kind in table]
        resources = self.all
        if len(groups) <= 1:
            return [resources[p] for p in groups[0]] if groups else []
        # A resource can be in several groups (a GPU Service): once is enough.
        return [resources[p] for p in sorted(set(chain.from_iterable(groups)))]
