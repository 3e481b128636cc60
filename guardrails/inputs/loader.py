"""Reading inputs safely: size limits, encodings, JSON and YAML with every limit checked."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from guardrails.errors import ResourceLimitError
from guardrails.inputs.json_safe import load_json
from guardrails.inputs.safe_io import STDIN_NAME, read_text
from guardrails.lazy_regex import LazyPattern
from guardrails.limits import DEFAULT_MAX_BYTES

#: Upper bound on the number of values a YAML stream may hold once aliases are followed.
MAX_EXPANDED_NODES = 5_000_000
#: Values allowed on top of one per four bytes of YAML text (so memory follows input size).
_BASE_NODES = 100_000

_HCL_BLOCK = LazyPattern(
    r'^\s*(resource|data|module|variable|provider|terraform|locals|output)\s*("[^"\n]*"\s*)*\{',
    re.MULTILINE,
)

#: The first line as ``str.splitlines`` ends it, without splitting the whole text.
_FIRST_LINE = re.compile("[^\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]*")

Syntax = Literal["json", "yaml", "hcl"]


@dataclass(frozen=True)
class LoadedInput:
    """One input's text and, for JSON and YAML, its parsed documents."""

    path: str
    text: str
    syntax: Syntax
    documents: tuple[Any, ...] = ()
    #: 1-based start line of each document (YAML), parallel to ``documents``.
    document_lines: tuple[int, ...] = ()
    #: For YAML documents holding an ``items`` list (``kind: List``): the line of each item.
    item_lines: tuple[tuple[int, ...], ...] = ()

    @property
    def first(self) -> Any:
        return self.documents[0] if self.documents else None


def load(path: str, text: str, max_resources: int | None = None, counted: int = 0) -> LoadedInput:
    """Decide the syntax of ``text`` by its content and parse it.

    A YAML stream stops as soon as the scan (``counted`` resources before this file, plus its
    documents so far, :func:`document_resources`) reaches more than ``max_resources``.
    """
    stripped = text.lstrip()
    if not stripped:
        return LoadedInput(path, text, "yaml", ())
    if stripped[0] in "{[" and not path.endswith((".yaml", ".yml")):
        return LoadedInput(path, text, "json", (_load_json(path, text),))
    # The cheap first-line test first: the block search scans the whole text.
    if path.endswith(".tf") or (not _looks_like_yaml(stripped) and _HCL_BLOCK.search(text)):
        return LoadedInput(path, text, "hcl", ())
    docs, lines, item_lines = _load_yaml(path, text, max_resources, counted)
    return LoadedInput(path, text, "yaml", docs, lines, item_lines)


def _looks_like_yaml(stripped: str) -> bool:
    match = _FIRST_LINE.match(stripped)
    first = match.group() if match else ""
    return first.startswith(("---", "apiVersion:", "kind:", "#")) and "{" not in first


def _load_json(path: str, text: str) -> Any:
    return load_json(path, text)


def yaml_node_budget(text: str) -> int:
    """How many values a YAML text may expand to: proportional to its size, capped."""
    return min(MAX_EXPANDED_NODES, _BASE_NODES + len(text) // 4)


def _load_yaml(
    path: str, text: str, max_resources: int | None, counted: int
) -> tuple[tuple[Any, ...], tuple[int, ...], tuple[tuple[int, ...], ...]]:
    # PyYAML (~15 ms to import) loads only when an input is YAML.
    from guardrails.inputs.safe_yaml import load_yaml

    seen = counted

    def count(document: Any) -> None:
        nonlocal seen
        seen += document_resources(document)
        if max_resources is not None and seen > max_resources:
            raise too_many_resources(path, seen, max_resources)

    loaded = load_yaml(path, text, yaml_node_budget(text), count)
    return tuple(loaded.documents), tuple(loaded.lines), tuple(loaded.item_lines)


def document_resources(doc: Any) -> int:
    """A cheap lower bound on the resources one parsed document becomes (before building)."""
    if not isinstance(doc, dict):
        return 0
    count = 1
    for key in ("resource_changes", "steps", "items"):
        value = doc.get(key)
        if isinstance(value, list):
            count += len(value)
    deployment = doc.get("deployment")
    if isinstance(deployment, dict) and isinstance(deployment.get("resources"), list):
        count += len(deployment["resources"])
    return count


def too_many_resources(path: str, count: int, limit: int) -> ResourceLimitError:
    """The error for a scan that reaches ``count`` resources, over ``limit``."""
    return ResourceLimitError(
        path,
        f"the scan reaches {count:,} resources, over the limit of {limit:,} "
        "(raise it with --max-resources, or scan fewer files at once)",
    )


__all__ = ["DEFAULT_MAX_BYTES", "STDIN_NAME", "LoadedInput", "load", "read_text"]
