"""Turning python-hcl2 values into literal attributes, unknown paths and references."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

_META_KEYS = {
    "__is_block__",
    "__start_line__",
    "__end_line__",
    "__comments__",
    "__inline_comments__",
}
_WHOLE_EXPRESSION = re.compile(r"^\$\{(.*)\}$", re.S)
_REFERENCE = re.compile(
    r"(?<![\w.])(data\.[A-Za-z][\w-]*\.[A-Za-z_][\w-]*|module\.[A-Za-z_][\w-]*|"
    r"(?!var\.|local\.|each\.|count\.|path\.|self\.|terraform\.)[a-z][a-z0-9]*_[a-z0-9_]+\.[A-Za-z_][\w-]*)"
)
_HEREDOC = re.compile(r"^<<-?([A-Z_a-z]+)\n(.*)\n\s*\1\s*$", re.S)


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
    if "${" in text or "%{" in text:
        return None
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return unquote(text)
    heredoc = _HEREDOC.match(text)
    if heredoc:
        return heredoc.group(2)
    return None


class ValueConverter:
    """Converts one resource body, substituting ``var.x``/``local.x`` where they are literal."""

    def __init__(self, variables: Mapping[str, Any], locals_: Mapping[str, Any]) -> None:
        self.variables = variables
        self.locals = locals_

    def convert(self, value: Any, path: str, out: Converted) -> Any:
        if isinstance(value, bool | int | float) or value is None:
            return value
        if isinstance(value, str):
            return self._string(value, path, out)
        if isinstance(value, list):
            return [self.convert(v, f"{path}.{i}", out) for i, v in enumerate(value)]
        if isinstance(value, Mapping):
            return {
                unquote(str(k)): self.convert(
                    v, f"{path}.{unquote(str(k))}" if path else unquote(str(k)), out
                )
                for k, v in value.items()
                if k not in _META_KEYS
            }
        return None

    def _string(self, text: str, path: str, out: Converted) -> Any:
        literal = _literal_string(text)
        if literal is not None:
            return literal
        whole = _WHOLE_EXPRESSION.match(text)
        if whole:
            expression = whole.group(1).strip()
            for prefix, table in (("var.", self.variables), ("local.", self.locals)):
                name = expression[len(prefix) :]
                if expression.startswith(prefix) and name in table:
                    return table[name]
        out.references.update(m.group(1) for m in _REFERENCE.finditer(text))
        out.unknown.add(path)
        return None


def literal_table(blocks: Mapping[str, Any], key: str | None) -> dict[str, Any]:
    """Literal values of variables (their ``default``) or locals; expressions are left out."""
    table: dict[str, Any] = {}
    converter = ValueConverter({}, {})
    for name, body in blocks.items():
        raw = body.get(key) if key and isinstance(body, Mapping) else body
        if key and (not isinstance(body, Mapping) or key not in body):
            continue
        out = Converted()
        value = converter.convert(raw, "v", out)
        if not out.unknown:
            table[unquote(name)] = value
    return table
