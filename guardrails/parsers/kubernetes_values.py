"""Reading counts, mappings and lists out of Kubernetes objects whatever their shape."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def as_map(value: Any) -> dict[str, Any]:
    """``value`` as a dict (a parsed mapping as it is, another Mapping copied), else ``{}``.

    Parsed values are never changed in place, so callers may keep what this returns."""
    if type(value) is dict:
        return value
    return dict(value) if isinstance(value, Mapping) else {}


def as_list(value: Any) -> list[Any]:
    """``value`` if it is a list (a parsed one as it is), else ``[]``."""
    return value if type(value) is list else list(value) if isinstance(value, list) else []


def as_count(value: Any) -> int | None:
    """A replica count; templated strings, negatives and booleans are not counts."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    return _decimal(value)


def _decimal(value: Any) -> int | None:
    """An ASCII decimal string as an int (``"²"`` passes ``isdigit`` but is no number)."""
    if isinstance(value, str):
        text = value.strip()
        if text.isascii() and text.isdigit() and len(text) <= 18:
            return int(text)
    return None


def count_or_default(spec: Mapping[str, Any], key: str, default: int = 1) -> int | None:
    """A count field that defaults when absent; a present non-count (a template) is unknown."""
    return as_count(spec[key]) if spec.get(key) is not None else default
