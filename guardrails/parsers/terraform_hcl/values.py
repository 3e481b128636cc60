"""Turning python-hcl2 values into attribute values, unknown paths and references."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from guardrails.parsers.terraform_hcl.budget import current_budget
from guardrails.parsers.terraform_hcl.expressions import (
    MAX_ITEMS,
    UNKNOWN,
    Scope,
    Unknown,
    evaluate_text,
    unknown_of,
)

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
        inner = text[1:-1]
        # python-hcl2 8 renders a heredoc quoted, markers and all; a quoted HCL string cannot
        # hold a raw line break, so one that does is a heredoc.
        if "\n" not in inner or not _HEREDOC.match(inner):
            return unquote(text)
        text = inner
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
        items = [evaluate(v, scope) for v in raw]
        return UNKNOWN if current_budget().too_large(items) else items
    if isinstance(raw, Mapping):
        out = {
            unquote(str(k)): evaluate(v, scope)
            for k, v in raw.items()
            if k not in _META_KEYS and k != "dynamic"
        }
        if "dynamic" in raw:
            for name, blocks in _dynamic_blocks(raw["dynamic"], scope):
                existing = out.get(name)
                if isinstance(blocks, Unknown) or isinstance(existing, Unknown):
                    out[name] = unknown_of(blocks, existing)
                else:
                    out[name] = (existing if isinstance(existing, list) else []) + blocks
        return UNKNOWN if current_budget().too_large(out) else out
    return UNKNOWN


def _dynamic_blocks(raw: Any, scope: Scope) -> list[tuple[str, Any]]:
    """``dynamic "name" { for_each = ...; content { ... } }`` as the ``name`` blocks Terraform
    generates: one per element, the iterator (``name`` or ``iterator``) bound to
    ``{key, value}``; Unknown when ``for_each`` is known only after apply."""
    out: list[tuple[str, Any]] = []
    for item in raw if isinstance(raw, list) else []:
        if not isinstance(item, Mapping):
            continue
        for label, spec in item.items():
            if not isinstance(spec, Mapping) or label in _META_KEYS:
                continue
            name = unquote(str(label))
            iterator = spec.get("iterator")
            iterator_name = _identifier(iterator) if iterator is not None else name
            collection = evaluate(spec.get("for_each"), scope)
            contents = spec.get("content")
            content = contents[0] if isinstance(contents, list) and contents else None
            if isinstance(collection, Unknown) or contents is None or iterator_name is None:
                out.append((name, unknown_of(collection)))
                continue
            if collection is None:
                out.append((name, []))
                continue
            if isinstance(collection, dict):
                pairs = list(collection.items())
            elif isinstance(collection, list):
                pairs = list(enumerate(collection))
            else:
                out.append((name, UNKNOWN))
                continue
            blocks = [
                evaluate(content, scope.with_bound(iterator_name, {"key": k, "value": v}))
                for k, v in pairs[:MAX_ITEMS]
            ]
            out.append((name, blocks))
    return out


def _identifier(raw: Any) -> str | None:
    text = raw.strip() if isinstance(raw, str) else ""
    if text.startswith("${") and text.endswith("}"):
        text = text[2:-1].strip()
    return text if re.fullmatch(r"[A-Za-z_][\w-]*", text) else None


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
