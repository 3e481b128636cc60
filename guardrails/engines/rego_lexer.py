"""Static paths in Rego tokens (:mod:`guardrails.catalog.rego_source`): ``.name`` and
``["string"]`` steps after a name, as the projection and reach analyses read them."""

from __future__ import annotations

from collections.abc import Sequence

from guardrails.catalog.rego_source import Token, string_value, tokens

__all__ = ["Token", "static_keys", "tokens"]


def static_keys(toks: Sequence[Token], at: int) -> tuple[list[str], int]:
    """The keys of the ``.name`` / ``["string"]`` steps starting at ``toks[at]`` and the index
    of the first token after them (a variable or number index ends the steps)."""
    keys: list[str] = []
    while at < len(toks):
        if toks[at].text == "." and at + 1 < len(toks) and toks[at + 1].kind == "ident":
            keys.append(toks[at + 1].text)
            at += 2
            continue
        if toks[at].text == "[" and at + 2 < len(toks) and toks[at + 2].text == "]":
            value = string_value(toks[at + 1])
            if value is not None:
                keys.append(value)
                at += 3
                continue
        break
    return keys, at
