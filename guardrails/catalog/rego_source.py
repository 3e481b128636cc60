"""Rego source as tokens (names, strings, punctuation, each with its line): enough to find
rule heads, packages and references without a Rego parser, which neither engine exposes."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

from guardrails.lazy_regex import LazyPattern

_TOKEN = LazyPattern(
    r"""
      (?P<space>\s+)
    | (?P<comment>\#[^\n]*)
    | (?P<string>"(?:[^"\\\n]|\\.)*")
    | (?P<raw>`[^`]*`)
    | (?P<number>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
    | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<punct>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_OPEN, _CLOSE = "([{", ")]}"


@dataclass(frozen=True)
class Token:
    """One token: ``kind`` (string, raw, number, ident, punct), its text, line and the bracket
    depth it sits at (0: the top level of the module, where rule heads are)."""

    kind: str
    text: str
    line: int
    depth: int = 0


def tokens(source: str) -> Iterator[Token]:
    """The tokens of ``source``, comments and white space left out."""
    line = 1
    depth = 0
    for match in _TOKEN.finditer(source):
        kind = match.lastgroup or "punct"
        text = match.group()
        if kind not in ("space", "comment"):
            if text in _CLOSE:
                depth = max(depth - 1, 0)
            yield Token(kind, text, line, depth)
            if text in _OPEN:
                depth += 1
        line += text.count("\n")


def string_value(token: Token) -> str | None:
    """The value of a string or raw-string token, else None."""
    if token.kind == "raw":
        return token.text[1:-1]
    if token.kind == "string":
        try:
            value = json.loads(token.text)
        except ValueError:
            return None
        return value if isinstance(value, str) else None
    return None


def package_of(source: str) -> str | None:
    """The module's package (``guardrails.policy.acme_gpu_001``), or None."""
    items = list(tokens(source))
    for index, token in enumerate(items):
        if token.kind == "ident" and token.text == "package" and token.depth == 0:
            parts: list[str] = []
            at = index + 1
            while at < len(items) and items[at].kind == "ident":
                parts.append(items[at].text)
                if (
                    at + 1 < len(items)
                    and items[at + 1].text == "."
                    and items[at].line == items[at + 1].line
                ):
                    at += 2
                    continue
                break
            return ".".join(parts) or None
    return None


def rule_heads(source: str) -> Iterator[Token]:
    """The name token of every rule head: a name at the top level that starts its line."""
    previous_line = 0
    for token in tokens(source):
        if (
            token.depth == 0
            and token.kind == "ident"
            and token.line != previous_line
            and token.text not in ("package", "import", "default", "else")
        ):
            yield token
        previous_line = token.line
