"""Python twins of the tagging policies (policies/tagging)."""

from __future__ import annotations

from typing import Any

from guardrails.engines.base import RawFinding
from guardrails.engines.python.index import Resources
from guardrails.engines.python.registry import twin
from guardrails.engines.python.util import (
    Doc,
    Resource,
    finding,
    one_of,
    tag,
    tag_key,
    tag_unknowns,
)
from guardrails.patterns import full_match


@twin("GR-TAG-001")
def missing_required_tags(resources: Resources, config: Doc) -> list[RawFinding]:
    required = sorted(set(config["required_tags"]))
    lower = [k.lower() for k in required]  # ``util.has_tag`` reads facts.tags[lower(key)]
    out: list[RawFinding] = []
    for r in resources.group("taggable"):
        values = list(map(r["facts"]["tags"].get, lower))
        if all(values):
            continue
        missing = [k for k, value in zip(required, values, strict=True) if not value]
        unknowns = tag_unknowns(r)
        if unknowns:
            out.append(
                {
                    "resource": r["id"],
                    "message": f"tags are unknown until apply ({unknowns[0]}), so "
                    f"required tags {', '.join(missing)} cannot be checked",
                    "outcome": "unknown",
                    "attribute": unknowns[0],
                }
            )
        else:
            out.append(
                {
                    "resource": r["id"],
                    "message": f"is missing required tags: {', '.join(missing)}",
                }
            )
    return out


@twin("GR-TAG-002")
def tag_value_not_allowed(resources: Resources, config: Doc) -> list[RawFinding]:
    # (key, its lower-case form, the allowed values or the pattern) as ``util.tag`` reads them
    allowed_values = [(k, k.lower(), v) for k, v in config["allowed_tag_values"].items()]
    patterns = [(k, k.lower(), p) for k, p in config["tag_patterns"].items()]
    out: list[RawFinding] = []
    if not allowed_values and not patterns:
        return out
    for r in resources.group("taggable"):
        tags = r["facts"]["tags"]
        for key, low, allowed in allowed_values:
            value = tags.get(low)
            if value and value not in allowed and not _environment_alias(r, key, allowed):
                out.append(
                    finding(
                        r,
                        f"has {tag_key(r, key)}={value}; allowed values: "
                        f"{', '.join(sorted(allowed))}",
                    )
                )
        for key, low, pattern in patterns:
            value = tags.get(low)
            if value and not full_match(pattern, value):
                out.append(
                    finding(
                        r,
                        f"has {tag_key(r, key)}={value}, which does not match the pattern "
                        f"{pattern}",
                    )
                )
    return out


def _environment_alias(r: Resource, key: str, allowed: list[str]) -> bool:
    """The environment tag is an alias of an allowed environment (the enrichment's rule)."""
    f = r["facts"]
    return (
        key.lower() == "environment"
        and f.get("environment_source") == "label"
        and one_of(f.get("environment"), allowed)
    )


@twin("GR-TAG-003")
def gpu_without_workload_tag(resources: Resources, config: Doc) -> list[RawFinding]:
    out: list[RawFinding] = []
    allowed = set(config["allowed_workloads"])
    for r in resources.group("gpu"):
        value = tag(r, "workload")
        if value is None:
            unknowns = tag_unknowns(r)
            if unknowns:
                out.append(
                    finding(
                        r,
                        f"tags are unknown until apply ({unknowns[0]}), so the workload tag "
                        "cannot be checked",
                        outcome="unknown",
                        attribute=unknowns[0],
                    )
                )
            else:
                out.append(finding(r, "has no workload tag"))
        elif value not in allowed:
            out.append(
                finding(
                    r,
                    f"has workload tag {value}, which is not one of "
                    f"{', '.join(sorted(config['allowed_workloads']))}",
                )
            )
    return out


def _attribution_items(items: list[Any]) -> list[tuple[str, list[str]]]:
    """Each ``attribution_tags`` item as (its gap text, the lower-case keys any of which
    attributes the spend); items of another JSON type are never a gap, as in the Rego."""
    found = []
    for item in items:
        if isinstance(item, str):
            found.append((f"no {item} tag", [item.lower()]))
        elif isinstance(item, list):
            found.append((f"no {' or '.join(item)} tag", [k.lower() for k in item]))
    return found


def _gaps(tags: dict[str, str], items: list[tuple[str, list[str]]]) -> list[str]:
    gaps = []
    for gap, keys in items:
        for key in keys:
            if tags.get(key):
                break
        else:
            gaps.append(gap)
    return gaps


@twin("GR-TAG-004")
def cost_attribution_missing(resources: Resources, config: Doc) -> list[RawFinding]:
    out: list[RawFinding] = []
    items = _attribution_items(config["attribution_tags"])
    if config["attribution_scope"] == "all":
        scope = resources.group("taggable")
    else:
        scope = [r for r in resources.group("gpu") if r["facts"].get("taggable") is True]
    for r in scope:
        gaps = _gaps(r["facts"]["tags"], items)
        if not gaps:
            continue
        unknowns = tag_unknowns(r)
        if unknowns:
            out.append(
                {
                    "resource": r["id"],
                    "message": f"tags are unknown until apply ({unknowns[0]}), so cost "
                    f"attribution cannot be checked (as planned: {', '.join(gaps)})",
                    "outcome": "unknown",
                    "attribute": unknowns[0],
                }
            )
        else:
            out.append(
                {"resource": r["id"], "message": f"spend cannot be attributed: {', '.join(gaps)}"}
            )
    return out
