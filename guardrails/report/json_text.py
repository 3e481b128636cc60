"""Indented JSON with one long list written one compact item per line.

``json.dumps(..., indent=2)`` runs Python's pure-Python encoder, which keeps every small chunk
of the text in a list until the end: at 20,000 findings that is several times the size of the
report. The list that grows with the input (findings, SARIF results) is encoded item by item
with the C encoder instead; the rest of the document, small, keeps the usual indentation.
"""

from __future__ import annotations

import json
import json.encoder
from collections.abc import Callable, Iterable
from typing import Any

#: Stands in the document for the items until they are spliced in.
_SLOT = "\x00guardrails-items\x00"


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
    iterator = iter(lines)
    first = next(iterator, _SLOT)
    if first is _SLOT:
        return json.dumps(document, indent=2, allow_nan=False) + "\n"
    slot.append(_SLOT)
    try:
        text = json.dumps(document, indent=2, allow_nan=False)
    finally:
        slot.pop()
    head, tail = text.split(json.dumps(_SLOT))
    line_start = head.rfind("\n") + 1
    indent = head[line_start:]
    separator = ",\n" + indent
    return "".join((head[:line_start], indent, first, *_joined(separator, iterator), tail, "\n"))


def _joined(separator: str, lines: Iterable[str]) -> Iterable[str]:
    for line in lines:
        yield separator
        yield line
