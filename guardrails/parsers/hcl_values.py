"""Turning python-hcl2 values into attribute values, unknown paths and references."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from guardrails.parsers.hcl_eval import UNKNOWN, Scope, Unknown, evaluate_text

_META_KEYS = {
    "__is_block__",
    "__start_line__",
    "__end_line__",
    "__comments__",
    "__inline_comments__",
}
_HEREDOC = re.compile(r"^<<(-?)([A-Z_a-z][\w.-]*)\n(.*?)\n?[ \t]*\2[ \t]*$", re.S)


@dataclass
class Converted:
    """Literal values plus what could not be known before apply."""

    unknown: set[str] = field(default_factory=set)
    references: set[str] = field(default_factory=set)


def unquote(text: str) -> str:
    """``"\\"name\\""`` → ``name`` (block labels and keys keep their quotes in python-hcl2)."""
    if len(text) >= 2 and text[0] == text[-1] == '"':
        try:
            value = json.loads(text)
            return value if isinstance(value, str) else text[1:-1]
        except ValueError:
            return text[1:-1]
    return text


def _literal_string(text: str) -> str | None:
    """The value of a string with no expression in it (fast path: no parsing)."""
    if "${" in text or "%{" in text:
        return None
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return unquote(text)
    heredoc = _HEREDOC.match(text)
    if heredoc:
        body = heredoc.group(3)
        if heredoc.group(1):
            import textwrap

            body = textwrap.dedent(body)
        return body + "\n" if body else body
    return None


def evaluate(raw: Any, scope: Scope) -> Any:
    """A python-hcl2 value with every expression evaluated (:class:`Unknown` where it must be)."""
    if isinstance(raw, bool | int | float) or raw is None:
        return raw
    if isinstance(raw, str):
        literal = _literal_string(raw)
        return literal if literal is not None else evaluate_text(raw, scope)
    if isinstance(raw, list):
        return [evaluate(v, scope) for v in raw]
    if isinstance(raw, Mapping):
        return {unquote(str(k)): evaluate(v, scope) for k, v in raw.items() if k not in _META_KEYS}
    return UNKNOWN


def materialize(value: Any, path: str, out: Converted) -> Any:
    """``value`` with every Unknown replaced by None, its path and references recorded."""
    if isinstance(value, Unknown):
        out.unknown.add(path or "*")
        out.references.update(value.references)
        return None
    if isinstance(value, list):
        return [materialize(v, f"{path}.{i}" if path else str(i), out) for i, v in enumerate(value)]
    if isinstance(value, dict):
        return {k: materialize(v, f"{path}.{k}" if path else k, out) for k, v in value.items()}
    return value
