"""Python twins of the tagging policies (policies/tagging)."""

from __future__ import annotations

from typing import Any

from guardrails.engines.base import RawFinding
from guardrails.engines.python.registry import twin
from guardrails.engines.python.util import (
    Doc,
    InputDocument,
    Resource,
    facts,
    finding,
    live,
    one_of,
    tag,
    tag_key,
    tag_unknowns,
)
from guardrails.patterns import full_match


def _tagged(doc: InputDocument) -> list[Resource]:
    return [r for r in doc["resources"] if facts(r).get("taggable") is True and live(r)]


@twin("GR-TAG-001")
def missing_required_tags(doc: InputDocument, config: Doc) -> list[RawFinding]:
    out = []
    for r in _tagged(doc):
        missing = sorted({k for k in config["required_tags"] if tag(r, k) is None})
        if not missing:
            continue
        unknowns = tag_unknowns(r)
        if unknowns:
            out.append(
                finding(
                    r,
                    f"tags are unknown until apply ({unknowns[0]}), so "
                    f"required tags {', '.join(missing)} cannot be checked",
                    outcome="unknown",
                    attribute=unknowns[0],
                )
            )
        else:
            out.append(finding(r, f"is missing required tags: {', '.join(missing)}"))
    return out


@twin("GR-TAG-002")
def tag_value_not_allowed(doc: InputDocument, config: Doc) -> list[RawFinding]:
    out = []
    for r in _tagged(doc):
        for key, allowed in config["allowed_tag_values"].items():
            value = tag(r, key)
            if (
                value is not None
                and value not in allowed
                and not _environment_alias(r, key, allowed)
            ):
                out.append(
                    finding(
                        r,
                        f"has {tag_key(r, key)}={value}; allowed values: "
                        f"{', '.join(sorted(allowed))}",
                    )
                )
        for key, pattern in config["tag_patterns"].items():
            value = tag(r, key)
            if value is not None and not full_match(pattern, value):
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
    f = facts(r)
    return (
        key.lower() == "environment"
        and f.get("environment_source") == "label"
        and one_of(f.get("environment"), allowed)
    )


@twin("GR-TAG-003")
def gpu_without_workload_tag(doc: InputDocument, config: Doc) -> list[RawFinding]:
    out = []
    allowed = set(config["allowed_workloads"])
    for r in doc["resources"]:
        if facts(r).get("is_gpu") is not True or not live(r):
            continue
        value = tag(r, "workload")
        unknowns = tag_unknowns(r)
        if value is None and unknowns:
            out.append(
                finding(
                    r,
                    f"tags are unknown until apply ({unknowns[0]}), so the workload tag "
                    "cannot be checked",
                    outcome="unknown",
                    attribute=unknowns[0],
                )
            )
        elif value is None:
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


def _has_label(r: Resource, key: str) -> bool:
    """Rego's ``util.has_tag``: the key (any case, or a configured alias) has a value."""
    return tag(r, key) is not None


def _attribution_gaps(r: Resource, items: list[Any]) -> list[str]:
    gaps = []
    for item in items:
        if isinstance(item, str) and not _has_label(r, item):
            gaps.append(f"no {item} tag")
        elif isinstance(item, list) and not any(_has_label(r, k) for k in item):
            gaps.append(f"no {' or '.join(item)} tag")
    return gaps


@twin("GR-TAG-004")
def cost_attribution_missing(doc: InputDocument, config: Doc) -> list[RawFinding]:
    out = []
    everything = config["attribution_scope"] == "all"
    for r in doc["resources"]:
        f = facts(r)
        if f.get("taggable") is not True or not live(r):
            continue
        if not everything and f.get("is_gpu") is not True:
            continue
        gaps = _attribution_gaps(r, config["attribution_tags"])
        if not gaps:
            continue
        unknowns = tag_unknowns(r)
        if unknowns:
            out.append(
                finding(
                    r,
                    f"tags are unknown until apply ({unknowns[0]}), so cost attribution "
                    f"cannot be checked (as planned: {', '.join(gaps)})",
                    outcome="unknown",
                    attribute=unknowns[0],
                )
            )
        else:
            out.append(
                finding(
                    r,
                    f"spend cannot be attributed: {', '.join(gaps)}",
                )
            )
    return out
