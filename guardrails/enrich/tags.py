"""Tag and label keys: one rule for the enrichment and every tagging policy.

Keys match case-insensitively (``Environment``, ``environment`` and ``ENVIRONMENT`` are one key),
and ``tag_aliases`` in ``.guardrails.yaml`` names other keys that count as a canonical one
(default: ``env`` and ``stage`` count as ``environment``). ``facts.tags`` holds the canonical
(lower-case) key → value, ``facts.tag_keys`` the key as the resource writes it, so messages can
name it. When several keys land on one canonical key, the canonical key itself wins (its exact
spelling first, then other case variants in sorted order), then the aliases in the order the
config lists them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

#: Aliases every configuration starts with (a config's ``tag_aliases`` is merged over them).
DEFAULT_TAG_ALIASES: dict[str, list[str]] = {"environment": ["env", "stage"]}


def alias_table(aliases: Mapping[str, Sequence[str]]) -> dict[str, tuple[str, int]]:
    """lower-case key → (canonical key, rank): the canonical key ranks 0, its aliases 1, 2, …"""
    table: dict[str, tuple[str, int]] = {}
    for canonical, names in aliases.items():
        key = canonical.strip().lower()
        table[key] = (key, 0)
        for index, alias in enumerate(names, start=1):
            table.setdefault(alias.strip().lower(), (key, index))
    return table


def alias_conflicts(aliases: Mapping[str, Sequence[str]]) -> list[str]:
    """Problems that would make the rule ambiguous: a key that is an alias of two canonical
    keys, or an alias that is itself a canonical key (case-insensitively)."""
    canonical = {c.strip().lower() for c in aliases}
    owner: dict[str, str] = {}
    problems = []
    for name, names in aliases.items():
        for alias in names:
            key = alias.strip().lower()
            if key in canonical:
                problems.append(f"{alias} is an alias of {name} but also a key with aliases")
            elif key in owner and owner[key] != name.strip().lower():
                problems.append(f"{alias} is an alias of both {owner[key]} and {name}")
            owner.setdefault(key, name.strip().lower())
    return problems


def canonical_tags(
    labels: Mapping[str, str], table: Mapping[str, tuple[str, int]]
) -> tuple[dict[str, str], dict[str, str]]:
    """(canonical key → value, canonical key → the key as written) for one resource.

    Only string keys and values are kept (a number in a plan's ``tags`` is no tag value), so
    the policies read ``facts.tags`` without checking each value's type."""
    # Most resources write each canonical key once: then there is nothing to rank.
    single: dict[str, tuple[str, str]] = {}
    for key, value in labels.items():
        if not isinstance(key, str) or not isinstance(value, str):
            continue
        lowered = key.lower()
        found = table.get(lowered)
        canonical = found[0] if found is not None else lowered
        if canonical in single:
            return _ranked(labels, table)
        single[canonical] = (key, value)
    if not single:
        return {}, {}
    ordered = sorted(single)
    return {c: single[c][1] for c in ordered}, {c: single[c][0] for c in ordered}


def _ranked(
    labels: Mapping[str, str], table: Mapping[str, tuple[str, int]]
) -> tuple[dict[str, str], dict[str, str]]:
    """:func:`canonical_tags` when several keys land on one canonical key."""
    best: dict[str, tuple[tuple[int, int, str], str, str]] = {}
    for key, value in labels.items():
        if not isinstance(key, str) or not isinstance(value, str):
            continue
        lowered = key.lower()
        canonical, rank = table.get(lowered, (lowered, 0))
        # Exact spelling of the canonical key first, then its case variants, then aliases.
        order = (rank, 0 if key == canonical else 1, key)
        if canonical not in best or order < best[canonical][0]:
            best[canonical] = (order, key, value)
    return (
        {c: v for c, (_, _, v) in sorted(best.items())},
        {c: k for c, (_, k, _) in sorted(best.items())},
    )


def tag_value(facts: Mapping[str, Any], key: str) -> str | None:
    """The value of ``key`` (any spelling or alias) from ``facts.tags``; None when absent."""
    tags = facts.get("tags")
    if not isinstance(tags, Mapping):
        return None
    value = tags.get(key.lower())
    return value if isinstance(value, str) else None
