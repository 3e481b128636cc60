"""Reading attributes alike from Terraform (snake_case, blocks as lists) and Pulumi (camelCase)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from guardrails.model import Resource

_CAMEL = re.compile(r"_([a-z0-9])")
_UPPER = re.compile(r"(?<!^)(?=[A-Z])")


def camel(name: str) -> str:
    return _CAMEL.sub(lambda m: m.group(1).upper(), name)


def _step(value: Any, key: str) -> Any:
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


def _snake_segments(path: str) -> list[str]:
    return [_UPPER.sub("_", part).lower() for part in path.split(".") if not part.isdigit()]


def is_unknown(resource: Resource, *path: str) -> str | None:
    """The unknown path (from ``resource.unknown``) covering ``path`` or a part of it, else None.

    List indexes are ignored and camelCase matches snake_case, so ``instance_type`` matches
    ``instanceType`` and ``node_config.0.machine_type`` matches ``node_config.machine_type``.
    """
    wanted = list(path)
    for unknown in sorted(resource.unknown):
        segments = _snake_segments(unknown)
        shared = min(len(segments), len(wanted))
        if segments[:shared] == wanted[:shared]:
            return unknown
    return None
