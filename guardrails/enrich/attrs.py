"""Reading attributes alike from Terraform (snake_case, blocks as lists) and Pulumi (camelCase)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any, TypeGuard

from guardrails.model import Resource

_CAMEL = re.compile(r"_([a-z0-9])")
_UPPER = re.compile(r"(?<!^)(?=[A-Z])")


@lru_cache(maxsize=1024)
def camel(name: str) -> str:
    """``instance_type`` → ``instanceType`` (the names asked for are the sizers' own)."""
    return _CAMEL.sub(lambda m: m.group(1).upper(), name)


def is_mapping(value: Any) -> TypeGuard[Mapping[Any, Any]]:
    """``isinstance(value, Mapping)`` without the ABC's Python-level check for a plain dict
    (what parsed input is made of; ~0.3 µs a test on the hot paths)."""
    return type(value) is dict or isinstance(value, Mapping)


def _step(value: Any, key: str) -> Any:
    if type(value) is dict:  # the usual case, without the abstract-class checks
        return value[key] if key in value else value.get(camel(key))
    if isinstance(value, list):
        value = value[0] if len(value) == 1 else None  # Terraform nested blocks are 1-lists
    if not isinstance(value, Mapping):
        return None
    if key in value:
        return value[key]
    return value.get(camel(key))


def dig(attributes: Mapping[str, Any] | None, *path: str) -> Any:
    """The value at ``path`` (snake_case names) or None; one-item block lists are stepped into."""
    value: Any = attributes
    for key in path:
        value = _step(value, key)
        if value is None:
            return None
    return value


def items(value: Any) -> list[Any]:
    """A block or list of blocks as a list."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        # "²" passes isdigit() but int() refuses it; 19+ digits leave the 64-bit range.
        if text.isascii() and text.isdigit() and len(text) <= 18:
            return int(text)
    return None


def kind(resource: Resource) -> str:
    """The canonical type (Terraform name, Kubernetes kind); parsers map Pulumi tokens to it."""
    return resource.type


@lru_cache(maxsize=256)
def _unknown_segments(unknown: frozenset[str]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Each unknown path (sorted) with its snake_case segments, list indexes dropped; resources
    repeat the same few sets (``id``, ``arn``)."""
    return tuple(
        (path, tuple(_UPPER.sub("_", p).lower() for p in path.split(".") if not p.isdigit()))
        for path in sorted(unknown)
    )


def is_unknown(resource: Resource, *path: str) -> str | None:
    """The unknown path (from ``resource.unknown``) covering ``path`` or a part of it, else None.

    List indexes are ignored and camelCase matches snake_case, so ``instance_type`` matches
    ``instanceType`` and ``node_config.0.machine_type`` matches ``node_config.machine_type``.
    """
    if not resource.unknown:
        return None
    unknowns = resource.unknown
    if not isinstance(unknowns, frozenset):
        unknowns = frozenset(unknowns)
    for unknown, segments in _unknown_segments(unknowns):
        shared = min(len(segments), len(path))
        if segments[:shared] == path[:shared]:
            return unknown
    return None
