"""Evaluating Terraform expressions the way ``terraform plan`` would, where they are literal.

python-hcl2 hands expressions over as text (``${merge(local.tags, {team = "ml"})}``); the
adapter parses that text and this module walks the tree through the adapter's views. Variables,
locals, ``each``/``count``, literals, string templates, conditionals, ``for`` expressions and
the common pure functions evaluate; anything that depends on a resource, a data source or a
module output is :class:`Unknown` (known only after apply) and remembers the addresses it
refers to, so references still become graph edges.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping
from typing import Any

from guardrails.parsers.terraform_hcl.adapter import trees
from guardrails.parsers.terraform_hcl.adapter.trees import Kind, Node
from guardrails.parsers.terraform_hcl.budget import (
    MAX_ITEMS,
    Budget,
    amplified,
    current_budget,
)
from guardrails.parsers.terraform_hcl.functions import FUNCTIONS, STRUCTURAL
from guardrails.parsers.terraform_hcl.primitives import (
    binary,
    finite,
    index,
    is_number,
    to_string,
)
from guardrails.parsers.terraform_hcl.scope import Scope
from guardrails.parsers.terraform_hcl.unknown import (
    UNKNOWN,
    Unknown,
    contains_unknown,
    unknown_of,
)

#: Deepest expression nesting evaluated; deeper input is unknown, never a RecursionError.
MAX_DEPTH = 64
_SCOPES = ("var", "local", "each", "count", "path", "terraform", "self")


def evaluate_text(text: str, scope: Scope) -> Any:
    """The value of an expression as python-hcl2 renders it (``${...}`` or a quoted template)."""
    tree = trees.expression_of(text)
    if tree is None:
        return UNKNOWN
    return _Evaluator(scope).eval(tree, 0)


def evaluate_tree(node: Node, scope: Scope) -> Any:
    """The value of an expression tree from the adapter (a type's ``optional()`` default)."""
    return _Evaluator(scope).eval(node, 0)


class _Evaluator:
    def __init__(
        self, scope: Scope, bound: Mapping[str, Any] | None = None, budget: Budget | None = None
    ) -> None:
        self.scope = scope
        #: Work and value sizes, shared by the whole scan (budget.py).
        self.budget = budget if budget is not None else current_budget()
        #: Names a ``for`` expression binds (``for k, v in ...``), looked up before scopes.
        self.bound: Mapping[str, Any] = {**scope.bound, **bound} if bound else scope.bound

    def eval(self, node: Node, depth: int) -> Any:
        if depth > MAX_DEPTH:
            return UNKNOWN
        handler = _HANDLERS.get(trees.kind(node))
        if handler is None:
            return UNKNOWN
        return handler(self, node, depth + 1)

    # -- terms ------------------------------------------------------------------------------

    def _term(self, node: Node, depth: int) -> Any:
        inner = trees.inner(node)
        return self.eval(inner, depth) if inner is not None else UNKNOWN

    def _int(self, node: Node, depth: int) -> Any:
        return int(trees.token_text(node))

    def _float(self, node: Node, depth: int) -> Any:
        return finite(float(trees.token_text(node)))

    def _keyword(self, node: Node, depth: int) -> Any:
        return {"true": True, "false": False, "null": None}.get(trees.token_text(node), UNKNOWN)

    def _string(self, node: Node, depth: int) -> Any:
        parts: list[Any] = []
        for part in trees.string_parts(node):
            if isinstance(part, str):
                parts.append(part)
            elif isinstance(part, trees.Interpolation):
                inner = part.expression
                parts.append(self.eval(inner, depth) if inner is not None else UNKNOWN)
            else:  # %{if}/%{for} template directives
                return unknown_of(*parts)
        if any(isinstance(p, Unknown) for p in parts):
            return unknown_of(*parts)
        if any(isinstance(p, dict | list) for p in parts):
            return UNKNOWN
        text = "".join(to_string(p) for p in parts)
        return text if len(text) <= MAX_ITEMS * 10 else UNKNOWN

    def _heredoc(self, node: Node, depth: int) -> Any:
        body = trees.heredoc_body(node)
        return UNKNOWN if "${" in body or "%{" in body else body

    def _heredoc_trim(self, node: Node, depth: int) -> Any:
        text = self._heredoc(node, depth)
        return textwrap.dedent(text) if isinstance(text, str) else text

    def _tuple(self, node: Node, depth: int) -> Any:
        items = [self.eval(c, depth) for c in trees.items(node)]
        return items if len(items) <= MAX_ITEMS and not self.budget.too_large(items) else UNKNOWN

    def _object(self, node: Node, depth: int) -> Any:
        out: dict[str, Any] = {}
        for key_node, value_node in trees.object_elements(node):
            key = self._object_key(key_node, depth)
            value = self.eval(value_node, depth)
            if isinstance(key, Unknown):
                return unknown_of(key, value, *out.values())
            out[key] = value
        return UNKNOWN if self.budget.too_large(out) else out

    def _object_key(self, node: Node, depth: int) -> Any:
        key = trees.object_key(node)
        if key is None or isinstance(key, str):
            return UNKNOWN if key is None else key  # a bare name is the key, not a variable
        value = self.eval(key, depth)
        return (
            to_string(value) if isinstance(value, str | int | float | bool) else unknown_of(value)
        )

    def _name(self, node: Node, depth: int) -> Any:
        return self._traverse(trees.token_text(node), [], depth)

    # -- traversals: var.x, local.y["k"], aws_instance.gpu.id -----------------------------

    def _splat(self, node: Node, depth: int) -> Any:
        """``list[*].attr`` / ``list.*.attr``: the attribute of each element (a lone value
        is a list of one, null an empty list); unknown keeps the base's references."""
        base_node, names = trees.splat(node)
        base = self.eval(base_node, depth)
        if isinstance(base, Unknown):
            return base
        if names is None:
            return UNKNOWN
        items = [] if base is None else base if isinstance(base, list) else [base]
        return [index(item, list(names)) for item in items]

    def _chain(self, node: Node, depth: int) -> Any:
        """``a.b[c].d``: its root name (or value) followed through its steps."""
        found = trees.traversal(node)
        if found is None:
            return UNKNOWN
        root, outermost_first = found
        steps: list[Any] = []
        for step in outermost_first:
            if step.name is not None:
                steps.append(step.name)
            elif isinstance(step.index, int):
                steps.append(step.index)
            else:
                steps.append(self.eval(step.index, depth))
        steps.reverse()
        if isinstance(root, str):
            return self._traverse(root, steps, depth)
        return index(self.eval(root, depth), steps)

    def _traverse(self, root: str, steps: list[Any], depth: int) -> Any:
        if root in self.bound:
            return index(self.bound[root], steps)
        scope = self.scope
        if root == "var" and steps and isinstance(steps[0], str):
            return index(scope.variables.get(steps[0], UNKNOWN), steps[1:])
        if root == "local" and steps and isinstance(steps[0], str):
            return index(scope.locals(steps[0]), steps[1:])
        if root == "each" and steps and scope.each is not None:
            key, value = scope.each
            return key if steps[0] == "key" else index(value, steps[1:])
        if root == "count" and steps == ["index"] and scope.count_index is not None:
            return scope.count_index
        if root == "path" and steps and steps[0] in ("module", "root", "cwd"):
            return {"module": scope.path_module_shown, "cwd": scope.path_cwd}.get(steps[0], ".")
        if root in _SCOPES:
            return UNKNOWN
        names = [s for s in steps if isinstance(s, str)]
        if root == "module" and names and isinstance(steps[0], str):
            outputs = scope.modules(steps[0])
            scope.refs.add(scope.address(f"module.{steps[0]}"))
            reference = Unknown(frozenset({scope.address(f"module.{steps[0]}")}))
            if outputs is None:
                return reference
            value = index(outputs, steps[1:])
            return unknown_of(reference) if isinstance(value, Unknown) else value
        if root == "data" and len(names) >= 2:
            scope.refs.add(scope.address(f"data.{names[0]}.{names[1]}"))
            return Unknown(frozenset({scope.address(f"data.{names[0]}.{names[1]}")}))
        if "_" in root and names and isinstance(steps[0], str):
            # A resource planned for creation: what its configuration sets is known at plan
            # time (as Terraform plans it); what the provider computes (id, arn) is not.
            address = scope.address(f"{root}.{steps[0]}")
            scope.refs.add(address)
            configured = scope.resources(root, steps[0])
            value = index(configured, steps[1:]) if configured is not None else UNKNOWN
            if isinstance(value, Unknown):
                return Unknown(value.references | {address})
            return value
        return UNKNOWN

    # -- operators --------------------------------------------------------------------------

    def _conditional(self, node: Node, depth: int) -> Any:
        condition, yes, no = trees.conditional(node)
        test = self.eval(condition, depth)
        if isinstance(test, bool):
            return self.eval(yes if test else no, depth)
        return unknown_of(test, self.eval(yes, depth), self.eval(no, depth))

    def _binary(self, node: Node, depth: int) -> Any:
        left_node, operator, right_node = trees.binary(node)
        left, right = self.eval(left_node, depth), self.eval(right_node, depth)
        if isinstance(left, Unknown) or isinstance(right, Unknown):
            return unknown_of(left, right)
        return binary(operator, left, right)

    def _unary(self, node: Node, depth: int) -> Any:
        operator, operand = trees.unary(node)
        value = self.eval(operand, depth)
        if operator == "!" and isinstance(value, bool):
            return not value
        if operator == "-" and is_number(value):
            return -value
        return unknown_of(value)

    # -- functions and for expressions ------------------------------------------------------

    def _call(self, node: Node, depth: int) -> Any:
        name, argument_nodes, expand = trees.call(node)
        args = [self.eval(a, depth) for a in argument_nodes]
        if expand and args and isinstance(args[-1], list):
            args = [*args[:-1], *args[-1]]
        function = FUNCTIONS.get(name)
        if name == "try":
            return next((a for a in args if not contains_unknown(a)), unknown_of(*args))
        if function is None or any(isinstance(a, Unknown) for a in args):
            return unknown_of(*args)
        if self.budget.too_large(args) or amplified(name, args):
            return UNKNOWN  # too large to build safely (budget.py)
        if name not in STRUCTURAL and any(contains_unknown(a) for a in args):
            return unknown_of(*args)  # it would read a value known only after apply
        try:
            result = function(*args)
        except (TypeError, ValueError, KeyError, IndexError, AttributeError, OverflowError):
            return unknown_of(*args)
        return UNKNOWN if self.budget.too_large(result) else result

    def _for_tuple(self, node: Node, depth: int) -> Any:
        return self._for(node, depth, object_form=False)

    def _for_object(self, node: Node, depth: int) -> Any:
        return self._for(node, depth, object_form=True)

    def _for(self, node: Node, depth: int, object_form: bool) -> Any:
        parts = trees.for_expression(node)
        names, bodies = parts.names, parts.bodies
        collection = self.eval(parts.collection, depth) if parts.collection is not None else UNKNOWN
        if isinstance(collection, Unknown) or not isinstance(collection, dict | list):
            return unknown_of(collection)
        pairs = (
            list(collection.items())
            if isinstance(collection, dict)
            else list(enumerate(collection))
        )
        if len(pairs) > MAX_ITEMS:
            return UNKNOWN
        out_list: list[Any] = []
        out_map: dict[str, Any] = {}
        for key, value in pairs:
            names_bound = {names[0]: key, names[1]: value} if len(names) == 2 else {names[0]: value}
            if not self.budget.spend():
                return UNKNOWN  # the scan's budget of work is spent
            inner = _Evaluator(self.scope, {**self.bound, **names_bound}, self.budget)
            if parts.condition is not None:
                test = inner.eval(parts.condition, depth)
                if not isinstance(test, bool):
                    return unknown_of(test)
                if not test:
                    continue
            if object_form:
                k = inner.eval(bodies[0], depth)
                v = inner.eval(bodies[1], depth)
                if not isinstance(k, str | int | float | bool):
                    return unknown_of(k, v)
                if parts.grouping:
                    out_map.setdefault(to_string(k), []).append(v)
                else:
                    out_map[to_string(k)] = v
            else:
                out_list.append(inner.eval(bodies[0], depth))
        result = out_map if object_form else out_list
        return UNKNOWN if self.budget.too_large(result) else result


_HANDLERS: dict[Kind | None, Callable[[_Evaluator, Node, int], Any]] = {  # None: a token
    Kind.TERM: _Evaluator._term,
    Kind.INT: _Evaluator._int,
    Kind.FLOAT: _Evaluator._float,
    Kind.KEYWORD: _Evaluator._keyword,
    Kind.STRING: _Evaluator._string,
    Kind.HEREDOC: _Evaluator._heredoc,
    Kind.HEREDOC_TRIM: _Evaluator._heredoc_trim,
    Kind.TUPLE: _Evaluator._tuple,
    Kind.OBJECT: _Evaluator._object,
    Kind.NAME: _Evaluator._name,
    Kind.ATTRIBUTE: _Evaluator._chain,
    Kind.INDEX: _Evaluator._chain,
    Kind.FULL_SPLAT: _Evaluator._splat,
    Kind.ATTR_SPLAT: _Evaluator._splat,
    Kind.CONDITIONAL: _Evaluator._conditional,
    Kind.BINARY: _Evaluator._binary,
    Kind.UNARY: _Evaluator._unary,
    Kind.CALL: _Evaluator._call,
    Kind.FOR_TUPLE: _Evaluator._for_tuple,
    Kind.FOR_OBJECT: _Evaluator._for_object,
}
