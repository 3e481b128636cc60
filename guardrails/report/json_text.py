"""Indented JSON with one long list written one compact item per line.

``json.dumps(..., indent=2)`` runs Python's pure-Python encoder, which keeps every small chunk
of the text in a list until the end: at 20,000 findings that is several times the size of the
report. The list that grows with the input (findings, SARIF results) is encoded item by item
with the C encoder instead; the rest of the document, small, keeps the usual indentation.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

#: Stands in the document for the items until they are spliced in.
_SLOT = "\x00guardrails-items\x00"


def dumps_with_items(document: Any, slot: list[Any], items: Iterable[Any]) -> str:
    """``document`` as indent=2 JSON, with the empty list ``slot`` (somewhere inside it)
    holding ``items``, one per line. Ends with a newline."""
    encode = json.JSONEncoder(allow_nan=False).encode
    iterator = iter(items)
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
    pieces = [head[:line_start], indent, encode(first)]
    for item in iterator:
        pieces.append(",\n")
        pieces.append(indent)
        pieces.append(encode(item))
    pieces.append(tail)
    pieces.append("\n")
    return "".join(pieces)
