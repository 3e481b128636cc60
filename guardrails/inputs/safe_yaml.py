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
#: Scalar texts remembered per kind (plain, quoted) before the caches start again.
_CACHED = 50_000
_OPEN = object()  # an anchor whose value is still being built (an alias to it is a cycle)


@dataclass
class YamlDocuments:
    """The documents of one YAML stream with the line numbers reports point at."""

    documents: list[Any] = field(default_factory=list)
    #: 1-based line where each document's root value starts.
    lines: list[int] = field(default_factory=list)
    #: Per document: the line of each item of a top-level ``items`` list (``kind: List``).
    item_lines: list[tuple[int, ...]] = field(default_factory=list)


class _Frame:
    """One mapping or sequence being built (one per container value: kept small)."""

    __slots__ = ("anchor", "base", "items", "key", "merges", "set_tag", "start", "value")

    def __init__(
        self,
        value: dict[str, Any] | list[Any],
        anchor: str | None,
        set_tag: bool,
        start: Any,
        base: int,
    ) -> None:
        self.value = value
        self.anchor = anchor
        #: Values counted before this one: its size (with aliases expanded) is the difference.
        self.base = base
        self.key: Any = _OPEN
        self.merges: list[Any] | None = None
        self.set_tag = set_tag
        #: The line of each item, for the top-level ``items`` list of a ``kind: List``.
        self.items: list[int] | None = None
        self.start = start


class _Builder:
    def __init__(self, path: str, max_nodes: int) -> None:
        self.path = path
        self.max_nodes = max_nodes
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.stack: list[_Frame] = []
        self.loader: Any = None

    def fail(self, problem: str, mark: Any = None) -> InputError:
        where = f" at line {mark.line + 1}" if mark is not None else ""
        return InputError(self.path, f"{problem}{where}")

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

    def too_many(self, mark: Any) -> InputError:
        return self.fail(
            f"YAML holds more than {self.max_nodes:,} values once aliases are expanded "
            "(alias bomb or oversized input)",
            mark,
        )

    def check_open(self, event: Any) -> None:
        """Refuse a container past MAX_DEPTH or with an application tag."""
        if len(self.stack) >= MAX_DEPTH:
            raise self.fail(f"malformed YAML: {TOO_DEEP}", event.start_mark)
        if event.tag not in _CONTAINER_TAGS:
            raise self.fail("malformed YAML: unsupported tag", event.start_mark)

    def close_special(self, frame: _Frame, value: Any, end: Any) -> Any:
        """Merge keys (``<<``) and ``!!set`` applied to a finished container."""
        if frame.merges:
            for merged in _merge_sources(frame.merges, self, end):
                for k, v in merged.items():
                    value.setdefault(k, v)
        if frame.set_tag and isinstance(value, dict):
            value = list(value)
        return value


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
    anchors = builder.anchors
    plain_cache: dict[str, Any] = {}
    quoted_cache: dict[str, Any] = {}
    root_line = 0
    root: Any = None
    items: tuple[int, ...] = ()
    has_root = False
    max_nodes = builder.max_nodes
    #: Values so far, aliases counted with the size of what they repeat.
    nodes = 0
    get_event = loader.get_event
    while True:
        event = get_event()
        kind = type(event)
        if kind is scalar_event:
            raw = event.value
            if event.tag is None and len(raw) <= 64:
                # Plain scalars resolve by their text alone, quoted ones are that text: one
                # value per text, shared (names, labels and '2' recur in every object).
                cache = plain_cache if event.implicit[0] else quoted_cache
                value = cache.get(raw, _OPEN)
                if value is _OPEN:
                    value = builder.scalar(event)
                    if len(cache) < _CACHED:
                        cache[raw] = value
            else:
                value = builder.scalar(event)
            nodes += 1
            if event.anchor:
                anchors[event.anchor] = (value, 1)
        elif kind is mapping_start or kind is sequence_start:
            if not stack:
                root_line = event.start_mark.line + 1
            if len(stack) >= MAX_DEPTH or event.tag is not None:
                builder.check_open(event)
            container: Any = {} if kind is mapping_start else []
            frame = _Frame(container, event.anchor, event.tag == _SET, event, nodes)
            if (
                len(stack) == 1
                and kind is sequence_start
                and stack[0].key == "items"
                and type(stack[0].value) is dict
            ):
                frame.items = []
            if event.anchor:
                anchors[event.anchor] = (_OPEN, 0)
            stack.append(frame)
            continue
        elif kind is mapping_end or kind is sequence_end:
            frame = stack.pop()
            value = frame.value
            if frame.merges or frame.set_tag:
                value = builder.close_special(frame, value, event.start_mark)
            nodes += 1  # its children were counted as they arrived
            if frame.anchor:
                anchors[frame.anchor] = (value, nodes - frame.base)
            if frame.items is not None:
                items = tuple(frame.items)
            event = frame.start
        elif kind is alias_event:
            value, size = anchors.get(event.anchor, (None, -1))
            if value is _OPEN:
                raise builder.fail("a YAML alias refers to itself", event.start_mark)
            if size < 0:
                raise builder.fail("a YAML alias is not defined", event.start_mark)
            nodes += size
        elif kind is document_start:
            root, has_root, items = None, False, ()
            anchors.clear()
            if len(plain_cache) + len(quoted_cache) > _CACHED:
                # Full of earlier documents' names: start again (memory stays bounded).
                plain_cache.clear()
                quoted_cache.clear()
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
        if nodes > max_nodes:
            raise builder.too_many(event.start_mark)
        if not stack:
            if kind is scalar_event or kind is alias_event:
                root_line = event.start_mark.line + 1
            # An empty document (just '---') is a null scalar: skipped, as PyYAML's None was.
            has_root = not (kind is scalar_event and value is None)
            root = value
            continue
        parent = stack[-1]
        container = parent.value
        if type(container) is list:
            if parent.items is not None:
                parent.items.append(event.start_mark.line + 1)
            container.append(value)
        elif parent.key is _OPEN:
            if type(value) is str:
                parent.key = value
            elif isinstance(value, dict | list):
                raise builder.fail("a YAML mapping key must be a plain value", event.start_mark)
            else:
                parent.key = _key_text(value)
        else:
            key = parent.key
            parent.key = _OPEN
            if parent.set_tag:
                container[key] = None
            elif key == "<<" and kind is not scalar_event:
                if parent.merges is None:
                    parent.merges = []
                parent.merges.append(value)
            else:
                container[key] = value


__all__ = ["YamlDocuments", "load_yaml"]


_QUOTED = re.compile(r"'[^'\s]{3,}'|\"[^\"\s]{3,}\"")


def without_quotes(problem: str) -> str:
    """PyYAML's problem text without the input it quotes (``found undefined tag handle
    '!x!'``): an error line names the place, never the content. A quoted character stays."""
    return _QUOTED.sub("'...'", problem)
