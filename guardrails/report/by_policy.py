"""Findings grouped by policy for people: count, severity, the cost at stake, top resources.

A 10,000-resource plan raises some 20,000 findings from about twenty policies; a reader needs
the twenty lines first, then a few examples of each, not 80,000 lines of repeated advice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property

from guardrails.model import Finding, Graph, Outcome, Resource, Severity

#: Resources named on a policy's summary line.
TOP_RESOURCES = 3


@dataclass(frozen=True)
class PolicyGroup:
    """The findings of one policy, most severe first, and what they add up to."""

    policy: str
    title: str
    findings: tuple[Finding, ...]
    #: Monthly USD (desired scale) of the distinct resources the findings are on.
    monthly_usd: float
    #: The resources to look at first: most costly, then most findings, then by address.
    top: tuple[str, ...]
    resources: int

    @property
    def severity(self) -> Severity:
        return self.findings[0].severity

    @cached_property
    def unknown(self) -> int:
        return sum(1 for f in self.findings if f.outcome == Outcome.UNKNOWN)

    @cached_property
    def waived(self) -> int:
        return sum(1 for f in self.findings if f.waived)

    @property
    def remediations(self) -> list[str]:
        """Each distinct remediation once, in order of first appearance (a policy words its
        advice per provider, so it may have more than one)."""
        return list(dict.fromkeys(f.remediation for f in self.findings if f.remediation))


def _resource_index(graph: Graph) -> dict[tuple[str, str], Resource]:
    """(address, file) -> resource: two inputs may both hold ``aws_instance.gpu``."""
    return {(r.address, r.location.file if r.location else ""): r for r in graph.resources}


def _monthly(resource: Resource | None) -> float:
    if resource is None:
        return 0.0
    month = resource.facts.get("monthly_usd")
    value = month.get("desired") if isinstance(month, Mapping) else None
    return float(value) if isinstance(value, int | float) else 0.0


def group_by_policy(findings: Iterable[Finding], graph: Graph) -> list[PolicyGroup]:
    """One group per policy, ordered by its most severe finding, then by count, then by id.

    Within a group the findings that matter most come first (those a capped table shows):
    most severe, then on the costliest resource, then in ``Finding.sort_key`` order.
    """
    index = _resource_index(graph)
    costs: dict[tuple[str, str], float] = {}  # a resource's cost, asked by each policy
    by_policy: dict[str, list[Finding]] = {}
    for finding in findings:
        by_policy.setdefault(finding.policy, []).append(finding)
    groups = []
    for policy, items in by_policy.items():
        cost: dict[str, float] = {}
        # Per resource: its most severe finding's rank, its cost and its number of findings.
        rank: dict[str, tuple[int, float, int]] = {}
        for f in items:
            resource = f.resource
            seen = rank.get(resource)
            if seen is None:
                where = (resource, _file(f))
                known = costs.get(where)
                if known is None:
                    known = costs[where] = _monthly(index.get(where))
                cost[resource] = known
                rank[resource] = (f.severity.rank, known, 1)
            else:
                severity, monthly, count = seen
                rank[resource] = (max(severity, f.severity.rank), monthly, count + 1)
        ranked = sorted(rank, key=lambda a: (-rank[a][0], -rank[a][1], -rank[a][2], a))
        # sort_key starts with the negated severity rank.
        ordered = sorted(items, key=lambda f: (f.sort_key[0], -cost[f.resource], f.sort_key))
        groups.append(
            PolicyGroup(
                policy=policy,
                title=items[0].title,
                findings=tuple(ordered),
                monthly_usd=sum(cost.values()),
                top=tuple(ranked[:TOP_RESOURCES]),
                resources=len(ranked),
            )
        )
    groups.sort(key=lambda g: (-g.severity.rank, -len(g.findings), g.policy))
    return groups


def _file(finding: Finding) -> str:
    return finding.location.file if finding.location else ""
