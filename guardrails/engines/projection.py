"""Hand a Rego engine only the parts of each resource its policies can read.

An embedded engine pays for every byte of its input: regopy converts JSON into terms at about
1 µs per byte (10,000 resources of ~2.4 KB each: ~20 s), and OPA's evaluation slows with the
size of the document too. A user rule usually reads a handful of fields (``r.type``,
``r.facts.tags.owner``), so the engine is given resources cut down to the paths the sources
name, when the sources show that nothing else of a resource can be observed.

The check is syntactic and conservative (tokens, :mod:`guardrails.engines.rego_lexer`). A
resource is reached only as

- ``some r in input.resources`` / ``some i, r in …`` / ``every r in …`` (``r`` a fresh variable),
- ``r := input.resources[…]`` (a fresh variable), or
- ``input.resources[…].a.b`` (a path on an element),

and every other occurrence of such a variable name, anywhere in the sources, must be the head
of a static path (``r.a.b``, ``r["a"]``). The subtree at the end of each path is kept whole,
so whatever a policy does with ``r.a.b`` (count it, iterate it, print it) sees the same value.
Anything else — ``input`` alone, ``input[x]``, a resource passed to a function or compared
whole, ``with input…``, an element of ``input.resources`` used whole without a fresh binding,
the name reused for anything else — keeps whole resources (``None``): correct, only slower.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from guardrails.engines.rego_lexer import Token, static_keys, tokens

#: A kept path is a node with ``None`` (the whole subtree) or a dict of kept keys.
Trie = dict[str, Any]
_DECLARE = ("some", "every")
_EXPRESSION_END = (";", "]", "}")


def resource_paths(sources: Iterable[tuple[str, str]]) -> frozenset[tuple[str, ...]] | None:
    """The paths of a resource the ``sources`` can read, or None when they may read it whole."""
    modules = [list(tokens(text)) for _, text in sources]
    names: set[str] = set()
    bindings: set[tuple[int, int]] = set()  # (module, token) where a name is declared
    paths: set[tuple[str, ...]] = set()
    for m, toks in enumerate(modules):
        for at, token in enumerate(toks):
            if token.kind != "ident" or token.text != "input" or _after_dot(toks, at):
                continue
            found = _input_use(toks, at)
            if found is None:
                return None
            kind, value = found
            if kind == "path":
                paths.add(value)
            elif kind == "binding":
                name_at = value[0]
                if toks[name_at].text != "_":  # `some _ in …` binds nothing
                    names.add(toks[name_at].text)
                bindings.add((m, name_at))
    for m, toks in enumerate(modules):
        for at, token in enumerate(toks):
            if token.kind != "ident" or token.text not in names or _after_dot(toks, at):
                continue
            if (m, at) in bindings:
                continue
            keys, _ = static_keys(toks, at + 1)
            if not keys:
                return None  # the variable's value used whole (or the name reused)
            paths.add(tuple(keys))
    # a path under a kept one adds nothing: the whole subtree is kept
    return frozenset(p for p in paths if not any(p[:n] in paths for n in range(1, len(p))))


def _after_dot(toks: Sequence[Token], at: int) -> bool:
    return at > 0 and toks[at - 1].text == "."


def _input_use(toks: Sequence[Token], at: int) -> tuple[str, Any] | None:
    """How ``input`` at ``toks[at]`` is used: ``("other", None)`` (not the resources),
    ``("path", keys)`` (a path on an element), ``("binding", (name index,))`` (an element or
    the elements bound to a fresh variable); None when it may read a resource whole."""
    keys, end = static_keys(toks, at + 1)
    if not keys:
        return None  # `input` whole, `input[x]`, `with input as …`
    if keys[0] != "resources":
        return ("other", None)
    if len(keys) > 1:
        return None  # input.resources.x: not an element access
    following = toks[end].text if end < len(toks) else ""
    if following == "[":
        close = _closing(toks, end)
        if close is None:
            return None
        element_keys, _ = static_keys(toks, close + 1)
        if element_keys:
            return ("path", tuple(element_keys))
        # `r := input.resources[i]`: a fresh variable, the expression ends after `]`.
        declared = (
            at >= 3
            and toks[at - 1].text == "="
            and toks[at - 2].text == ":"
            and toks[at - 3].kind == "ident"
        )
        ends = close + 1 >= len(toks) or (
            toks[close + 1].line > toks[close].line or toks[close + 1].text in _EXPRESSION_END
        )
        return ("binding", (at - 3,)) if declared and ends else None
    # `some r in input.resources` / `some i, r in …` / `every …`
    if at >= 3 and toks[at - 1].text == "in" and toks[at - 2].kind == "ident":
        if toks[at - 3].text in _DECLARE:
            return ("binding", (at - 2,))
        if (
            at >= 5
            and toks[at - 3].text == ","
            and toks[at - 4].kind == "ident"
            and toks[at - 5].text in _DECLARE
        ):
            return ("binding", (at - 2,))
    return None


def _closing(toks: Sequence[Token], at: int) -> int | None:
    """The index of the ``]`` closing the ``[`` at ``toks[at]``."""
    depth = 0
    for index in range(at, len(toks)):
        text = toks[index].text
        if text in "([{":
            depth += 1
        elif text in ")]}":
            depth -= 1
            if depth == 0:
                return index if text == "]" else None
    return None


def _trie(paths: Iterable[tuple[str, ...]]) -> Trie:
    root: Trie = {}
    for path in sorted(paths, key=len):
        node = root
        for depth, key in enumerate(path):
            if key in node and node[key] is None:
                break  # an ancestor is kept whole
            if depth == len(path) - 1:
                node[key] = None
            else:
                node = node.setdefault(key, {})
    return root


def _project(value: Any, trie: Trie) -> Any:
    if not isinstance(value, dict):
        return value  # a path into a non-object is undefined either way
    out = {}
    for key, sub in trie.items():
        if key in value:
            out[key] = value[key] if sub is None else _project(value[key], sub)
    return out


def projected(
    input_doc: dict[str, Any], paths: frozenset[tuple[str, ...]] | None
) -> dict[str, Any]:
    """``input_doc`` with each resource cut to ``paths`` (unchanged when ``paths`` is None)."""
    resources = input_doc.get("resources")
    if paths is None or not isinstance(resources, list):
        return input_doc
    trie = _trie(paths)
    return {**input_doc, "resources": [_project(r, trie) for r in resources]}
