"""JSON-safe values: numbers in range, no NaN/Infinity, no lone surrogates, bounded nesting.

Every parsed input goes through these rules once, at load, so nothing later (enrichment,
fingerprints, the Rego engines' JSON, every report) meets a value JSON cannot carry.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import orjson

from guardrails.errors import InputError
from guardrails.lazy_regex import LazyPattern

#: Deepest nesting accepted (real plans and CRD schemas stay far below; code that walks values
#: recursively needs a bound well under Python's recursion limit).
MAX_DEPTH = 200
#: Integers are kept to 64 bits; longer digit strings are refused before conversion.
MAX_INT_DIGITS = 40
_INT_LIMIT = 2**63
TOO_DEEP = f"nesting is too deep (more than {MAX_DEPTH} levels)"
_SURROGATE = LazyPattern("[\ud800-\udfff]")
#: A JSON or YAML escape that can produce a lone surrogate (``\ud800``, ``\U0000DC00``).
_SURROGATE_ESCAPE = re.compile(r"\\(?:u|U0000)[dD][89a-fA-F]")


def safe_number(value: int | float) -> str | None:
    """Why ``value`` cannot stand in a JSON document, or None when it can."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return None if -_INT_LIMIT <= value < _INT_LIMIT else "integer out of the 64-bit range"
    if not math.isfinite(value):
        return "not a finite number (inf/NaN cannot be represented in JSON)"
    return None


def clean_string(text: str) -> str:
    """``text`` with lone surrogates (from ``\\ud800`` escapes) replaced by U+FFFD."""
    if text.isascii():
        return text
    return _SURROGATE.sub("\ufffd", text)


def may_hold_surrogates(text: str) -> bool:
    """True when ``text`` has an escape that decodes to a lone surrogate."""
    return _SURROGATE_ESCAPE.search(text) is not None


def load_json(path: str, text: str) -> Any:
    """Parse JSON text into JSON-safe values; InputError naming ``path`` for anything else.

    orjson parses (in C, its own nesting bound of 1,024 keeps the stack safe) and a byte-level
    scan bounds nesting at MAX_DEPTH: no Python walk over the parsed values. Text orjson
    would read differently from these rules (lone surrogates it refuses, integers past 64 bits
    it turns into floats) and text it refuses go through the standard library's parser, which
    applies every rule and words the error.
    """
    data = text.encode("utf-8", "surrogatepass")
    if not may_hold_surrogates(text) and _LONG_DIGITS not in data.translate(_DIGITS):
        try:
            doc = orjson.loads(data)
        except orjson.JSONDecodeError:
            pass  # worded below, by the same parser as every other malformed input
        else:
            if not _nesting_within(data, MAX_DEPTH + 1):
                raise InputError(path, f"malformed JSON: {TOO_DEEP}")
            return doc
    return _load_json_checked(path, text)


#: Every digit as ``0``: a run of 19 is a number orjson may read past 64 bits (or an id).
_DIGITS = bytes.maketrans(b"0123456789", b"0" * 10)
_LONG_DIGITS = b"0" * 19
#: What decides nesting once strings are gone: brackets, and the separators that keep two
#: strings from touching (``"a":"b"`` -> ``"":""``), so ``""`` is always one empty string.
_STRUCTURE = bytes(c for c in range(256) if c not in b'"[]{}:,')
_ONE_BRACKET = bytes.maketrans(b"{}", b"[]")
_STRING = re.compile(rb'"[^"]*"')


def _nesting_within(data: bytes, limit: int) -> bool:
    """True when valid JSON ``data`` nests arrays and objects at most ``limit`` deep.

    C-speed byte operations: escapes out, everything but structure out, strings out; then
    each pass of ``replace("[]", "")`` removes exactly the innermost level.
    """
    if data.count(b"[") + data.count(b"{") <= limit:
        return True
    if b"\\" in data:
        data = data.replace(b"\\\\", b"").replace(b'\\"', b"")
    kept = data.translate(None, _STRUCTURE).replace(b'""', b"")
    if b'"' in kept:  # strings holding brackets (rare): drop them with what they hold
        kept = _STRING.sub(b"", kept)
    kept = kept.translate(_ONE_BRACKET, b":,")
    for _ in range(limit):
        if not kept:
            return True
        kept = kept.replace(b"[]", b"")
    return not kept


def _load_json_checked(path: str, text: str) -> Any:
    """The standard library's parser with every number checked and surrogates replaced."""

    def parse_int(digits: str) -> int:
        if len(digits) > MAX_INT_DIGITS:
            raise _Rejected(f"integer with {len(digits):,} digits is out of range")
        value = int(digits)
        problem = safe_number(value)
        if problem:
            raise _Rejected(problem)
        return value

    def parse_float(text: str) -> float:
        value = float(text)
        problem = safe_number(value)
        if problem:
            raise _Rejected(problem)
        return value

    def parse_constant(name: str) -> float:
        raise _Rejected(f"{name} is not JSON (no NaN/Infinity)")

    try:
        doc = json.loads(
            text, parse_int=parse_int, parse_float=parse_float, parse_constant=parse_constant
        )
    except _Rejected as exc:
        raise InputError(path, f"bad number: {exc}") from None
    except json.JSONDecodeError as exc:
        hint = ""
        if text.lstrip().startswith("[command]"):
            hint = " (captured through the setup-terraform wrapper; set terraform_wrapper: false)"
        where = f"at line {exc.lineno} column {exc.colno}"
        raise InputError(path, f"malformed JSON: {exc.msg} {where}{hint}") from None
    except RecursionError:
        raise InputError(path, f"malformed JSON: {TOO_DEEP}") from None
    if not _nesting_within(text.encode("utf-8", "surrogatepass"), MAX_DEPTH + 1):
        raise InputError(path, f"malformed JSON: {TOO_DEEP}")
    if may_hold_surrogates(text):
        doc = _clean_strings(doc)
    return doc


class _Rejected(ValueError):
    pass


def check_values(path: str, doc: Any) -> None:
    """Raise InputError for a number JSON cannot carry or nesting past MAX_DEPTH in ``doc``.

    For values that did not come through :func:`load_json` (python-hcl2's output)."""
    stack: list[tuple[Any, int]] = [(doc, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children: Any = value.values()
        elif isinstance(value, list):
            children = value
        else:
            if isinstance(value, int | float):
                problem = safe_number(value)
                if problem:
                    raise InputError(path, f"bad number: {problem}")
            continue
        if depth >= MAX_DEPTH:
            raise InputError(path, TOO_DEEP)
        stack.extend((child, depth + 1) for child in children)


def _clean_strings(value: Any) -> Any:
    if isinstance(value, str):
        return clean_string(value)
    if isinstance(value, dict):
        return {clean_string(k): _clean_strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean_strings(v) for v in value]
    return value


_JSON_TYPES = {
    "dict": "an object",
    "list": "a list",
    "str": "a string",
    "int": "a number",
    "float": "a number",
    "bool": "a boolean",
    "NoneType": "null",
}
_STRING_METHODS = {"rstrip", "lstrip", "strip", "split", "rsplit", "startswith", "endswith"}
_PYTHON_TYPE_ERRORS = (
    (LazyPattern(r"'(\w+)' object has no attribute '(\w+)'"), "attribute"),
    (LazyPattern(r"'(\w+)' object is not (?:iterable|subscriptable)"), "a list or an object"),
    (LazyPattern(r"unhashable type: '(\w+)'"), "a string"),
    (LazyPattern(r"(string) indices must be integers"), "an object"),
)


def in_words(exc: Exception) -> str:
    """A Python type error met while reading a document, said in the document's terms
    (``a number where a string was expected``); other messages unchanged."""
    text = str(exc)
    for pattern, expected in _PYTHON_TYPE_ERRORS:
        match = pattern.search(text)
        if match is None:
            continue
        found = _JSON_TYPES.get(match.group(1).replace("string", "str"), "a value")
        if expected == "attribute":
            method = match.group(2)
            expected = "a string" if method in _STRING_METHODS else "an object"
            if method == "append":
                expected = "a list"
        return f"{found} where {expected} was expected"
    return text
