"""YAML straight from parser events to JSON-safe values, with every limit checked while building.

PyYAML's composer builds a node graph (about 450 bytes per value, with two position marks
each) before any Python value exists, so a few megabytes of YAML took gigabytes before a
limit could look at it. Building values from the event stream keeps memory close to the
values themselves, and the limits (values after alias expansion, nesting depth) are checked as
each value arrives. Values come out JSON-safe: dates and timestamps as ISO strings, ``!!set``
as a list, ``!!binary`` as its base64 text, keys as strings; numbers outside a sane range are
rejected, never turned into ``inf`` or a 10,000-digit integer.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml

from guardrails.errors import InputError
from guardrails.inputs.json_safe import (
    MAX_DEPTH,
    MAX_INT_DIGITS,
    TOO_DEEP,
    clean_string,
    safe_number,
)

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_T = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL = (f"{_T}{n}" for n in ("str", "int", "float", "bool", "null"))
_MERGE, _SET, _BINARY = f"{_T}merge", f"{_T}set", f"{_T}binary"
_CONTAINER_TAGS = {None, "!", *(f"{_T}{n}" for n in ("map", "seq", "set", "omap", "pairs"))}
_OPEN = object()  # an anchor whose value is still being built (an alias to it is a cycle)


@dataclass
class YamlDocuments:
    """The documents of one YAML stream with the line numbers reports point at."""

    documents: list[Any] = field(default_factory=list)
    #: 1-based line where each document's root value starts.
    lines: list[int] = field(default_factory=list)
    #: Per document: the line of each item of a top-level ``items`` list (``kind: List``).
    item_lines: list[tuple[int, ...]] = field(default_factory=list)


@dataclass
class _Frame:
    value: dict[str, Any] | list[Any]
    anchor: str | None
    size: int = 1
    key: Any = _OPEN
    merges: list[Any] = field(default_factory=list)
    set_tag: bool = False
    collect_items: bool = False
    items: list[int] = field(default_factory=list)
    start: Any = None


class _Builder:
    def __init__(self, path: str, max_nodes: int) -> None:
        self.path = path
        self.max_nodes = max_nodes
        self.nodes = 0
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.stack: list[_Frame] = []
        self.loader: Any = None

    def fail(self, problem: str, mark: Any = None) -> InputError:
        where = f" at line {mark.line + 1}" if mark is not None else ""
        return InputError(self.path, f"{problem}{where}")

    def count(self, size: int, mark: Any) -> None:
        self.nodes += size
        if self.nodes > self.max_nodes:
            raise self.fail(
                f"YAML holds more than {self.max_nodes:,} values once aliases are expanded "
                "(alias bomb or oversized input)",
                mark,
            )

    def scalar(self, event: Any) -> Any:
        tag = event.tag
        value: str = event.value
        if tag is None or tag == "!":
            tag = self.loader.resolve(yaml.ScalarNode, value, event.implicit)
        if tag == _STR:
            return clean_string(value)
        if tag == _NULL:
            return None
        if tag == _BOOL:
            return value.lower() in ("yes", "true", "on", "y")
        if tag in (_INT, _FLOAT):
            if tag == _INT and len(value) > MAX_INT_DIGITS:
                raise self.fail("an integer is out of range", event.start_mark)
            node = yaml.ScalarNode(tag, value)
            try:
                number = (
                    self.loader.construct_yaml_int(node)
                    if tag == _INT
                    else self.loader.construct_yaml_float(node)
                )
            except (ValueError, OverflowError):
                raise self.fail("a value tagged as a number is not one", event.start_mark) from None
            problem = safe_number(number)
            if problem:
                raise self.fail(f"a number: {problem}", event.start_mark)
            return number
        if tag == _BINARY:
            return "".join(value.split())
        if tag == f"{_T}timestamp":
            try:
                stamp = self.loader.construct_yaml_timestamp(yaml.ScalarNode(tag, value))
            except (ValueError, OverflowError):
                return value
            if isinstance(stamp, datetime.datetime | datetime.date):
                return stamp.isoformat()
            return value
        if tag == _MERGE:
            return "<<"
        raise self.fail("malformed YAML: unsupported tag", event.start_mark)

    def open(self, event: Any, value: dict[str, Any] | list[Any]) -> None:
        if len(self.stack) >= MAX_DEPTH:
            raise self.fail(f"malformed YAML: {TOO_DEEP}", event.start_mark)
        if event.tag not in _CONTAINER_TAGS:
            raise self.fail("malformed YAML: unsupported tag", event.start_mark)
        frame = _Frame(value, event.anchor, set_tag=event.tag == _SET, start=event)
        if (
            isinstance(value, list)
            and len(self.stack) == 1
            and self.stack[0].key == "items"
            and isinstance(self.stack[0].value, dict)
        ):
            frame.collect_items = True
        if event.anchor:
            self.anchors[event.anchor] = (_OPEN, 0)
        self.stack.append(frame)

    def close(self, end: Any) -> tuple[Any, int, _Frame]:
        frame = self.stack.pop()
        value: Any = frame.value
        if isinstance(value, dict):
            for merged in _merge_sources(frame.merges, self, end):
                for k, v in merged.items():
                    value.setdefault(k, v)
            if frame.set_tag:
                value = list(value)
        if frame.anchor:
            self.anchors[frame.anchor] = (value, frame.size)
        return value, frame.size, frame


def _merge_sources(merges: list[Any], builder: _Builder, mark: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for merge in merges:
        for item in merge if isinstance(merge, list) else [merge]:
            if not isinstance(item, dict):
                raise builder.fail("a YAML merge key (<<) must name mappings", mark)
            out.append(item)
    return out


def _key_text(value: Any) -> str:
    """Mapping keys as JSON object keys, the way ``json.dumps`` would write them."""
    if isinstance(value, str):
        return value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def load_yaml(
    path: str,
    text: str,
    max_nodes: int,
    on_document: Callable[[Any], None] | None = None,
) -> YamlDocuments:
    """Every document of ``text`` as JSON-safe values; InputError naming ``path`` when bad.

    ``on_document`` sees each document as soon as it is built and may stop the stream by
    raising (a resource-count limit is checked there, not after the whole file).
    """
    out = YamlDocuments()
    builder = _Builder(path, max_nodes)
    loader = _Loader(text)
    builder.loader = loader
    try:
        _run(loader, builder, out, on_document)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
        problem = without_quotes(exc.problem or exc.context or "syntax error")
        raise InputError(path, f"malformed YAML: {problem}{where}") from None
    except yaml.YAMLError:
        raise InputError(path, "malformed YAML") from None
    finally:
        loader.dispose()
    return out


def _run(
    loader: Any,
    builder: _Builder,
    out: YamlDocuments,
    on_document: Callable[[Any], None] | None,
) -> None:
    """The event loop, kept flat: it runs once per value of every YAML input."""
    scalar_event, alias_event = yaml.ScalarEvent, yaml.AliasEvent
    mapping_start, sequence_start = yaml.MappingStartEvent, yaml.SequenceStartEvent
    mapping_end, sequence_end = yaml.MappingEndEvent, yaml.SequenceEndEvent
    document_start, document_end = yaml.DocumentStartEvent, yaml.DocumentEndEvent
    stream_end = yaml.StreamEndEvent
    stack = builder.stack
    plain_cache: dict[str, Any] = {}
    root_line = 0
    root: Any = None
    items: tuple[int, ...] = ()
    has_root = False
    max_nodes = builder.max_nodes
    get_event = loader.get_event
    while True:
        event = get_event()
        kind = type(event)
        if kind is scalar_event:
            raw = event.value
            if event.tag is None and event.implicit[0] and len(raw) <= 64:
                value = plain_cache.get(raw, _OPEN)
                if value is _OPEN:
                    value = builder.scalar(event)
                    if len(plain_cache) < 50_000:
                        plain_cache[raw] = value
            else:
                value = builder.scalar(event)
            size = fresh = 1
            if event.anchor:
                builder.anchors[event.anchor] = (value, 1)
        elif kind is mapping_start or kind is sequence_start:
            if not stack:
                root_line = event.start_mark.line + 1
            builder.open(event, {} if kind is mapping_start else [])
            continue
        elif kind is mapping_end or kind is sequence_end:
            value, size, frame = builder.close(event.start_mark)
            if frame.collect_items:
                items = tuple(frame.items)
            event = frame.start
            fresh = 1  # its children were counted as they arrived
        elif kind is alias_event:
            value, size = builder.anchors.get(event.anchor, (None, -1))
            if value is _OPEN:
                raise builder.fail("a YAML alias refers to itself", event.start_mark)
            if size < 0:
                raise builder.fail("a YAML alias is not defined", event.start_mark)
            fresh = size
        elif kind is document_start:
            root, has_root, items = None, False, ()
            builder.anchors = {}
            continue
        elif kind is document_end:
            if has_root:
                if on_document is not None:
                    on_document(root)
                out.documents.append(root)
                out.lines.append(root_line)
                out.item_lines.append(items)
            continue
        elif kind is stream_end:
            return
        else:
            continue
        builder.nodes += fresh
        if builder.nodes > max_nodes:
            builder.count(0, event.start_mark)
        if not stack:
            if kind is scalar_event or kind is alias_event:
                root_line = event.start_mark.line + 1
            # An empty document (just '---') is a null scalar: skipped, as PyYAML's None was.
            has_root = not (kind is scalar_event and value is None)
            root = value
            continue
        parent = stack[-1]
        parent.size += size
        container = parent.value
        if type(container) is list:
            if parent.collect_items:
                parent.items.append(event.start_mark.line + 1)
            container.append(value)
        elif parent.key is _OPEN:
            if isinstance(value, dict | list):
                raise builder.fail("a YAML mapping key must be a plain value", event.start_mark)
            parent.key = value if type(value) is str else _key_text(value)
        else:
            key = parent.key
            parent.key = _OPEN
            if parent.set_tag:
                container[key] = None
            elif key == "<<" and kind is not scalar_event:
                parent.merges.append(value)
            else:
                container[key] = value


__all__ = ["YamlDocuments", "load_yaml"]


_QUOTED = re.compile(r"'[^'\s]{3,}'|\"[^\"\s]{3,}\"")


def without_quotes(problem: str) -> str:
    """PyYAML's problem text without the input it quotes (``found undefined tag handle
    '!x!'``): an error line names the place, never the content. A quoted character stays."""
    return _QUOTED.sub("'...'", problem)
