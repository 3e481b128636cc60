"""Terraform's pure built-in functions: collections, conversions, strings, ``format`` verbs,
regular expressions, lists and sets. Each raises (TypeError/ValueError/...) where Terraform would
fail; the evaluator turns that into an unknown value, never a guess.

Regular expressions come from untrusted .tf files: they run on RE2, as in Terraform (linear
time; Python's engine backtracks for hours on ``(a|a)*c``).
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Callable
from typing import Any

from guardrails.parsers.terraform_hcl.budget import MAX_ITEMS
from guardrails.parsers.terraform_hcl.primitives import number, to_string
from guardrails.patterns import compile_pattern

#: Widest ``%09999d`` evaluated ("%0999999999d" would build a gigabyte from a few bytes).
_MAX_WIDTH = 1_000
_VERB = re.compile(
    r"%(?P<flags>[-+# 0]*)(?P<width>\d+)?(?:\.(?P<precision>\d+))?(?P<verb>[a-zA-Z%])"
)


def text(value: Any) -> str:
    """A primitive as Terraform renders it in a string."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str | int | float):
        return str(value)
    raise TypeError("not a primitive value")


def _format(template: str, *args: Any) -> str:
    """Terraform's ``format``: %s %v %d %f %e %g %x %o %b %q %t and %%, with flags/width."""
    out: list[str] = []
    position = 0
    remaining = list(args)
    for match in _VERB.finditer(template):
        for size in (match.group("width"), match.group("precision")):
            if size is not None and (len(size) > 4 or int(size) > _MAX_WIDTH):
                raise ValueError("format width or precision too large")
        out.append(template[position : match.start()])
        position = match.end()
        verb = match.group("verb")
        if verb == "%":
            out.append("%")
            continue
        if not remaining:
            raise ValueError("too few arguments for format")
        value = remaining.pop(0)
        spec = (match.group("flags") or "") + (match.group("width") or "")
        if match.group("precision") is not None:
            spec += "." + match.group("precision")
        out.append(_verb(verb, spec, value))
    out.append(template[position:])
    if remaining:
        raise ValueError("too many arguments for format")
    return "".join(out)


def _verb(verb: str, spec: str, value: Any) -> str:
    if verb in ("s", "v"):
        return format(text(value), spec.replace("0", "") if spec.startswith("0") else spec)
    if verb == "q":
        return json.dumps(text(value))
    if verb == "t":
        if not isinstance(value, bool):
            raise TypeError("%t needs a bool")
        return "true" if value else "false"
    number = value if isinstance(value, int | float) and not isinstance(value, bool) else None
    if number is None and isinstance(value, str):
        number = float(value) if "." in value else int(value)
    if number is None:
        raise TypeError(f"%{verb} needs a number")
    if verb in ("d", "x", "X", "o", "b"):
        if isinstance(number, float) and not number.is_integer():
            raise ValueError("%d needs a whole number")
        return format(int(number), spec + verb)
    if verb in ("f", "e", "E", "g", "G"):
        return format(float(number), spec + verb)
    raise ValueError(f"unsupported format verb %{verb}")


def _pattern(pattern: str, subject: str) -> Any:
    if not isinstance(pattern, str) or not isinstance(subject, str):
        raise TypeError("regex needs strings")
    return compile_pattern(pattern)


def _groups(match: Any) -> Any:
    named = match.groupdict()
    if named:
        return named
    if match.re.groups:
        return list(match.groups())
    return match.group(0)


def _regex(pattern: str, subject: str) -> Any:
    match = _pattern(pattern, subject).search(subject)
    if match is None:
        raise ValueError("pattern did not match")
    return _groups(match)


def _regexall(pattern: str, subject: str) -> list[Any]:
    return [_groups(m) for m in _pattern(pattern, subject).finditer(subject)]


def _substr(value: str, offset: int, length: int) -> str:
    offset, length = int(offset), int(length)
    if offset < 0:
        offset = max(len(value) + offset, 0)
    return value[offset:] if length == -1 else value[offset : offset + length]


def _slice(items: list[Any], start: int, end: int) -> list[Any]:
    start, end = int(start), int(end)
    if not 0 <= start <= end <= len(items):
        raise IndexError("slice out of range")
    return items[start:end]


def _one(items: list[Any]) -> Any:
    if len(items) > 1:
        raise ValueError("one() of more than one element")
    return items[0] if items else None


def _sort(items: list[Any]) -> list[str]:
    return sorted(text(i) for i in items)


def _index(items: list[Any], value: Any) -> int:
    return items.index(value)


def _set(items: list[Any]) -> list[Any]:
    unique = {json.dumps(i, sort_keys=True): i for i in items}
    return [unique[k] for k in sorted(unique)]


_MORE_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "format": _format,
    "formatlist": lambda fmt, *lists: [_format(fmt, *row) for row in zip(*lists, strict=True)],
    "substr": _substr,
    "title": lambda s: s.title(),
    "chomp": lambda s: s.rstrip("\r\n"),
    "trim": lambda s, chars: s.strip(chars),
    "trimprefix": lambda s, prefix: s.removeprefix(prefix),
    "trimsuffix": lambda s, suffix: s.removesuffix(suffix),
    "startswith": lambda s, prefix: s.startswith(prefix),
    "endswith": lambda s, suffix: s.endswith(suffix),
    "strrev": lambda s: s[::-1],
    "regex": _regex,
    "regexall": _regexall,
    "sort": _sort,
    "reverse": lambda xs: list(reversed(xs)),
    "slice": _slice,
    "one": _one,
    "index": _index,
    "sum": lambda xs: sum(xs),
    "alltrue": lambda xs: all(x is True or x == "true" for x in xs),
    "anytrue": lambda xs: any(x is True or x == "true" for x in xs),
    "setunion": lambda *sets: _set([x for s in sets for x in s]),
    "setintersection": lambda first, *rest: _set([x for x in first if all(x in r for r in rest)]),
    "setsubtract": lambda a, b: _set([x for x in a if x not in b]),
    "ceil": lambda n: int(-(-n // 1)),
    "floor": lambda n: int(n // 1),
    "signum": lambda n: (n > 0) - (n < 0),
    "parseint": lambda s, base: int(s, int(base)),
    "basename": lambda s: posixpath.basename(s.rstrip("/")) or s,
    "dirname": lambda s: posixpath.dirname(s) or ".",
}
#: Functions whose result stays right when some element of an argument is unknown (they move
#: values around without reading them); every other function needs wholly known arguments.
STRUCTURAL = {
    "merge",
    "concat",
    "flatten",
    "length",
    "keys",
    "values",
    "lookup",
    "element",
    "coalescelist",
    "tolist",
    "tomap",
    "slice",
    "reverse",
    "one",
    "zipmap",
    "compact",
}


def _merge(*maps: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in maps:
        if item is None:
            continue
        if not isinstance(item, dict):
            raise TypeError("merge of a non-map")
        out.update(item)
    return out


def _flatten(items: list[Any]) -> list[Any]:
    out: list[Any] = []
    for item in items:
        out.extend(_flatten(item) if isinstance(item, list) else [item])
    return out


def _range(*args: Any) -> list[Any]:
    numbers = [int(a) for a in args]
    result = list(range(*numbers)[: MAX_ITEMS + 1])
    if len(result) > MAX_ITEMS:
        raise ValueError("range too large")
    return result


def _toset(items: list[Any]) -> list[Any]:
    unique = list(dict.fromkeys(json.dumps(i, sort_keys=True) for i in items))
    values = [json.loads(u) for u in unique]
    return sorted(values, key=_sort_key)


def _sort_key(value: Any) -> tuple[int, str]:
    return (0, to_string(value)) if isinstance(value, str | int | float | bool) else (1, "")


def _lookup(mapping: dict[str, Any], key: str, *default: Any) -> Any:
    if key in mapping:
        return mapping[key]
    if default:
        return default[0]
    raise KeyError(key)


def _coalesce(*values: Any) -> Any:
    for value in values:
        if value is not None and value != "":
            return value
    raise ValueError("no non-null argument")


def _raise() -> Any:
    raise TypeError("wrong argument type")


#: Name -> implementation of every function evaluated (any other call is unknown).
FUNCTIONS: dict[str, Callable[..., Any]] = {
    "merge": _merge,
    "tomap": lambda m: dict(m) if isinstance(m, dict) else _raise(),
    "toset": _toset,
    "tolist": lambda xs: list(xs) if isinstance(xs, list) else _raise(),
    "tostring": lambda v: to_string(v) if isinstance(v, str | int | float | bool) else _raise(),
    "tonumber": lambda v: number(v) if number(v) is not None else _raise(),
    "tobool": lambda v: v if isinstance(v, bool) else {"true": True, "false": False}[v],
    "concat": lambda *ls: [x for items in ls for x in items],
    "flatten": _flatten,
    "distinct": lambda xs: list(dict.fromkeys(xs)),
    "compact": lambda xs: [x for x in xs if x not in (None, "")],
    "length": len,
    "keys": lambda m: sorted(m),
    "values": lambda m: [m[k] for k in sorted(m)],
    "lookup": _lookup,
    "element": lambda xs, i: xs[int(i) % len(xs)],
    "contains": lambda xs, v: v in xs,
    "coalesce": _coalesce,
    "coalescelist": lambda *ls: next(items for items in ls if items),
    "lower": lambda s: s.lower(),
    "upper": lambda s: s.upper(),
    "trimspace": lambda s: s.strip(),
    "join": lambda sep, xs: sep.join(to_string(x) for x in xs),
    "split": lambda sep, s: s.split(sep),
    "replace": lambda s, old, new: s.replace(old, new),
    "min": min,
    "max": max,
    "abs": abs,
    "range": _range,
    "zipmap": lambda ks, vs: dict(zip((to_string(k) for k in ks), vs, strict=True)),
    "jsonencode": lambda v: json.dumps(v, separators=(",", ":")),
    "can": lambda v: True,
    **_MORE_FUNCTIONS,
}

__all__ = ["FUNCTIONS", "STRUCTURAL", "text"]
