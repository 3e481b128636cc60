"""Indented JSON with one long list written one compact item per line.

``json.dumps(..., indent=2)`` runs Python's pure-Python encoder, which keeps every small chunk
of the text in a list until the end: at 20,000 findings that is several times the size of the
report. The list that grows with the input (findings, SARIF results) is encoded item by item
with the C encoder instead; the rest of the document, small, keeps the usual indentation.
:func:`iter_with_lines` hands the text out in chunks, so a writer never holds all of it (a
100,000-object scan's report is some 180 MB).
"""

from __future__ import annotations

import itertools
import json
import json.encoder
from collections.abc import Callable, Iterable, Iterator
from typing import Any

#: Stands in the document for the items until they are spliced in.
_SLOT = "\x00guardrails-items\x00"
#: Items per chunk :func:`iter_with_lines` hands out: one write per some hundred KB.
CHUNK_ITEMS = 1_000


def compact_encoder() -> Callable[[Any], str]:
    """``json.dumps(value, allow_nan=False)`` as one function for many values.

    ``JSONEncoder.encode`` builds a new C encoder for every call (a fifth of the time of a
    20,000-finding report); this builds one per document, with the same arguments."""
    make = getattr(json.encoder, "c_make_encoder", None)  # not in typeshed
    if make is None:  # a Python without the json C accelerator
        return json.JSONEncoder(allow_nan=False).encode
    encode = make(
        {},  # markers: circular references are refused, as check_circular=True does
        None,  # no default: an unknown type is an error
        json.encoder.encode_basestring_ascii,
        None,  # no indent
        ": ",
        ", ",
        False,  # sort_keys
        False,  # skipkeys
        False,  # allow_nan
    )

    def encode_one(value: Any) -> str:
        if isinstance(value, str):  # as JSONEncoder.encode: the C encoder wants a container
            return json.encoder.encode_basestring_ascii(value)
        return "".join(encode(value, 0))

    return encode_one


def dumps_with_items(document: Any, slot: list[Any], items: Iterable[Any]) -> str:
    """``document`` as indent=2 JSON, with the empty list ``slot`` (somewhere inside it)
    holding ``items``, one per line. Ends with a newline."""
    return dumps_with_lines(document, slot, map(compact_encoder(), items))


def dumps_with_lines(document: Any, slot: list[Any], lines: Iterable[str]) -> str:
    """:func:`dumps_with_items` with the items already encoded, one compact JSON text each."""
    return "".join(iter_with_lines(document, slot, lines))


def iter_with_lines(document: Any, slot: list[Any], lines: Iterable[str]) -> Iterator[str]:
    """The text of :func:`dumps_with_lines` in chunks of :data:`CHUNK_ITEMS` items: what a
    writer needs in memory is one chunk, not the whole report."""
    iterator = iter(lines)
    first = next(iterator, _SLOT)
    if first is _SLOT:
        yield indented(document) + "\n"
        return
    slot.append(_SLOT)
    try:
        text = indented(document)
    finally:
        slot.pop()
    head, tail = text.split(json.dumps(_SLOT))
    line_start = head.rfind("\n") + 1
    indent = head[line_start:]
    separator = ",\n" + indent
    chunk = [first, *itertools.islice(iterator, CHUNK_ITEMS - 1)]
    yield "".join((head[:line_start], indent, separator.join(chunk)))
    while chunk := list(itertools.islice(iterator, CHUNK_ITEMS)):
        yield separator + separator.join(chunk)
    yield tail + "\n"


def indented(document: Any) -> str:
    """``json.dumps(document, indent=2, allow_nan=False)``, the same text, faster.

    The pure-Python encoder json.dumps uses for indented output makes a generator per
    container: some 5 s for a ledger of 20,000 entries. Here each container is one join and
    every scalar goes to the C encoder; anything else (a key that is not a string, a type
    JSON has no form for) is left to json.dumps, so errors are its errors."""
    try:
        return _indented(document, "\n", compact_encoder(), set())
    except _Unusual:
        return json.dumps(document, indent=2, allow_nan=False)


class _Unusual(Exception):
    """A value :func:`indented` leaves to json.dumps."""


def _indented(value: Any, newline: str, encode: Callable[[Any], str], open_: set[int]) -> str:
    kind = type(value)
    if kind is str:
        return _string(value)
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return int.__repr__(value)
    if isinstance(value, dict):
        if not value:
            return "{}"
        inner = newline + "  "
        _enter(value, open_)
        parts = []
        for key, item in value.items():
            if not isinstance(key, str):
                raise _Unusual
            parts.append(f"{_string(key)}: {_indented(item, inner, encode, open_)}")
        open_.discard(id(value))
        return "{" + inner + ("," + inner).join(parts) + newline + "}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        inner = newline + "  "
        _enter(value, open_)
        parts = [_indented(item, inner, encode, open_) for item in value]
        open_.discard(id(value))
        return "[" + inner + ("," + inner).join(parts) + newline + "]"
    if isinstance(value, str | int | float):
        return encode(value)  # the C encoder writes scalars as json.dumps does
    raise _Unusual


_string = json.encoder.encode_basestring_ascii


def _enter(container: Any, open_: set[int]) -> None:
    """Refuse a container inside itself (json.dumps says so: a circular reference)."""
    if id(container) in open_:
        raise _Unusual
    open_.add(id(container))
