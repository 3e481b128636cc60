"""python-hcl2's expression trees, read through views named in HCL's terms.

An expression is parsed with python-hcl2's Lark grammar; the evaluator and the type parser ask
:func:`kind` what a node is and take it apart with the views below, so they never name a grammar
rule or a token type.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from guardrails.parsers.terraform_hcl.adapter.documents import expression_source

if TYPE_CHECKING:  # lark is imported with python-hcl2, only when a .tf file is read
    from lark import Tree

#: An expression node: a python-hcl2 Lark tree, opaque outside this module.
Node = Any


def expression_of(text: str) -> Node | None:
    """The expression tree of a value as python-hcl2 renders it (``${...}`` or a template)."""
    inner = text.strip()
    if inner.startswith("${") and inner.endswith("}") and _balanced(inner[2:-1]):
        inner = inner[2:-1]
    return parse_expression(inner)


def type_expression(raw: Any) -> Node | None:
    """The tree of a variable's ``type`` value, None when it is not an expression."""
    return parse_expression(expression_source(raw)) if isinstance(raw, str) else None


@lru_cache(maxsize=4096)
def parse_expression(text: str) -> Tree[Any] | None:
    """The expression tree of ``text`` (no ``${}``), None when it does not parse."""
    import hcl2

    try:
        tree = hcl2.parses_to_tree(f"v = {text}\n")
    except Exception:  # Lark raises many error types; an unparsable expression is unknown
        return None
    attribute = next(tree.find_data("attribute"), None)
    if attribute is None:
        return None
    expressions = [c for c in attribute.children if _is_tree(c)]
    return expressions[-1] if len(expressions) >= 2 else None


def _balanced(text: str) -> bool:
    """``${a} and ${b}`` is a template, not one expression ``a} and ${b``."""
    depth = 0
    for ch in text:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def _is_tree(node: Any) -> bool:
    return hasattr(node, "data") and hasattr(node, "children")


def _is_token(node: Any) -> bool:
    return isinstance(node, str) and hasattr(node, "type")


def _trees(node: Node) -> list[Node]:
    """The sub-trees of ``node`` without tokens and comments."""
    return [c for c in node.children if _is_tree(c) and c.data != "new_line_or_comment"]


def _name(node: Node) -> str:
    """The text of a node's first token (an identifier's name, a literal's digits)."""
    return str(node.children[0])


class Kind(Enum):
    """What an expression node is, in HCL's terms (python-hcl2's rule names are mapped here)."""

    TERM = "expr_term"  # a term, or an expression in parentheses
    INT = "int_lit"
    FLOAT = "float_lit"
    KEYWORD = "literal_value"  # true, false, null
    STRING = "string"
    HEREDOC = "heredoc_template"
    HEREDOC_TRIM = "heredoc_template_trim"
    TUPLE = "tuple"
    OBJECT = "object"
    NAME = "identifier"
    ATTRIBUTE = "get_attr_expr_term"
    INDEX = "index_expr_term"
    FULL_SPLAT = "full_splat_expr_term"
    ATTR_SPLAT = "attr_splat_expr_term"
    CONDITIONAL = "conditional"
    BINARY = "binary_op"
    UNARY = "unary_op"
    CALL = "function_call"
    FOR_TUPLE = "for_tuple_expr"
    FOR_OBJECT = "for_object_expr"


_KINDS = {kind.value: kind for kind in Kind}
#: Rules and tokens this module reads; the grammar-pin test checks python-hcl2 still has them.
RULES = frozenset(
    {*_KINDS, "attribute", "new_line_or_comment", "interpolation", "object_elem", "get_attr"}
    | {"short_index", "braces_index", "binary_term", "arguments", "for_intro", "for_cond"}
)
TOKENS = frozenset(
    {"STRING_CHARS", "ESCAPED_INTERPOLATION", "ESCAPED_DIRECTIVE", "ELLIPSIS", "INT_LITERAL"}
)


@dataclass(frozen=True)
class Interpolation:
    """``${expression}`` inside a template (``expression`` None when empty)."""

    expression: Node | None


class Directive:
    """A template directive (``%{if}``, ``%{for}``) inside a string: not evaluated."""


DIRECTIVE = Directive()


def kind(node: Node) -> Kind | None:
    """The kind of an expression node; None for a token or a construct not evaluated."""
    if _is_token(node) or not _is_tree(node):
        return None
    return _KINDS.get(node.data)


def inner(node: Node) -> Node | None:
    """The expression a term stands for (``(x)`` -> ``x``), None when empty."""
    trees = _trees(node)
    return trees[0] if trees else None


def sole(node: Node) -> Node | None:
    """The one expression a term holds; None when it holds none or several."""
    found = _trees(node)
    return found[0] if len(found) == 1 else None


def ungroup(node: Node) -> Node | None:
    """``node`` without the terms wrapping it; None when a term holds more than one thing."""
    while kind(node) is Kind.TERM:
        node = sole(node)
        if node is None:
            return None
    return node


def token_text(node: Node) -> str:
    """The literal text of a name, number, keyword or heredoc node."""
    return _name(node)


def string_parts(node: Node) -> Iterator[str | Interpolation | Directive]:
    """A quoted template's pieces: literal text, interpolations and directives."""
    for part in node.children:
        if not _is_tree(part):
            continue
        for piece in part.children:
            if _is_token(piece):
                if piece.type == "STRING_CHARS":
                    yield _unescape(str(piece))
                elif piece.type in ("ESCAPED_INTERPOLATION", "ESCAPED_DIRECTIVE"):
                    yield str(piece)[1:]
            elif piece.data == "interpolation":
                yield Interpolation(inner(piece))
            else:
                yield DIRECTIVE


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text
    try:
        value = json.loads(f'"{text}"')
        return value if isinstance(value, str) else text
    except ValueError:
        return text


def heredoc_body(node: Node) -> str:
    """A heredoc's body as written (its ``<<EOT`` and closing marker lines removed)."""
    raw = _name(node)
    body = raw.split("\n", 1)[1] if "\n" in raw else ""
    return body.rstrip().rsplit("\n", 1)[0] + "\n" if "\n" in body.rstrip() else ""


def items(node: Node) -> list[Node]:
    """The elements of a tuple, or the argument list of a type constructor."""
    return _trees(node)


def object_elements(node: Node) -> Iterator[tuple[Node, Node]]:
    """(key node, value node) of each element of an object."""
    for elem in _trees(node):
        if elem.data == "object_elem":
            parts = _trees(elem)
            yield parts[0], parts[-1]


def object_key(key: Node) -> str | Node | None:
    """An object key: the name itself when a bare identifier (``team = ...``), else the key
    expression to evaluate (a node), None when it has none."""
    trees = _trees(key)
    if not trees:
        return str(key.children[0]) if key.children else None
    term = trees[0]
    if term.data == "expr_term":
        first = _trees(term)
        if first and first[0].data == "identifier":
            return str(first[0].children[0])
    return term


def key_name(key: Node) -> str | None:
    """The identifier an object key is, through any parentheses; None for other keys."""
    trees = _trees(key)
    found = ungroup(trees[0]) if trees else None
    return _name(found) if found is not None and kind(found) is Kind.NAME else None


@dataclass(frozen=True)
class Step:
    """One step of a traversal: ``.name`` (``name`` set) or ``[index]`` (``index`` set)."""

    name: str | None = None
    #: A literal index (``.0``) or the index expression (a node).
    index: int | Node | None = None


def traversal(node: Node) -> tuple[str | Node, list[Node | Step]] | None:
    """``a.b[c].d`` as its root (a name, or the node it starts from) and its steps, outermost
    first; None when a step is of an unknown form."""
    steps: list[Node | Step] = []
    current: Any = node
    while kind(current) in (Kind.ATTRIBUTE, Kind.INDEX, Kind.TERM):
        children = _trees(current)
        if kind(current) is Kind.TERM:
            if len(children) != 1:
                break
            current = children[0]
            continue
        base, step = children[0], children[-1]
        if step.data == "get_attr":
            steps.append(Step(name=_name(_trees(step)[0])))
        elif step.data == "short_index":
            steps.append(Step(index=int(str(step.children[-1]))))
        elif step.data == "braces_index":
            steps.append(Step(index=_trees(step)[0]))
        else:
            return None
        current = base
    root = _name(current) if kind(current) is Kind.NAME else current
    return root, steps


def splat(node: Node) -> tuple[Node, list[str] | None]:
    """``base[*].a.b`` / ``base.*.a``: the base and the attribute names (None when a step is
    an index, which is not evaluated)."""
    trees = _trees(node)
    names: list[str] | None = []
    for step in _trees(trees[-1]):
        if step.data == "get_attr" and names is not None:
            names.append(_name(_trees(step)[0]))
        else:
            names = None
    return trees[0], names


def conditional(node: Node) -> tuple[Node, Node, Node]:
    """(condition, true result, false result)."""
    condition, yes, no = _trees(node)
    return condition, yes, no


def binary(node: Node) -> tuple[Node, str, Node]:
    """(left, operator, right)."""
    left, term = _trees(node)[0], _trees(node)[1]
    operator, right = _trees(term)[0], _trees(term)[-1]
    return left, _name(operator), right


def unary(node: Node) -> tuple[str, Node]:
    """(operator, operand)."""
    return _name(node), _trees(node)[0]


def call(node: Node) -> tuple[str, list[Node], bool]:
    """(function name, argument nodes, whether the last argument is expanded with ``...``)."""
    children = _trees(node)
    arguments = next((c for c in children if c.data == "arguments"), None)
    if arguments is None:
        return _name(children[0]), [], False
    expand = any(_is_token(t) and t.type == "ELLIPSIS" for t in arguments.children)
    return _name(children[0]), _trees(arguments), expand


@dataclass(frozen=True)
class ForExpression:
    """``[for k, v in collection : body if cond]`` / ``{for ... : key => value...}``."""

    names: list[str]
    collection: Node | None
    #: One body for a tuple, key and value for an object.
    bodies: list[Node]
    condition: Node | None
    #: ``...`` after an object's value: values with the same key are grouped in a list.
    grouping: bool


def for_expression(node: Node) -> ForExpression:
    """The parts of a ``for`` expression."""
    parts = _trees(node)
    intro = _trees(parts[0])
    collections = [c for c in intro if c.data != "identifier"]
    condition = next((p for p in parts[1:] if p.data == "for_cond"), None)
    return ForExpression(
        names=[_name(c) for c in intro if c.data == "identifier"],
        collection=collections[0] if collections else None,
        bodies=[p for p in parts[1:] if p.data != "for_cond"],
        condition=_trees(condition)[0] if condition is not None else None,
        grouping=any(_is_token(t) and t.type == "ELLIPSIS" for t in node.children),
    )
