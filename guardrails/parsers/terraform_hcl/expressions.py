"""Evaluating Terraform expressions the way ``terraform plan`` would, where they are literal.

python-hcl2 hands expressions over as text (``${merge(local.tags, {team = "ml"})}``); this
module parses that text with python-hcl2's own Lark grammar and walks the tree. Variables,
locals, ``each``/``count``, literals, string templates, conditionals, ``for`` expressions and
the common pure functions evaluate; anything that depends on a resource, a data source or a
module output is :class:`Unknown` (known only after apply) and remembers the addresses it
refers to, so references still become graph edges.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypeGuard

from guardrails.parsers.terraform_hcl.budget import Budget, amplified, current_budget
from guardrails.parsers.terraform_hcl.functions import MORE_FUNCTIONS, STRUCTURAL

if TYPE_CHECKING:  # lark is imported with python-hcl2, only when a .tf file is read
    from lark import Token, Tree


#: Deepest expression nesting evaluated; deeper input is unknown, never a RecursionError.
MAX_DEPTH = 64
#: Largest list or string an expression may build (``range(1e9)`` must not exhaust memory).
MAX_ITEMS = 10_000


@dataclass(frozen=True)
class Unknown:
    """A value only known after apply, with the resource addresses it depends on."""

    references: frozenset[str] = frozenset()


UNKNOWN = Unknown()
_SCOPES = ("var", "local", "each", "count", "path", "terraform", "self")


def unknown_of(*values: Any) -> Unknown:
    """One Unknown carrying the references of every Unknown among ``values`` (nested too)."""
    refs: set[str] = set()
    stack = list(values)
    while stack:
        value = stack.pop()
        if isinstance(value, Unknown):
            refs |= value.references
        elif isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return Unknown(frozenset(refs))


def contains_unknown(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, Unknown):
            return True
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


@dataclass
class Scope:
    """What names mean where an expression is written (one module instance)."""

    variables: Mapping[str, Any] = field(default_factory=dict)
    #: Local name -> its value, or a zero-argument callable evaluating it on first use.
    locals: Callable[[str], Any] = field(default=lambda name: UNKNOWN)
    #: ``module.a.module.b`` prefix of addresses written in this module ("" at the root).
    prefix: str = ""
    each: tuple[Any, Any] | None = None
    count_index: int | None = None
    path_module: str = "."
    #: Module call name -> its outputs (a map; a list or map of them with count/for_each),
    #: or None when the module was not expanded.
    modules: Callable[[str], Any] = field(default=lambda name: None)
    #: Names bound around an expression: a ``dynamic`` block's iterator.
    bound: Mapping[str, Any] = field(default_factory=dict)
    #: ``(type, name)`` of a managed resource in this module -> its instances' attributes as
    #: configured (a map; a list with count, a map by key with for_each), None when unknown.
    resources: Callable[[str, str], Any] = field(default=lambda rtype, name: None)
    #: Addresses of the resources, data sources and modules the expressions read (edges).
    refs: set[str] = field(default_factory=set)
    #: ``path.cwd``: where ``terraform`` runs, the root module's directory, relative to the
    #: scan root (never the runner's absolute path: it would reach reports).
    path_cwd: str = "."
    #: ``path.module`` as Terraform gives it: relative to the root module (``path_module`` is
    #: where the files are read from).
    path_module_shown: str = "."

    def with_instance(self, each: tuple[Any, Any] | None, count_index: int | None) -> Scope:
        """This scope for one instance, recording what it reads in a set of its own."""
        return Scope(
            self.variables,
            self.locals,
            self.prefix,
            each,
            count_index,
            self.path_module,
            self.modules,
            self.bound,
            self.resources,
            path_cwd=self.path_cwd,
            path_module_shown=self.path_module_shown,
        )

    def with_bound(self, name: str, value: Any) -> Scope:
        """This scope with ``name`` bound to ``value`` (a dynamic block's iterator)."""
        scope = self.with_instance(self.each, self.count_index)
        scope.bound = {**self.bound, name: value}
        scope.refs = self.refs  # still the same expression's reads
        return scope

    def address(self, local_address: str) -> str:
        return f"{self.prefix}.{local_address}" if self.prefix else local_address


@lru_cache(maxsize=4096)
def _parse(text: str) -> Tree[Any] | None:
    """The expression tree of ``text`` (the body of ``v = <text>``), None when it does not parse."""
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


def parse_expression(text: str) -> Tree[Any] | None:
    """The expression tree of ``text`` (no ``${}``), None when it does not parse."""
    return _parse(text)


def evaluate_tree(node: Tree[Any], scope: Scope) -> Any:
    """The value of an expression tree from :func:`parse_expression`."""
    return _Evaluator(scope).eval(node, 0)


def tree_children(node: Tree[Any]) -> list[Tree[Any]]:
    """The sub-trees of ``node`` without tokens and comments."""
    return [c for c in node.children if _is_tree(c) and c.data != "new_line_or_comment"]


def _is_tree(node: Any) -> bool:
    return hasattr(node, "data") and hasattr(node, "children")


def _is_token(node: Any) -> TypeGuard[Token]:
    return isinstance(node, str) and hasattr(node, "type")


def evaluate_text(text: str, scope: Scope) -> Any:
    """The value of an expression as python-hcl2 renders it (``${...}`` or a quoted template)."""
    inner = text.strip()
    if inner.startswith("${") and inner.endswith("}") and _balanced(inner[2:-1]):
        inner = inner[2:-1]
    tree = _parse(inner)
    if tree is None:
        return UNKNOWN
    return _Evaluator(scope).eval(tree, 0)


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


class _Evaluator:
    def __init__(
        self, scope: Scope, bound: Mapping[str, Any] | None = None, budget: Budget | None = None
    ) -> None:
        self.scope = scope
        #: Work and value sizes, shared by the whole scan (hcl_budget).
        self.budget = budget if budget is not None else current_budget()
        #: Names a ``for`` expression binds (``for k, v in ...``), looked up before scopes.
        self.bound: Mapping[str, Any] = {**scope.bound, **bound} if bound else scope.bound

    def eval(self, node: Any, depth: int) -> Any:
        if depth > MAX_DEPTH:
            return UNKNOWN
        if _is_token(node):
            return UNKNOWN
        handler = getattr(self, f"_{node.data}", None)
        if handler is None:
            return UNKNOWN
        result: Any = handler(node, depth + 1)
        return result

    def _trees(self, node: Tree[Any]) -> list[Tree[Any]]:
        return [c for c in node.children if _is_tree(c) and c.data != "new_line_or_comment"]

    # -- terms ------------------------------------------------------------------------------

    def _expr_term(self, node: Tree[Any], depth: int) -> Any:
        inner = self._trees(node)
        return self.eval(inner[0], depth) if inner else UNKNOWN

    def _int_lit(self, node: Tree[Any], depth: int) -> Any:
        return int(str(node.children[0]))

    def _float_lit(self, node: Tree[Any], depth: int) -> Any:
        return _finite(float(str(node.children[0])))

    def _literal_value(self, node: Tree[Any], depth: int) -> Any:
        return {"true": True, "false": False, "null": None}.get(str(node.children[0]), UNKNOWN)

    def _string(self, node: Tree[Any], depth: int) -> Any:
        parts: list[Any] = []
        for part in node.children:
            if not _is_tree(part):
                continue
            for piece in part.children:
                if _is_token(piece):
                    if piece.type == "STRING_CHARS":
                        parts.append(_unescape(str(piece)))
                    elif piece.type in ("ESCAPED_INTERPOLATION", "ESCAPED_DIRECTIVE"):
                        parts.append(str(piece)[1:])
                elif piece.data == "interpolation":
                    inner = self._trees(piece)
                    parts.append(self.eval(inner[0], depth) if inner else UNKNOWN)
                else:  # %{if}/%{for} template directives
                    return unknown_of(*parts)
        if any(isinstance(p, Unknown) for p in parts):
            return unknown_of(*parts)
        if any(isinstance(p, dict | list) for p in parts):
            return UNKNOWN
        text = "".join(_to_string(p) for p in parts)
        return text if len(text) <= MAX_ITEMS * 10 else UNKNOWN

    def _heredoc_template(self, node: Tree[Any], depth: int) -> Any:
        raw = str(node.children[0])
        body = raw.split("\n", 1)[1] if "\n" in raw else ""
        body = body.rstrip().rsplit("\n", 1)[0] + "\n" if "\n" in body.rstrip() else ""
        return UNKNOWN if "${" in body or "%{" in body else body

    def _heredoc_template_trim(self, node: Tree[Any], depth: int) -> Any:
        import textwrap

        text = self._heredoc_template(node, depth)
        return textwrap.dedent(text) if isinstance(text, str) else text

    def _tuple(self, node: Tree[Any], depth: int) -> Any:
        items = [self.eval(c, depth) for c in self._trees(node)]
        return items if len(items) <= MAX_ITEMS and not self.budget.too_large(items) else UNKNOWN

    def _object(self, node: Tree[Any], depth: int) -> Any:
        out: dict[str, Any] = {}
        for elem in self._trees(node):
            if elem.data != "object_elem":
                continue
            key_node, value_node = self._trees(elem)[0], self._trees(elem)[-1]
            key = self._object_key(key_node, depth)
            value = self.eval(value_node, depth)
            if isinstance(key, Unknown):
                return unknown_of(key, value, *out.values())
            out[key] = value
        return UNKNOWN if self.budget.too_large(out) else out

    def _object_key(self, node: Tree[Any], depth: int) -> Any:
        inner = self._trees(node)
        if not inner:
            return str(node.children[0]) if node.children else UNKNOWN
        term = inner[0]
        # A bare identifier key (`team = ...`) is the name itself, not a variable.
        if term.data == "expr_term":
            first = self._trees(term)
            if first and first[0].data == "identifier":
                return str(first[0].children[0])
        key = self.eval(term, depth)
        return _to_string(key) if isinstance(key, str | int | float | bool) else unknown_of(key)

    def _identifier(self, node: Tree[Any], depth: int) -> Any:
        return self._traverse(str(node.children[0]), [], depth)

    # -- traversals: var.x, local.y["k"], aws_instance.gpu.id -----------------------------

    def _get_attr_expr_term(self, node: Tree[Any], depth: int) -> Any:
        return self._chain(node, depth)

    def _index_expr_term(self, node: Tree[Any], depth: int) -> Any:
        return self._chain(node, depth)

    def _full_splat_expr_term(self, node: Tree[Any], depth: int) -> Any:
        return self._splat(node, depth)

    def _attr_splat_expr_term(self, node: Tree[Any], depth: int) -> Any:
        return self._splat(node, depth)

    def _splat(self, node: Tree[Any], depth: int) -> Any:
        """``list[*].attr`` / ``list.*.attr``: the attribute of each element (a lone value
        is a list of one, null an empty list); unknown keeps the base's references."""
        base_node, splat = self._trees(node)[0], self._trees(node)[-1]
        base = self.eval(base_node, depth)
        if isinstance(base, Unknown):
            return base
        items = [] if base is None else base if isinstance(base, list) else [base]
        steps: list[Any] = []
        for step in self._trees(splat):
            if step.data == "get_attr":
                steps.append(str(self._trees(step)[0].children[0]))
            elif step.data == "index":
                steps.append(self.eval(self._trees(step)[0], depth))
            else:
                return UNKNOWN
        return [_index(item, steps) for item in items]

    def _chain(self, node: Tree[Any], depth: int) -> Any:
        """Flatten ``a.b[c].d`` into its root name and a list of steps."""
        steps: list[Any] = []
        current: Any = node
        while _is_tree(current) and current.data in (
            "get_attr_expr_term",
            "index_expr_term",
            "expr_term",
        ):
            children = self._trees(current)
            if current.data == "expr_term":
                if len(children) != 1:
                    break
                current = children[0]
                continue
            base, step = children[0], children[-1]
            if step.data == "get_attr":
                steps.append(str(self._trees(step)[0].children[0]))
            elif step.data == "short_index":
                steps.append(int(str(step.children[-1])))
            elif step.data == "braces_index":
                steps.append(self.eval(self._trees(step)[0], depth))
            else:
                return UNKNOWN
            current = base
        steps.reverse()
        if _is_tree(current) and current.data == "identifier":
            return self._traverse(str(current.children[0]), steps, depth)
        return _index(self.eval(current, depth), steps)

    def _traverse(self, root: str, steps: list[Any], depth: int) -> Any:
        if root in self.bound:
            return _index(self.bound[root], steps)
        scope = self.scope
        if root == "var" and steps and isinstance(steps[0], str):
            value = scope.variables.get(steps[0], UNKNOWN)
            return _index(value, steps[1:])
        if root == "local" and steps and isinstance(steps[0], str):
            return _index(scope.locals(steps[0]), steps[1:])
        if root == "each" and steps and scope.each is not None:
            key, value = scope.each
            return key if steps[0] == "key" else _index(value, steps[1:])
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
            value = _index(outputs, steps[1:])
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
            value = _index(configured, steps[1:]) if configured is not None else UNKNOWN
            if isinstance(value, Unknown):
                return Unknown(value.references | {address})
            return value
        return UNKNOWN

    # -- operators --------------------------------------------------------------------------

    def _conditional(self, node: Tree[Any], depth: int) -> Any:
        condition, yes, no = self._trees(node)
        test = self.eval(condition, depth)
        if isinstance(test, bool):
            return self.eval(yes if test else no, depth)
        return unknown_of(test, self.eval(yes, depth), self.eval(no, depth))

    def _binary_op(self, node: Tree[Any], depth: int) -> Any:
        left_node, term = self._trees(node)[0], self._trees(node)[1]
        operator_node, right_node = self._trees(term)[0], self._trees(term)[-1]
        left, right = self.eval(left_node, depth), self.eval(right_node, depth)
        operator = str(operator_node.children[0])
        if isinstance(left, Unknown) or isinstance(right, Unknown):
            return unknown_of(left, right)
        return _binary(operator, left, right)

    def _unary_op(self, node: Tree[Any], depth: int) -> Any:
        operator = str(node.children[0])
        value = self.eval(self._trees(node)[0], depth)
        if operator == "!" and isinstance(value, bool):
            return not value
        if operator == "-" and _is_number(value):
            return -value
        return unknown_of(value)

    # -- functions and for expressions ------------------------------------------------------

    def _function_call(self, node: Tree[Any], depth: int) -> Any:
        children = self._trees(node)
        name = str(children[0].children[0])
        arguments = next((c for c in children if c.data == "arguments"), None)
        args = [self.eval(a, depth) for a in self._trees(arguments)] if arguments else []
        expand = arguments is not None and any(
            _is_token(t) and t.type == "ELLIPSIS" for t in arguments.children
        )
        if expand and args and isinstance(args[-1], list):
            args = [*args[:-1], *args[-1]]
        function = _FUNCTIONS.get(name)
        if name == "try":
            return next((a for a in args if not contains_unknown(a)), unknown_of(*args))
        if function is None or any(isinstance(a, Unknown) for a in args):
            return unknown_of(*args)
        if self.budget.too_large(args) or amplified(name, args):
            return UNKNOWN  # too large to build safely (hcl_budget)
        if name not in STRUCTURAL and any(contains_unknown(a) for a in args):
            return unknown_of(*args)  # it would read a value known only after apply
        try:
            result = function(*args)
        except (TypeError, ValueError, KeyError, IndexError, AttributeError, OverflowError):
            return unknown_of(*args)
        return UNKNOWN if self.budget.too_large(result) else result

    def _for_tuple_expr(self, node: Tree[Any], depth: int) -> Any:
        return self._for(node, depth, object_form=False)

    def _for_object_expr(self, node: Tree[Any], depth: int) -> Any:
        return self._for(node, depth, object_form=True)

    def _for(self, node: Tree[Any], depth: int, object_form: bool) -> Any:
        parts = self._trees(node)
        intro = parts[0]
        names = [str(c.children[0]) for c in self._trees(intro) if c.data == "identifier"]
        collection_nodes = [c for c in self._trees(intro) if c.data != "identifier"]
        collection = self.eval(collection_nodes[0], depth) if collection_nodes else UNKNOWN
        condition = next((p for p in parts[1:] if p.data == "for_cond"), None)
        bodies = [p for p in parts[1:] if p.data != "for_cond"]
        grouping = any(_is_token(t) and t.type == "ELLIPSIS" for t in node.children)
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
            if condition is not None:
                test = inner.eval(self._trees(condition)[0], depth)
                if not isinstance(test, bool):
                    return unknown_of(test)
                if not test:
                    continue
            if object_form:
                k = inner.eval(bodies[0], depth)
                v = inner.eval(bodies[1], depth)
                if not isinstance(k, str | int | float | bool):
                    return unknown_of(k, v)
                if grouping:
                    out_map.setdefault(_to_string(k), []).append(v)
                else:
                    out_map[_to_string(k)] = v
            else:
                out_list.append(inner.eval(bodies[0], depth))
        result = out_map if object_form else out_list
        return UNKNOWN if self.budget.too_large(result) else result


def _index(value: Any, steps: list[Any]) -> Any:
    for step in steps:
        if isinstance(value, Unknown) or isinstance(step, Unknown):
            return unknown_of(value, step)
        if isinstance(value, dict):
            key = _to_string(step) if isinstance(step, str | int | float | bool) else None
            if key is None or key not in value:
                return UNKNOWN
            value = value[key]
        elif isinstance(value, list) and isinstance(step, int | str):
            try:
                value = value[int(step)]
            except (ValueError, IndexError):
                return UNKNOWN
        else:
            return UNKNOWN
    return value


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _to_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text
    try:
        value = json.loads(f'"{text}"')
        return value if isinstance(value, str) else text
    except ValueError:
        return text


def _finite(value: Any) -> Any:
    """JSON has no infinity or NaN: such a number is unknown, not a crash later."""
    if isinstance(value, float) and not math.isfinite(value):
        return UNKNOWN
    return value


def _binary(operator: str, left: Any, right: Any) -> Any:
    try:
        return _finite(_arithmetic(operator, left, right))
    except OverflowError:
        return UNKNOWN


def _arithmetic(operator: str, left: Any, right: Any) -> Any:
    if operator in ("==", "!="):
        equal = left == right
        return equal if operator == "==" else not equal
    if operator in ("&&", "||") and isinstance(left, bool) and isinstance(right, bool):
        return (left and right) if operator == "&&" else (left or right)
    left, right = _number(left), _number(right)
    if left is None or right is None:
        return UNKNOWN
    if operator == "+":
        return left + right
    if operator == "-":
        return left - right
    if operator == "*":
        return left * right
    if operator == "/":
        return left / right if right else UNKNOWN
    if operator == "%":
        return left % right if right else UNKNOWN
    comparisons = {"<": left < right, ">": left > right, "<=": left <= right, ">=": left >= right}
    return comparisons.get(operator, UNKNOWN)


def _number(value: Any) -> int | float | None:
    if _is_number(value):
        return value  # type: ignore[no-any-return]
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return None
        return int(number) if number.is_integer() else number
    return None


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
    return (0, _to_string(value)) if isinstance(value, str | int | float | bool) else (1, "")


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


_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "merge": _merge,
    "tomap": lambda m: dict(m) if isinstance(m, dict) else _raise(),
    "toset": _toset,
    "tolist": lambda xs: list(xs) if isinstance(xs, list) else _raise(),
    "tostring": lambda v: _to_string(v) if isinstance(v, str | int | float | bool) else _raise(),
    "tonumber": lambda v: _number(v) if _number(v) is not None else _raise(),
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
    "join": lambda sep, xs: sep.join(_to_string(x) for x in xs),
    "split": lambda sep, s: s.split(sep),
    "replace": lambda s, old, new: s.replace(old, new),
    "min": min,
    "max": max,
    "abs": abs,
    "range": _range,
    "zipmap": lambda ks, vs: dict(zip((_to_string(k) for k in ks), vs, strict=True)),
    "jsonencode": lambda v: json.dumps(v, separators=(",", ":")),
    "can": lambda v: True,
    **MORE_FUNCTIONS,
}


def _raise() -> Any:
    raise TypeError("wrong argument type")
