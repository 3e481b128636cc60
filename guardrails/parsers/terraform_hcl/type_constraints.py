"""Terraform variable type constraints, applied to the values a module receives.

A module variable typed ``map(object({create = optional(bool, true), tags = optional(map(string),
{})}))`` gets every attribute the caller left out filled in with its ``optional()`` default (or
null), as Terraform 1.3+ does before the module sees the value; ``nullable = false`` turns a null
into the variable's default. Without this, ``each.value.create`` inside a module such as
terraform-aws-modules/eks would be missing, so unknown, and every resource behind it unknown.
Primitive conversions follow Terraform's (``"2"`` to a number, ``true`` to ``"true"``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from guardrails.parsers.terraform_hcl.adapter import trees
from guardrails.parsers.terraform_hcl.adapter.trees import Kind, Node
from guardrails.parsers.terraform_hcl.expressions import evaluate_tree
from guardrails.parsers.terraform_hcl.scope import Scope
from guardrails.parsers.terraform_hcl.unknown import Unknown

#: Deepest type nesting followed (deeper parts are left as given).
_MAX_DEPTH = 32
_PRIMITIVES = {"string", "number", "bool", "any"}
_COLLECTIONS = {"list", "set", "map"}


@dataclass(frozen=True)
class Attribute:
    type: TypeSpec
    optional: bool = False
    #: The optional() default (already converted to the attribute's type); None: null.
    default: Any = None


@dataclass(frozen=True)
class TypeSpec:
    """A parsed type constraint: ``kind`` is a primitive, a collection, object or tuple."""

    kind: str
    element: TypeSpec | None = None
    attributes: tuple[tuple[str, Attribute], ...] = ()
    elements: tuple[TypeSpec, ...] = ()


ANY = TypeSpec("any")


def parse_type(raw: Any) -> TypeSpec | None:
    """The type constraint written as a variable's ``type`` (python-hcl2 text), or None."""
    tree = trees.type_expression(raw)
    return _spec(tree, 0) if tree is not None else None


def _spec(node: Node, depth: int) -> TypeSpec | None:
    if depth > _MAX_DEPTH:
        return None
    kind = trees.kind(node)
    if kind is Kind.TERM:
        inner = trees.sole(node)
        return _spec(inner, depth + 1) if inner is not None else None
    if kind is Kind.NAME:
        name = trees.token_text(node)
        return TypeSpec(name) if name in _PRIMITIVES else None
    if kind is not Kind.CALL:
        return None
    name, args, _ = trees.call(node)
    if name in _COLLECTIONS and len(args) == 1:
        element = _spec(args[0], depth + 1)
        return TypeSpec(name, element=element) if element is not None else None
    if name == "object" and len(args) == 1:
        return _object(args[0], depth + 1)
    if name == "tuple" and len(args) == 1:
        items = _tuple_items(args[0])
        specs = [_spec(item, depth + 1) for item in items or []]
        if items is None or any(s is None for s in specs):
            return None
        return TypeSpec("tuple", elements=tuple(s for s in specs if s is not None))
    return None


def _unwrap(node: Node, kind: Kind) -> Node | None:
    found = trees.ungroup(node)
    return found if found is not None and trees.kind(found) is kind else None


def _tuple_items(node: Node) -> list[Node] | None:
    found = _unwrap(node, Kind.TUPLE)
    return trees.items(found) if found is not None else None


def _object(node: Node, depth: int) -> TypeSpec | None:
    found = _unwrap(node, Kind.OBJECT)
    if found is None:
        return None
    attributes = []
    for key, value in trees.object_elements(found):
        name = trees.key_name(key)
        if name is None:
            return None
        attribute = _attribute(value, depth)
        if attribute is None:
            return None
        attributes.append((name, attribute))
    return TypeSpec("object", attributes=tuple(attributes))


def _attribute(node: Node, depth: int) -> Attribute | None:
    call = _unwrap(node, Kind.CALL)
    if call is not None and trees.call(call)[0] == "optional":
        args = trees.call(call)[1]
        spec = _spec(args[0], depth + 1) if args else None
        if spec is None or len(args) > 2:
            return None
        default = convert(evaluate_tree(args[1], Scope()), spec) if len(args) == 2 else None
        return Attribute(spec, True, default)
    spec = _spec(node, depth + 1)
    return Attribute(spec) if spec is not None else None


def convert(value: Any, spec: TypeSpec, depth: int = 0) -> Any:
    """``value`` converted to ``spec`` the way Terraform converts a module argument."""
    if value is None or isinstance(value, Unknown) or depth > _MAX_DEPTH:
        return value
    kind = spec.kind
    if kind == "object" and isinstance(value, dict):
        out = {}
        for name, attribute in spec.attributes:
            given = value.get(name)
            if given is not None:
                out[name] = convert(given, attribute.type, depth + 1)
            elif attribute.optional or name in value:
                out[name] = attribute.default if attribute.optional else None
        return out
    if kind == "map" and isinstance(value, dict) and spec.element is not None:
        return {k: convert(v, spec.element, depth + 1) for k, v in value.items()}
    if kind in ("list", "set") and isinstance(value, list) and spec.element is not None:
        return [convert(v, spec.element, depth + 1) for v in value]
    if kind == "tuple" and isinstance(value, list) and len(value) == len(spec.elements):
        return [convert(v, s, depth + 1) for v, s in zip(value, spec.elements, strict=True)]
    return _primitive(value, kind)


def _primitive(value: Any, kind: str) -> Any:
    if kind == "string" and isinstance(value, bool):
        return "true" if value else "false"
    if kind == "string" and isinstance(value, int | float):
        return str(int(value)) if float(value).is_integer() else repr(value)
    if kind == "number" and isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return value
        return int(number) if number.is_integer() and "." not in value else number
    if kind == "bool" and value in ("true", "false"):
        return value == "true"
    return value


__all__ = ["ANY", "Attribute", "TypeSpec", "convert", "parse_type"]
