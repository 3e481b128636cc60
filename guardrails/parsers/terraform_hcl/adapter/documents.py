"""python-hcl2's documents: how it renders blocks, labels, strings and expressions.

python-hcl2 8 renders a ``.tf`` file as nested dicts: a block kind maps to a list of
``{label: {label: body}}`` dicts, block labels and string values keep their quotes
(``"\\"gpu\\""``), an expression is its source text wrapped in ``${...}``, a heredoc is quoted
with its markers, and every block body carries ``__is_block__``-style metadata keys.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from guardrails.errors import InputError
from guardrails.inputs.json_safe import check_values
from guardrails.lazy_regex import LazyPattern
from guardrails.parsers.terraform_hcl.adapter.guard import bounded_hcl, hcl_syntax_error

#: Metadata keys python-hcl2 adds to block bodies (never attributes).
META_KEYS = frozenset(
    {"__is_block__", "__start_line__", "__end_line__", "__comments__", "__inline_comments__"}
)
_HEREDOC = LazyPattern(r"^<<(-?)([A-Z_a-z][\w.-]*)\n(.*?)\n?[ \t]*\2[ \t]*$", re.S)
_IDENTIFIER = LazyPattern(r"[A-Za-z_][\w-]*")


# -- documents ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Document:
    """One parsed ``.tf`` or ``.tfvars`` file: its blocks by kind (``resource``, ``locals``)."""

    raw: Mapping[str, Any]

    def blocks(self, kind: str, labels: int) -> Iterator[tuple[tuple[str, ...], Mapping[str, Any]]]:
        """(labels, body) of every ``kind`` block with ``labels`` labels (1 or 2)."""
        for item in _as_list(self.raw.get(kind)):
            if not isinstance(item, Mapping):
                continue
            for first, inner in item.items():
                if labels == 1 and isinstance(inner, Mapping):
                    yield (unquote(first),), inner
                elif labels == 2 and isinstance(inner, Mapping):
                    for second, body in inner.items():
                        if isinstance(body, Mapping):
                            yield (unquote(first), unquote(second)), body

    def locals(self) -> Iterator[tuple[str, Any]]:
        """(name, raw value) of every attribute of every ``locals`` block."""
        for block in _as_list(self.raw.get("locals")):
            if isinstance(block, Mapping):
                yield from attributes(block).items()

    def attributes(self) -> dict[str, Any]:
        """The top-level attributes (a ``.tfvars`` file's variable values)."""
        return attributes(self.raw)

    def only(self, kinds: tuple[str, ...]) -> Document:
        """This document with only the blocks of ``kinds``."""
        return Document({k: v for k, v in self.raw.items() if k in kinds})


def load_document(path: str, text: str) -> Document:
    """Parse ``text`` within bounds; InputError naming ``path`` (never its content) if invalid."""
    # Imported here: python-hcl2 and Lark cost ~50 ms, and most runs read no .tf file.
    import hcl2
    from hcl2.utils import SerializationOptions

    options = SerializationOptions(with_comments=False, explicit_blocks=True)
    try:
        document = hcl2.loads(bounded_hcl(path, text), serialization_options=options)
    except InputError:
        raise
    except Exception as exc:  # python-hcl2 raises Lark errors of many types
        raise InputError(path, hcl_syntax_error(exc)) from None
    check_values(path, document)
    return Document(document if isinstance(document, dict) else {})


def attributes(body: Mapping[str, Any]) -> dict[str, Any]:
    """A block body's attributes and nested blocks, without python-hcl2's metadata keys."""
    return {k: v for k, v in body.items() if not str(k).startswith("__")}


def first_block(value: Any) -> Mapping[str, Any] | None:
    """The first of a nested block's bodies (``default_tags { ... }``), None when absent."""
    return value[0] if isinstance(value, list) and value else None


def dynamic_blocks(raw: Any) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(name, body) of each ``dynamic "name" { ... }`` block in a body's ``dynamic`` value."""
    for item in _as_list(raw):
        if not isinstance(item, Mapping):
            continue
        for label, spec in item.items():
            if isinstance(spec, Mapping) and label not in META_KEYS:
                yield unquote(str(label)), spec


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


# -- values as python-hcl2 renders them -----------------------------------------------------


def unquote(text: str) -> str:
    """``"\\"name\\""`` → ``name`` (block labels and keys keep their quotes in python-hcl2)."""
    if len(text) >= 2 and text[0] == text[-1] == '"':
        try:
            value = json.loads(text)
            return value if isinstance(value, str) else text[1:-1]
        except ValueError:
            return text[1:-1]
    return text


def quoted_text(raw: Any) -> str | None:
    """The text of a string value (``source = "./x"``); None when not a string."""
    return unquote(raw) if isinstance(raw, str) else None


def literal_string(text: str) -> str | None:
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


def expression_source(raw: Any) -> str:
    """The source text of an expression value, without its ``${...}`` wrapping."""
    if not isinstance(raw, str):
        return json.dumps(raw, default=str)
    text = raw.strip()
    if text.startswith("${") and text.endswith("}"):
        text = text[2:-1].strip()
    return text


def reference_text(raw: Any) -> str | None:
    """``${aws.west}`` / ``aws.west`` -> ``aws.west`` (a provider reference); None if empty."""
    return (expression_source(raw) or None) if isinstance(raw, str) else None


def bare_identifier(raw: Any) -> str | None:
    """The name when ``raw`` is one identifier (a dynamic block's ``iterator``), else None."""
    text = expression_source(raw) if isinstance(raw, str) else ""
    return text if _IDENTIFIER.fullmatch(text) else None


def is_true(raw: Any) -> bool:
    """True for ``true`` written literally, quoted or interpolated (``sensitive = true``)."""
    return raw is True or (isinstance(raw, str) and raw.strip('"${} ').lower() == "true")


def is_false(raw: Any) -> bool:
    """True for a literal ``false`` (``nullable = false``)."""
    return raw is False or raw == "false"
