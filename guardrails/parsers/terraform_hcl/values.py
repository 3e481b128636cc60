"""Turning python-hcl2 values into attribute values, unknown paths and references."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from guardrails.parsers.terraform_hcl.adapter import documents
from guardrails.parsers.terraform_hcl.budget import MAX_ITEMS, current_budget
from guardrails.parsers.terraform_hcl.expressions import evaluate_text
from guardrails.parsers.terraform_hcl.scope import Scope
from guardrails.parsers.terraform_hcl.unknown import UNKNOWN, Unknown, unknown_of


@dataclass
class Converted:
    """Literal values plus what could not be known before apply."""

    unknown: set[str] = field(default_factory=set)
    references: set[str] = field(default_factory=set)


def evaluate(raw: Any, scope: Scope) -> Any:
    """A python-hcl2 value with every expression evaluated (:class:`Unknown` where it must be)."""
    if isinstance(raw, bool | int | float) or raw is None:
        return raw
    if isinstance(raw, str):
        literal = documents.literal_string(raw)
        return literal if literal is not None else evaluate_text(raw, scope)
    if isinstance(raw, list):
        items = [evaluate(v, scope) for v in raw]
        return UNKNOWN if current_budget().too_large(items) else items
    if isinstance(raw, Mapping):
        out = {
            documents.unquote(str(k)): evaluate(v, scope)
            for k, v in raw.items()
            if k not in documents.META_KEYS and k != "dynamic"
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
    for name, spec in documents.dynamic_blocks(raw):
        iterator = spec.get("iterator")
        iterator_name = documents.bare_identifier(iterator) if iterator is not None else name
        collection = evaluate(spec.get("for_each"), scope)
        contents = spec.get("content")
        content = documents.first_block(contents)
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
