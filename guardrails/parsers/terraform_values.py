"""Values of a Terraform plan: sensitive and unknown marks, AWS provider default tags."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from guardrails.model import REDACTED


def within(path: str, attribute: str) -> bool:
    """True when the dotted ``path`` is ``attribute`` or inside it (``*``: the whole value)."""
    return path == attribute or path.startswith(f"{attribute}.") or path == "*"


def aws_default_tags(configuration: Any) -> dict[str, Any] | None:
    """Literal default_tags of the plan's AWS provider configurations.

    ``{}`` when no AWS provider configures default_tags; None when the plan has no
    configuration to tell, when a default_tags value is an expression, or when several AWS
    provider configurations disagree.
    """
    if not isinstance(configuration, dict):
        return None
    providers = configuration.get("provider_config")
    found: list[dict[str, Any]] = []
    for config in providers.values() if isinstance(providers, dict) else []:
        if not isinstance(config, dict) or config.get("name") != "aws":
            continue
        expressions = config.get("expressions") or {}
        blocks = expressions.get("default_tags") if isinstance(expressions, dict) else None
        tags: dict[str, Any] = {}
        for block in blocks if isinstance(blocks, list) else [blocks] if blocks else []:
            value = block.get("tags") if isinstance(block, dict) else None
            if value is None:
                continue
            literal = value.get("constant_value") if isinstance(value, dict) else None
            if not isinstance(literal, dict):
                return None
            tags.update(literal)
        found.append(tags)
    if any(f != found[0] for f in found):
        return None
    return found[0] if found else {}


def redact_marked(values: Any, sensitive: Any) -> Any:
    """Replace every value marked sensitive (``true`` in the mirror structure) with REDACTED.

    Without a mark (``false``, ``{}``, ``[]``: most values of most plans) ``values`` is returned
    as it is, not copied: the parsed document is never changed, so sharing it is safe."""
    if not sensitive:
        return values
    if sensitive is True:
        return REDACTED if values is not None else None
    if isinstance(values, dict):
        if not isinstance(sensitive, dict):
            return values
        out = values
        for key, mark in sensitive.items():
            if mark and key in values:
                if out is values:
                    out = dict(values)  # copied only where a mark changes something
                out[key] = redact_marked(values[key], mark)
        return out
    if isinstance(values, list):
        if not isinstance(sensitive, list):
            return values
        return [
            redact_marked(v, sensitive[i]) if i < len(sensitive) else v
            for i, v in enumerate(values)
        ]
    return values


def true_paths(marks: Any, prefix: str = "") -> Iterator[str]:
    """Dotted paths whose mark is ``true`` (after_unknown / sensitive mirrors)."""
    if marks is True:
        yield prefix or "*"
    elif isinstance(marks, dict):
        for key, value in marks.items():
            yield from true_paths(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(marks, list):
        for i, value in enumerate(marks):
            yield from true_paths(value, f"{prefix}.{i}" if prefix else str(i))
