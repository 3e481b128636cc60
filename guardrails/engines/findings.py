"""Turning raw policy output into Findings: catalog metadata, config overrides, resource details."""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from typing import Any

from guardrails.catalog import Catalog
from guardrails.engines.base import RawFinding
from guardrails.enrich.cost import NOT_EVALUATED, UNPRICED, UNTIL_APPLY, unevaluated_reason
from guardrails.model import Action, Finding, Graph, Location, Outcome, Resource, Severity
from guardrails.model.ids import input_path_of

CHANGE = "change"
#: Actions that leave a resource as it is: with ``changed_only`` its findings are ``existing``.
UNCHANGED = (Action.NO_OP, Action.READ)


def to_findings(
    raw: dict[str, list[RawFinding]],
    graph: Graph,
    catalog: Catalog,
    config: dict[str, Any],
    repo_path: Callable[[str], str] | None = None,
) -> list[Finding]:
    """Findings sorted by severity, resource and policy; disabled policies dropped.

    ``repo_path`` maps a location's file to its path from the repository root (the identity
    fingerprints use); without it findings carry no ``repo_path``.
    """
    disabled = set(config.get("disabled_policies") or ())
    overrides: dict[str, str] = config.get("severity_overrides") or {}
    changed_only = bool(config.get("changed_only"))
    # A 10k-resource plan raises ~20,000 findings on a few files and resource kinds: what
    # depends only on those is worked out once (per file, per policy and kind of resource).
    repo_paths: dict[str, str] = {}
    remediations: dict[tuple[str, str, str | None, str, str], str] = {}
    fallback = _Fallback(graph)
    # A dict, not a set: the same finding from two engines' rows is kept once, and the
    # findings stay in the policies' own order, runs that sorting merges instead of redoing.
    findings: dict[Finding, None] = {}
    for policy_id, items in raw.items():
        policy = catalog.policies.get(policy_id)
        if policy is None or policy_id in disabled:
            continue
        override = overrides.get(policy_id)
        # A policy may raise one finding above its catalog severity (Ray dashboard open to
        # the internet is critical where SSH is high); a configured override always wins.
        forced = Severity(override) if override else None
        for item in items:
            severity = forced or _severity(item.get("severity"), policy.severity)
            resource = graph.get(str(item.get("resource", "")))
            if resource is None and item.get("resource") != CHANGE:
                continue  # a user policy naming a resource that is not in the graph
            location = _location(resource, fallback)
            outcome = _outcome(item, resource, changed_only)
            relative = ""
            if repo_path is not None and location is not None:
                relative = repo_paths.get(location.file, "")
                if not relative:
                    relative = repo_paths[location.file] = repo_path(location.file)
            if resource is None or not policy.remediation_by:
                remediation = policy.remediation
            else:
                kind = (
                    policy_id,
                    resource.type,
                    resource.native_type,
                    resource.provider,
                    resource.source_format,
                )
                remediation = remediations.get(kind, "")
                if not remediation:
                    remediation = remediations[kind] = policy.remediation_for(resource)
            findings.setdefault(
                Finding(
                    policy=policy_id,
                    title=policy.title,
                    severity=severity,
                    category=policy.category,
                    resource=resource.address if resource else CHANGE,
                    resource_type=resource.type if resource else CHANGE,
                    message=str(item.get("message", "")),
                    remediation=remediation,
                    location=location,
                    outcome=outcome,
                    repo_path=relative,
                    resource_id=resource.id if resource else "",
                    unknown_reason=(
                        _unknown_reason(item, resource, policy.category)
                        if outcome == Outcome.UNKNOWN
                        else ""
                    ),
                )
            )
    return sorted(findings, key=_SORT_KEY)


_SORT_KEY = attrgetter("sort_key")


def _outcome(item: RawFinding, resource: Resource | None, changed_only: bool) -> Outcome:
    if changed_only and resource is not None and resource.action in UNCHANGED:
        return Outcome.EXISTING
    return Outcome.UNKNOWN if item.get("outcome") == "unknown" else Outcome.FAIL


def _unknown_reason(item: RawFinding, resource: Resource | None, category: str) -> str:
    """Why an unknown is unknown, for its label: the policy's own ``unknown_reason``, else a
    value only known after apply (``attribute``), a part not looked into, an unpriced resource."""
    stated = item.get("unknown_reason")
    if isinstance(stated, str) and stated.strip():
        return " ".join(stated.split())[:60]
    if isinstance(item.get("attribute"), str):
        return UNTIL_APPLY
    if resource is not None and resource.unevaluated:
        return unevaluated_reason(resource.mode, resource.unknown)
    if category == "input":
        return NOT_EVALUATED
    if resource is not None and resource.facts.get("is_gpu") and not resource.facts.get("priced"):
        return UNPRICED
    return "unknown"


class _Fallback:
    """The location of a finding whose resource has none and names no input: the first input
    read (found once, on first use)."""

    def __init__(self, graph: Graph) -> None:
        self._graph = graph
        self._found = False
        self._location: Location | None = None

    @property
    def location(self) -> Location | None:
        if not self._found:
            inputs = [i.path for i in self._graph.inputs if i.format != "skipped"]
            self._location = Location(inputs[0]) if inputs else None
            self._found = True
        return self._location


def _location(resource: Resource | None, fallback: _Fallback) -> Location | None:
    """Where to point a reader: the resource's file:line, else its input file, else the first."""
    if resource is not None and resource.location is not None:
        return resource.location
    path = input_path_of(resource.id) if resource is not None else None
    if path is not None:
        return Location(path)
    return fallback.location


#: Severity by name: a dict look-up instead of the enum's constructor for every finding.
_SEVERITIES = {str(s): s for s in Severity}


def _severity(value: Any, default: Severity) -> Severity:
    return _SEVERITIES.get(str(value), default) if value else default


def canonical(raw: dict[str, list[RawFinding]]) -> list[tuple[str, str, str, str, str]]:
    """Engine output in a comparable form (policy, resource, outcome, message, severity)."""
    rows = {
        (
            pid,
            str(f.get("resource")),
            str(f.get("outcome", "fail")),
            str(f.get("message")),
            str(f.get("severity", "")),
        )
        for pid, items in raw.items()
        for f in items
    }
    return sorted(rows)
