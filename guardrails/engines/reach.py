"""The Rego modules a set of policies can reach, so an engine compiles only those.

A module reaches another package only through a ``data.`` reference (``import data.x.y`` is
one too), and rules of its own package by name. So the modules needed by ``roots`` are the
roots, every module whose package a needed module's ``data`` reference leads to or into
(``data.guardrails.lib`` reaches every package under it), and every module of a needed
package. ``data`` used whole or with a variable key (``data[x]``) reaches everything.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

from guardrails.engines.rego_lexer import static_keys, tokens
from guardrails.lazy_regex import LazyPattern

Source = tuple[str, str]


_PACKAGE = LazyPattern(r"^[ \t]*package[ \t]+([A-Za-z_][\w.]*)", re.MULTILINE)


@cache
def _package(text: str) -> tuple[str, ...]:
    """A module's package (the first statement after comments), as keys."""
    found = _PACKAGE.search(text)
    return tuple(found[1].split(".")) if found else ()


@cache
def _refs(text: str) -> frozenset[tuple[str, ...]] | None:
    """A module's ``data`` references (None: it may read any of ``data``)."""
    toks = list(tokens(text))
    refs: set[tuple[str, ...]] = set()
    for at, token in enumerate(toks):
        if token.kind == "ident" and token.text == "data" and not (at and toks[at - 1].text == "."):
            keys, _ = static_keys(toks, at + 1)
            if not keys:
                return None
            refs.add(tuple(keys))
    return frozenset(refs)


def _leads(ref: tuple[str, ...], package: tuple[str, ...]) -> bool:
    short = min(len(ref), len(package))
    return ref[:short] == package[:short]


def reached(roots: Sequence[Source], others: Sequence[Source]) -> list[Source]:
    """``roots`` and the modules of ``others`` they can reach, in their original order."""
    packages_of = {name: _package(text) for name, text in [*roots, *others]}
    texts = dict([*roots, *others])
    needed = {name for name, _ in roots}
    packages = {packages_of[name] for name in needed}
    refs: set[tuple[str, ...]] = set()
    pending = list(needed)
    while pending:
        found = _refs(texts[pending.pop()])
        if found is None:
            return [*roots, *others]
        refs |= found
        for name, _ in others:  # a full pass after every change: nothing reachable is missed
            package = packages_of[name]
            if name in needed:
                continue
            if package in packages or any(_leads(ref, package) for ref in refs):
                needed.add(name)
                packages.add(package)
                pending.append(name)
    return [*roots, *(s for s in others if s[0] in needed)]
