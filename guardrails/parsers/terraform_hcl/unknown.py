"""Values known only after apply: what an expression reads that ``terraform plan`` cannot know."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Unknown:
    """A value only known after apply, with the resource addresses it depends on."""

    references: frozenset[str] = frozenset()


UNKNOWN = Unknown()


def unknown_of(*values: Any) -> Unknown:
    """One Unknown carrying the references of every Unknown among ``values`` (nested too)."""
    refs: set[str] = set()
    stack = list(values)
    while stack:
        value = stack.pop()
        if isinstance(value, Unknown):
            refs |= value.references
        elif isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return Unknown(frozenset(refs))


def contains_unknown(value: Any) -> bool:
    """True when ``value`` is, or holds at any depth, an Unknown."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, Unknown):
            return True
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False
