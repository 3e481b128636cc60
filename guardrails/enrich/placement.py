"""Which GPU node group a Kubernetes GPU workload runs on, so each GPU is counted once.

A GPU pod and the GPU node it is scheduled on are two prices of one GPU: the bill is the node.
When a scan holds both a GPU node group (EKS node group, GKE node pool, AKS node pool,
Karpenter NodePool) and GPU workloads, a workload is *placed* on the node groups whose node
labels satisfy every pod template's ``nodeSelector`` and required node affinity (``In``) terms:

* the terms name the group (``eks.amazonaws.com/nodegroup``, ``cloud.google.com/gke-nodepool``,
  ``kubernetes.azure.com/agentpool``/``agentpool``, ``karpenter.sh/nodepool``) or a label the
  group itself sets (``labels``/``node_labels``/``node_config.labels``/template labels), or
* the terms select an instance type or GPU accelerator that only node groups in this scan are
  known to provide (``node.kubernetes.io/instance-type``, ``cloud.google.com/gke-accelerator``,
  ``karpenter.k8s.aws/instance-gpu-name``, ...).

A placed workload's GPUs are counted on the node group: the node groups' desired size is paid
anyway, and the workload adds only what it needs beyond it — the scale-up, up to the groups'
maximum (``counted_share``). Several workloads on the same groups share that scale-up in
proportion to their own price. A GPU workload that no term ties
to a node group, while GPU node groups are in the same scan, may run on them: both are kept
and the overlap is reported, never silently doubled.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping
from typing import Any

from guardrails.enrich.attrs import kind
from guardrails.enrich.cost import dollars
from guardrails.model import Resource

#: Labels Kubernetes or the cloud sets on a node from the group it belongs to.
_IDENTITY = {
    "aws_eks_node_group": ("eks.amazonaws.com/nodegroup",),
    "google_container_node_pool": ("cloud.google.com/gke-nodepool",),
    "azurerm_kubernetes_cluster_node_pool": ("kubernetes.azure.com/agentpool", "agentpool"),
    "NodePool": ("karpenter.sh/nodepool",),
}
INSTANCE_TYPE = "node.kubernetes.io/instance-type"
#: Keys whose value says which hardware a node has (a link by hardware, not by name).
_HARDWARE = {
    INSTANCE_TYPE,
    "beta.kubernetes.io/instance-type",
    "cloud.google.com/gke-accelerator",
    "karpenter.k8s.aws/instance-gpu-name",
    "karpenter.k8s.aws/instance-family",
}

NodeLabels = dict[str, set[str]]


def _map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _first(value: Any) -> Mapping[str, Any]:
    if isinstance(value, list):
        return _map(value[0]) if value else {}
    return _map(value)


def _strings(values: Iterable[Any]) -> set[str]:
    return {str(v) for v in values if isinstance(v, (str, int)) and not isinstance(v, bool)}


def _add(labels: NodeLabels, key: str, *values: Any) -> None:
    found = _strings(values)
    if found:
        labels.setdefault(key, set()).update(found)


def _add_map(labels: NodeLabels, value: Any) -> None:
    for key, item in _map(value).items():
        _add(labels, str(key), item)


def node_group_labels(resource: Resource) -> NodeLabels | None:
    """The node labels a GPU node group's nodes carry (values a key can take), else None."""
    a = resource.attributes or {}
    labels: NodeLabels = {}
    rtype = kind(resource)
    if rtype == "aws_eks_node_group":
        _add_map(labels, a.get("labels"))
        _add(labels, "eks.amazonaws.com/nodegroup", a.get("node_group_name"))
        types = a.get("instance_types")
        _add(labels, INSTANCE_TYPE, *(types if isinstance(types, list) else []))
    elif rtype == "google_container_node_pool":
        _gke_pool(labels, a.get("name"), a.get("node_config"))
    elif rtype == "google_container_cluster":
        # The cluster's own pools: its inline node_pool blocks, else the default pool.
        pools = [_map(p) for p in a.get("node_pool") or [] if isinstance(p, Mapping)]
        for pool in pools or [{"name": "default-pool", "node_config": a.get("node_config")}]:
            _gke_pool(labels, pool.get("name"), pool.get("node_config"))
    elif rtype == "azurerm_kubernetes_cluster_node_pool":
        _add_map(labels, a.get("node_labels"))
        _add(labels, "kubernetes.azure.com/agentpool", a.get("name"))
        _add(labels, "agentpool", a.get("name"))
        _add(labels, INSTANCE_TYPE, a.get("vm_size"))
    elif rtype == "NodePool" and resource.is_kubernetes_object:
        spec = _map(a.get("spec"))
        template = _map(spec.get("template"))
        _add_map(labels, _map(template.get("metadata")).get("labels"))
        _add(labels, "karpenter.sh/nodepool", _map(a.get("metadata")).get("name"))
        requirements = _map(template.get("spec")).get("requirements")
        for requirement in requirements if isinstance(requirements, list) else []:
            r = _map(requirement)
            if r.get("operator") == "In" and isinstance(r.get("values"), list):
                _add(labels, str(r.get("key")), *r["values"])
    else:
        return None
    return labels


def _gke_pool(labels: NodeLabels, name: Any, node_config: Any) -> None:
    config = _first(node_config)
    _add_map(labels, config.get("labels"))
    _add(labels, "cloud.google.com/gke-nodepool", name)
    _add(labels, INSTANCE_TYPE, config.get("machine_type"))
    accelerators = config.get("guest_accelerator")
    for accelerator in accelerators if isinstance(accelerators, list) else [accelerators]:
        _add(labels, "cloud.google.com/gke-accelerator", _map(accelerator).get("type"))


def _terms(template: Mapping[str, Any]) -> dict[str, set[str]] | None:
    """What one pod template requires of its node: label key -> allowed values.

    None when it requires something a node group's known labels cannot answer (an operator
    other than ``In``, or several alternative node selector terms).
    """
    terms: dict[str, set[str]] = {k: {v} for k, v in _map(template.get("node_selector")).items()}
    required = _map(_map(_map(template.get("affinity")).get("nodeAffinity"))).get(
        "requiredDuringSchedulingIgnoredDuringExecution"
    )
    selector_terms = _map(required).get("nodeSelectorTerms")
    if isinstance(selector_terms, list) and selector_terms:
        if len(selector_terms) > 1:
            return None
        for expression in _map(selector_terms[0]).get("matchExpressions") or []:
            e = _map(expression)
            values = e.get("values")
            if e.get("operator") != "In" or not isinstance(values, list):
                return None
            key = str(e.get("key"))
            allowed = _strings(values)
            terms[key] = terms[key] & allowed if key in terms else allowed
    return terms


#: Node groups named in a placement (``candidates`` says how many there are in all).
LISTED = 10
#: The key holding every placed group's id (internal: not part of the fact).
GROUP_IDS = "group_ids"


class _Index:
    """GPU node groups by node label. Workloads repeat the same few selectors, so answers are
    memoized per selector: placing W workloads on G groups costs O(W + distinct selectors x G)."""

    def __init__(self, groups: list[tuple[Resource, NodeLabels]]) -> None:
        self.groups = sorted(groups, key=lambda g: (g[0].address, g[0].id))
        self.everyone = frozenset(range(len(self.groups)))
        self.with_key: dict[str, set[int]] = {}
        self.with_value: dict[tuple[str, str], set[int]] = {}
        for index, (_, labels) in enumerate(self.groups):
            for key, values in labels.items():
                self.with_key.setdefault(key, set()).add(index)
                for value in values:
                    self.with_value.setdefault((key, value), set()).add(index)
        self._certain: dict[frozenset[tuple[str, frozenset[str]]], frozenset[int]] = {}
        self._possible: dict[frozenset[tuple[str, frozenset[str]]] | None, frozenset[int]] = {}
        self._ids: dict[frozenset[int], tuple[str, ...]] = {}
        self._refs: dict[frozenset[int], list[dict[str, str]]] = {}

    def _some_allowed(self, key: str, allowed: set[str]) -> set[int]:
        found: set[int] = set()
        for value in allowed:
            found |= self.with_value.get((key, value), set())
        return found

    def certain(self, terms: Mapping[str, set[str]]) -> frozenset[int]:
        """Groups every node of which has each required label at an allowed value."""
        memo = frozenset((k, frozenset(v)) for k, v in terms.items())
        if memo not in self._certain:
            found: set[int] | None = None
            for key, allowed in terms.items():
                candidates = self._some_allowed(key, allowed)
                found = candidates if found is None else found & candidates
                found = {i for i in found if self.groups[i][1][key] <= allowed}
                if not found:
                    break
            self._certain[memo] = frozenset(found or ())
        return self._certain[memo]

    def possible(self, terms: Mapping[str, set[str]] | None) -> frozenset[int]:
        """Groups the pods may land on: none of their known labels rules the terms out."""
        memo = None if terms is None else frozenset((k, frozenset(v)) for k, v in terms.items())
        if memo not in self._possible:
            excluded: set[int] = set()
            for key, allowed in (terms or {}).items():
                excluded |= self.with_key.get(key, set()) - self._some_allowed(key, allowed)
            self._possible[memo] = self.everyone - excluded if excluded else self.everyone
        return self._possible[memo]

    def refs(self, indexes: frozenset[int], limit: int) -> list[dict[str, str]]:
        """The first ``limit`` groups (by address) as ``{id, address}``."""
        if indexes not in self._refs:
            chosen = heapq.nsmallest(limit, indexes)
            self._refs[indexes] = [
                {"id": self.groups[i][0].id, "address": self.groups[i][0].address} for i in chosen
            ]
        return [dict(ref) for ref in self._refs[indexes]]

    def ids(self, indexes: frozenset[int]) -> tuple[str, ...]:
        """Every group's id, one shared tuple per set (it keys counted_share's tenants)."""
        if indexes not in self._ids:
            self._ids[indexes] = tuple(self.groups[i][0].id for i in sorted(indexes))
        return self._ids[indexes]


def _via(terms: Mapping[str, set[str]]) -> str:
    return ", ".join(f"{k}={'|'.join(sorted(v))}" for k, v in sorted(terms.items()))


def place(resources: Iterable[Resource]) -> dict[str, dict[str, Any]]:
    """``facts.placement`` per Kubernetes GPU workload id (only when GPU node groups exist).

    ``status``: ``on_node_group`` (counted once, on ``node_groups``; ``link`` says whether a
    term names the group or only its hardware) or ``possible_overlap`` (``node_groups``: the GPU
    node groups of the scan it may run on, at most LISTED of ``candidates``; both counted;
    ``reason`` says why no link holds). A workload that selects hardware no node group in the
    scan has gets no placement.
    """
    items = list(resources)
    workloads = [
        (r, templates)
        for r in items
        if (r.facts or {}).get("is_gpu") is True
        and isinstance(templates := (r.workload or {}).get("pod_templates"), list)
        and templates
    ]
    if not workloads:
        return {}  # nothing to place: the node groups' labels need not be read
    groups = [
        (r, labels)
        for r in items
        if (r.facts or {}).get("is_gpu") is True
        and r.mode == "managed"
        and (labels := node_group_labels(r)) is not None
    ]
    if not groups:
        return {}
    index = _Index(groups)
    out: dict[str, dict[str, Any]] = {}
    for r, templates in workloads:
        found = _placement(templates, index)
        if found is not None:
            out[r.id] = found
    return _demote_overflow(items, out, index)


def _gpus(resource: Resource, key: str) -> float | None:
    total = _map(_map((resource.facts or {}).get("gpu")).get("total")).get(key)
    return float(total) if isinstance(total, int | float) and not isinstance(total, bool) else None


def _count(values: list[float | None]) -> str:
    if None in values:
        return "an unknown number of"
    total = sum(v or 0.0 for v in values)
    return f"{total:g}"


def _demote_overflow(
    items: list[Resource], placements: dict[str, dict[str, Any]], index: _Index
) -> dict[str, dict[str, Any]]:
    """A link by hardware alone holds only while the pods fit the groups' maximum size.

    Pods that need more GPUs of that type than the scan's groups can ever hold run on other
    nodes of that type (or wait): those workloads are possible overlaps, not placements.
    """
    by_id = {r.id: r for r in items}
    tenants: dict[tuple[str, ...], list[str]] = {}
    for rid, found in placements.items():
        if found["status"] == "on_node_group":
            tenants.setdefault(found[GROUP_IDS], []).append(rid)
    for key, members in tenants.items():
        if all(placements[m]["link"] == "name" for m in members):
            continue
        capacity = [_gpus(by_id[g], "max") for g in key]
        demand = [_gpus(by_id[m], "desired") for m in members]
        fits = (
            None not in capacity
            and None not in demand
            and sum(d or 0.0 for d in demand) <= sum(c or 0.0 for c in capacity)
        )
        if fits:
            continue
        for m in members:
            if placements[m]["link"] in ("hardware", "any"):
                placements[m] = {
                    **placements[m],
                    "status": "possible_overlap",
                    "reason": (
                        f"{_count(demand)} GPUs "
                        f"{_selects(placements[m]['via'])}, the groups "
                        f"hold {_count(capacity)} at most"
                    ),
                    "via": None,
                }
    return placements


def _selects(via: str) -> str:
    """What the pods select, for an overflow reason (``via`` without the link's wording)."""
    terms = [
        part.removesuffix(" (by hardware)")
        for part in via.split("; ")
        if not part.startswith("no nodeSelector")
    ]
    return f"select {'; '.join(terms)}" if terms else "may run on any GPU node"


def _placement(templates: list[Any], index: _Index) -> dict[str, Any] | None:
    placed: frozenset[int] = frozenset()
    possible: frozenset[int] = frozenset()
    elsewhere = False  # a template that no node group of the scan can hold
    links = []
    by_name = True
    for template in templates:
        terms = _terms(_map(template))
        certain = index.certain(terms) if terms else frozenset()
        if certain and terms:
            placed = placed | certain if placed else certain
            named = any(key not in _HARDWARE for key in terms)
            by_name = by_name and named
            links.append(f"{_via(terms)}{'' if named else ' (by hardware)'}")
            continue
        maybe = index.possible(terms)
        possible = possible | maybe if possible else maybe
        elsewhere = elsewhere or not maybe
    if possible and not elsewhere:
        # Nothing ties these pods to a group, but a GPU pod needs a GPU node and the scan's
        # GPU nodes are where they can land: the nodes are the spend, the pods inside it
        # (while they fit the groups' maximum: _demote_overflow).
        every = possible | placed if placed else possible
        links.append("no nodeSelector or node affinity: on the GPU nodes of the scan")
        return {
            "status": "on_node_group",
            "node_groups": index.refs(every, LISTED),
            GROUP_IDS: index.ids(every),
            "candidates": len(every),
            "via": "; ".join(sorted(set(links))),
            "link": "any",
        }
    if possible or (placed and elsewhere):
        # Part of the workload may run elsewhere: both are counted, the overlap said.
        both = possible | placed if placed else possible
        return {
            "status": "possible_overlap",
            "node_groups": index.refs(both, LISTED),
            "candidates": len(both),
            "via": None,
            "link": None,
            "reason": "no nodeSelector or node affinity ties it to one",
        }
    if not placed:
        return None
    return {
        "status": "on_node_group",
        "node_groups": index.refs(placed, LISTED),
        # Every group's id, for counted_share; enrichment drops it from the fact.
        GROUP_IDS: index.ids(placed),
        "candidates": len(placed),
        "via": "; ".join(sorted(set(links))),
        "link": "name" if by_name else "hardware",
    }


def overlap_summary(
    resources: Iterable[Resource], placements: Mapping[str, Mapping[str, Any]]
) -> dict[str, Any]:
    """``summary.cost`` keys: workloads counted on a node group, possible overlaps, a note."""
    placed: list[dict[str, Any]] = []
    overlapping: list[dict[str, Any]] = []
    for r in resources:
        found = placements.get(r.id)
        if found is None:
            continue
        entry = {
            "resource": r.id,
            "address": r.address,
            "node_groups": [g["address"] for g in found["node_groups"]],
            "via": found["via"],
            "reason": found.get("reason"),
            "monthly_usd_counted": found.get("monthly_usd_counted"),
        }
        (placed if found["status"] == "on_node_group" else overlapping).append(entry)
    notes = []
    if placed:
        added = sum(float(p.get("monthly_usd_counted") or 0.0) for p in placements.values())
        notes.append(
            f"{_workloads(len(placed))} on GPU node groups in this change: their GPUs are "
            f"counted once (the node groups, plus {dollars(added)} of scale-up beyond their "
            "desired size)"
        )
    if overlapping:
        notes.append(
            f"{_workloads(len(overlapping))} on GPU node groups in this change or elsewhere "
            f"({_named(overlapping)}): counted on both, possibly twice"
        )
    return {
        "counted_on_node_groups": placed,
        "possible_overlap": overlapping,
        "note": "; ".join(notes),
    }


def _named(entries: list[dict[str, Any]], shown: int = 3) -> str:
    """The first workloads by address, and how many more: what a table reader can look up."""
    names = [str(e["address"]) for e in entries[:shown]]
    more = len(entries) - len(names)
    return ", ".join(names) + (f" and {more} more" if more else "")


def _workloads(n: int) -> str:
    return "1 GPU workload runs" if n == 1 else f"{n} GPU workloads run"


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _scale(facts: Mapping[str, Any]) -> tuple[float, float, float, float] | None:
    """Monthly USD and GPUs at desired and max scale, or None when not known."""
    month = _map(facts.get("monthly_usd"))
    gpus = _map(_map(facts.get("gpu")).get("total"))
    values = (
        _number(month.get("desired")),
        _number(month.get("max")),
        _number(gpus.get("desired")),
        _number(gpus.get("max")),
    )
    if any(v is None for v in values):
        return None
    cost, cost_max, count, count_max = (float(v or 0.0) for v in values)
    return cost, cost_max, count, count_max


def counted_share(
    resources: Iterable[Resource], placements: Mapping[str, Mapping[str, Any]]
) -> dict[str, dict[str, float]]:
    """What each placed workload adds beyond its node groups' desired size.

    In GPUs: ``min(max, max(desired, demand)) - desired`` over the node groups it is placed on,
    where demand is the GPUs of every workload placed on exactly those groups; priced at the
    groups' own $/GPU (the pods' price may rest on an assumed rate, the nodes' does not), and
    shared in proportion to each workload's GPUs. A workload or node group whose GPUs or price
    are unknown adds nothing here (its own facts say it is unpriced).
    """
    by_id = {r.id: r for r in resources}
    tenants: dict[tuple[str, ...], list[str]] = {}
    for rid, found in placements.items():
        if found["status"] == "on_node_group":
            tenants.setdefault(found[GROUP_IDS], []).append(rid)
    out: dict[str, dict[str, float]] = {}
    for key, members in tenants.items():
        for m in members:
            out[m] = {"monthly_usd": 0.0, "gpus": 0.0}
        scales = [_scale(by_id[g].facts or {}) for g in key]
        if any(g is None for g in scales):
            continue
        cost_max = sum(g[1] for g in scales if g)
        count = sum(g[2] for g in scales if g)
        count_max = sum(g[3] for g in scales if g)
        per_gpu = cost_max / count_max if count_max else 0.0
        demands = {m: _gpus(by_id[m], "desired") for m in members}
        demand = sum(d for d in demands.values() if d is not None)
        extra = max(0.0, min(count_max, max(count, demand)) - count)
        for m, d in demands.items():
            if d is None or not demand:
                continue
            gpus = extra * d / demand
            out[m] = {"monthly_usd": round(gpus * per_gpu, 2), "gpus": round(gpus, 2)}
    return out
