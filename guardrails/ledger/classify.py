"""New, fixed, unchanged, escalated: a change's findings measured against a base's."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import cached_property
from typing import Any

from guardrails.enrich.cost import dollars, signed_dollars
from guardrails.model import Finding, Graph
from guardrails.model.identity import identity


class Change(StrEnum):
    NEW = "new"
    ESCALATED = "escalated"
    FIXED = "fixed"
    UNCHANGED = "unchanged"


#: Costs closer than this (USD/month) are the same cost: prices are rounded to cents.
_COST_EPSILON = 0.5


@dataclass(frozen=True)
class Observed:
    """A finding with what makes it worse or better: its resource's monthly cost at max scale
    and GPU count at max scale (None: not known), and its waiver's expiry ("": not waived)."""

    finding: Finding
    identity: str
    max_monthly_usd: float | None = None
    max_gpus: float | None = None
    waiver_expires: str = ""
    #: The pre-ledger fingerprint (policy, file, resource, message): how version-1 baselines
    #: name a finding; empty when this record has an identity.
    legacy_fingerprint: str = ""


def observe(findings: Iterable[Finding], graph: Graph) -> list[Observed]:
    """Each finding with its resource's cost and GPU count at max scale from ``graph``."""
    out = []
    for f in findings:
        resource = graph.get(f.resource_id) if f.resource_id else None
        facts: Mapping[str, Any] = resource.facts if resource is not None else {}
        out.append(
            Observed(
                finding=f,
                identity=identity(f),
                max_monthly_usd=_max(facts.get("monthly_usd")) if facts.get("priced") else None,
                max_gpus=_max((facts.get("gpu") or {}).get("total")),
                waiver_expires=f.waiver_expires if f.waived else "",
            )
        )
    return out


def _max(value: Any) -> float | None:
    if isinstance(value, Mapping):
        value = value.get("max")
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


@dataclass(frozen=True)
class LedgerEntry:
    """One finding's class; ``head`` is absent for a fixed finding, ``base`` for a new one."""

    change: Change
    head: Observed | None
    base: Observed | None
    #: How an escalated finding got worse, each with its figures ("max cost $64,000 →
    #: $128,000/month").
    escalations: tuple[str, ...] = ()

    @property
    def finding(self) -> Finding:
        """The finding as the change leaves it (as the base had it, for a fixed one)."""
        seen = self.head or self.base
        assert seen is not None
        return seen.finding

    @property
    def cost_delta(self) -> float | None:
        """Max-scale monthly cost after minus before (a gone resource costs 0; None: unpriced)."""
        after = self.head.max_monthly_usd if self.head else 0.0
        before = self.base.max_monthly_usd if self.base else 0.0
        if after is None or before is None:
            return None
        return after - before

    def to_dict(self) -> dict[str, Any]:
        f = self.finding
        return {
            "change": str(self.change),
            "identity": (self.head or self.base).identity,  # type: ignore[union-attr]
            "policy": f.policy,
            "severity": str(f.severity),
            "base_severity": str(self.base.finding.severity) if self.base else None,
            "resource": f.resource,
            "message": f.message,
            "file": f.repo_path or (f.location.file if f.location else None),
            "outcome": str(f.outcome),
            "waived": f.waived,
            "escalations": list(self.escalations),
            "max_monthly_usd": {
                "base": self.base.max_monthly_usd if self.base else None,
                "head": self.head.max_monthly_usd if self.head else None,
            },
        }


@dataclass(frozen=True)
class Ledger:
    """Every finding of the change and of its base, each in one class."""

    #: What the base was: "the plan's prior state", "--base PATH ...", "baseline FILE".
    base: str
    entries: tuple[LedgerEntry, ...]

    def of(self, change: Change) -> list[LedgerEntry]:
        return list(self._by_change[change])

    @cached_property
    def _by_change(self) -> dict[Change, tuple[LedgerEntry, ...]]:
        """The entries of each class, in ledger order (reports ask for each class ~3 times)."""
        grouped: dict[Change, list[LedgerEntry]] = {c: [] for c in Change}
        for e in self.entries:
            grouped[e.change].append(e)
        return {c: tuple(entries) for c, entries in grouped.items()}

    def cost_delta(self, change: Change) -> float:
        """The change in max-scale monthly cost of the resources this class's findings are on
        (each resource once; unpriced ones count 0)."""
        by_resource: dict[tuple[str, str], float] = {}
        for e in self.of(change):
            delta = e.cost_delta
            if delta is not None:
                by_resource[(e.finding.resource, e.finding.repo_path)] = delta
        return round(sum(by_resource.values()), 2)

    @property
    def gated(self) -> frozenset[Finding]:
        """The change's findings a ``--fail-on-new`` run is judged by: new and escalated."""
        return frozenset(
            e.head.finding
            for e in self.entries
            if e.head is not None and e.change in (Change.NEW, Change.ESCALATED)
        )

    def change_of(self, finding: Finding) -> Change | None:
        for e in self.entries:
            if e.head is not None and e.head.finding is finding:
                return e.change
        return None

    def summary(self, gates_new: bool = False, limit: int = 20) -> list[str]:
        """Plain lines for terminals: each escalation with how (the first ``limit``), then
        the counts per class."""
        escalated = self.of(Change.ESCALATED)
        lines = [
            f"escalated: {e.finding.policy} on {e.finding.resource}: {'; '.join(e.escalations)}"
            for e in escalated[:limit]
        ]
        if len(escalated) > limit:
            lines.append(f"escalated: +{len(escalated) - limit} more (--format json lists all)")
        saved = -self.cost_delta(Change.FIXED)
        counts = self.counts()
        lines.append(
            f"against {self.base}: {counts['new']} new, {counts['escalated']} escalated, "
            f"{counts['fixed']} fixed"
            + (f" ({dollars(saved)}/month saved at max scale)" if saved > 0 else "")
            + f", {counts['unchanged']} unchanged"
            + ("; only new and escalated findings can fail (--fail-on-new)" if gates_new else "")
        )
        return lines

    def counts(self) -> dict[str, int]:
        return {str(c): len(self.of(c)) for c in Change}

    def to_dict(self) -> dict[str, Any]:
        return {
            "base": self.base,
            "counts": self.counts(),
            "monthly_usd_delta": {str(c): self.cost_delta(c) for c in Change},
            **{str(c): [e.to_dict() for e in self.of(c)] for c in Change},
        }


def classify(head: Iterable[Observed], base: Iterable[Observed], described: str) -> Ledger:
    """Pair head and base findings by identity (by file first when several share one), then
    by the version-1 fingerprint, then a lone leftover pair of one policy on one resource (a
    message that names other tags now); the rest are new (head) or fixed (base)."""
    heads, bases = list(head), list(base)
    pairs: list[tuple[Observed, Observed]] = []
    heads, bases = _pair(heads, bases, pairs, lambda o: o.identity, lambda o: o.identity)
    if any(b.legacy_fingerprint and not b.identity for b in bases):  # a version-1 baseline
        for legacy in (_legacy, _legacy_cluster_scoped):
            heads, bases = _pair(heads, bases, pairs, legacy, _recorded_legacy)
    heads, bases = _pair(heads, bases, pairs, _lone, _lone, only_single=True)
    entries = [
        LedgerEntry(Change.ESCALATED if worse else Change.UNCHANGED, h, b, worse)
        for h, b in pairs
        for worse in [escalations(b, h)]
    ]
    entries += [LedgerEntry(Change.NEW, h, None) for h in heads]
    entries += [LedgerEntry(Change.FIXED, None, b) for b in bases]
    order = list(Change)
    entries.sort(key=lambda e: (order.index(e.change), e.finding.sort_key))
    return Ledger(described, tuple(entries))


def _recorded_legacy(o: Observed) -> str | None:
    return o.legacy_fingerprint if not o.identity else None


def _legacy(o: Observed) -> str:
    return o.finding.legacy_fingerprint


def _legacy_cluster_scoped(o: Observed) -> str:
    """The version-1 fingerprint a cluster-scoped Kubernetes object's finding had when its
    address still carried the ``default`` namespace (``ClusterQueue/default/research``, now
    ``ClusterQueue/research``)."""
    f = o.finding
    kind, sep, name = f.resource.partition("/")
    if not sep or not name or "/" in name or kind != f.resource_type:
        return ""
    return replace(f, resource=f"{kind}/default/{name}").legacy_fingerprint


def _lone(o: Observed) -> str | None:
    return f"{o.finding.policy}\x1f{o.finding.resource}"


def _pair(
    heads: list[Observed],
    bases: list[Observed],
    pairs: list[tuple[Observed, Observed]],
    head_key: Any,
    base_key: Any,
    only_single: bool = False,
) -> tuple[list[Observed], list[Observed]]:
    """Pair by key (by file first); return the unpaired heads and bases."""
    waiting: dict[str, list[Observed]] = defaultdict(list)
    for b in bases:
        key = base_key(b)
        if key is not None:
            waiting[key].append(b)
    by_head: dict[str, list[Observed]] = defaultdict(list)
    for h in heads:
        by_head[head_key(h)].append(h)
    left_heads: list[Observed] = []
    paired: set[int] = set()
    for key, group in by_head.items():
        candidates = waiting.get(key, [])
        if only_single and (len(group) != 1 or len(candidates) != 1):
            left_heads += group
            continue
        # Same file first (two roots declaring one address), then in order (a moved file).
        unmatched = []
        for h in group:
            same = next((b for b in candidates if b.finding.repo_path == h.finding.repo_path), None)
            if same is None:
                unmatched.append(h)
                continue
            candidates.remove(same)
            paired.add(id(same))
            pairs.append((h, same))
        for h in unmatched:
            if not candidates:
                left_heads.append(h)
                continue
            match = candidates.pop(0)
            paired.add(id(match))
            pairs.append((h, match))
    return left_heads, [b for b in bases if id(b) not in paired]


def escalations(base: Observed, head: Observed) -> tuple[str, ...]:
    """How ``head`` is worse than ``base``: severity, max cost, GPU count, waiver (nothing
    against a version-1 baseline record, which holds none of them)."""
    out: list[str] = []
    if not base.identity:
        return ()
    if head.finding.severity.rank > base.finding.severity.rank:
        out.append(f"severity {base.finding.severity} → {head.finding.severity}")
    b_cost, h_cost = base.max_monthly_usd, head.max_monthly_usd
    if b_cost is not None and h_cost is not None and h_cost > b_cost + _COST_EPSILON:
        out.append(
            f"max cost {dollars(b_cost)} → {dollars(h_cost)}/month "
            f"({signed_dollars(h_cost - b_cost)})"
        )
    b_gpus, h_gpus = base.max_gpus, head.max_gpus
    if b_gpus is not None and h_gpus is not None and h_gpus > b_gpus:
        out.append(f"max GPUs {b_gpus:g} → {h_gpus:g}")
    if head.waiver_expires and head.waiver_expires > base.waiver_expires:
        was = f"until {base.waiver_expires}" if base.waiver_expires else "not waived"
        out.append(f"waived until {head.waiver_expires} (was {was})")
    return tuple(out)
