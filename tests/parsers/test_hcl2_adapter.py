"""Pins what the terraform_hcl adapter relies on in python-hcl2: grammar rules and tokens, the
tree shape of every expression form, and how documents are rendered. A python-hcl2 upgrade that
changes one of them fails here, naming what changed, instead of turning values unknown silently.
"""

from __future__ import annotations

from importlib.metadata import version
from typing import Any

import pytest

from guardrails.parsers.terraform_hcl.adapter import documents, trees
from guardrails.parsers.terraform_hcl.adapter.trees import Kind, Node

ADAPTER = "guardrails/parsers/terraform_hcl/adapter"
HCL2 = f"python-hcl2 {version('python-hcl2')}"


def test_grammar_has_every_rule_and_token_the_adapter_reads() -> None:
    from hcl2.parser import parser

    grammar = parser()
    rules = {name for r in grammar.rules for name in (r.origin.name, r.alias) if name}
    tokens = {t.name for t in grammar.terminals}
    missing_rules = sorted(trees.RULES - rules)
    missing_tokens = sorted(trees.TOKENS - tokens)
    assert not missing_rules, f"{HCL2} has no grammar rule {missing_rules}: update {ADAPTER}"
    assert not missing_tokens, f"{HCL2} has no token {missing_tokens}: update {ADAPTER}"


def _describe(node: Node | None) -> str:
    """A node as the adapter's views see it (what the evaluator walks)."""
    if node is None:
        return "-"
    kind = trees.kind(node)
    if kind is None:
        return "?"
    if kind is Kind.TERM:
        return _describe(trees.sole(node))
    if kind in (Kind.INT, Kind.FLOAT, Kind.KEYWORD, Kind.NAME):
        return f"{kind.name.lower()} {trees.token_text(node)}"
    if kind in (Kind.HEREDOC, Kind.HEREDOC_TRIM):
        return f"{kind.name.lower()} {trees.heredoc_body(node)!r}"
    if kind is Kind.STRING:
        return "string " + " ".join(_part(p) for p in trees.string_parts(node))
    if kind is Kind.TUPLE:
        return "tuple " + ", ".join(_describe(i) for i in trees.items(node))
    if kind is Kind.OBJECT:
        return "object " + ", ".join(
            f"{_key(k)}={_describe(v)}" for k, v in trees.object_elements(node)
        )
    if kind in (Kind.ATTRIBUTE, Kind.INDEX):
        found = trees.traversal(node)
        assert found is not None
        root, steps = found
        shown = [
            s.name or (s.index if isinstance(s.index, int) else _describe(s.index)) for s in steps
        ]
        return f"traversal {root if isinstance(root, str) else _describe(root)} {shown}"
    if kind in (Kind.FULL_SPLAT, Kind.ATTR_SPLAT):
        base, names = trees.splat(node)
        return f"splat {_describe(base)} {names}"
    if kind is Kind.CONDITIONAL:
        return "if " + " / ".join(_describe(n) for n in trees.conditional(node))
    if kind is Kind.BINARY:
        left, operator, right = trees.binary(node)
        return f"({_describe(left)} {operator} {_describe(right)})"
    if kind is Kind.UNARY:
        operator, operand = trees.unary(node)
        return f"{operator}({_describe(operand)})"
    if kind is Kind.CALL:
        name, args, expand = trees.call(node)
        return f"call {name}({', '.join(_describe(a) for a in args)}{'...' if expand else ''})"
    parts = trees.for_expression(node)
    bodies = " => ".join(_describe(b) for b in parts.bodies)
    return (
        f"for {parts.names} in {_describe(parts.collection)}: {bodies}"
        f" if {_describe(parts.condition)} group={parts.grouping}"
    )


def _part(part: Any) -> str:
    if isinstance(part, str):
        return repr(part)
    if isinstance(part, trees.Interpolation):
        return "${" + _describe(part.expression) + "}"
    return "%{directive}"


def _key(key: Node) -> str:
    found = trees.object_key(key)
    return found if isinstance(found, str) else f"[{_describe(found)}]"


SHAPES = [
    ("1", "int 1"),
    ("1.5", "float 1.5"),
    ("null", "keyword null"),
    ("var.n", "traversal var ['n']"),
    ('local.m["k"].x[0]', """traversal local ['int 0', 'x', "string 'k'", 'm']"""),
    ("a.0", "traversal a [0]"),
    ("(x)", "name x"),
    ("xs[*].id", "splat name xs ['id']"),
    ("xs.*.id", "splat name xs ['id']"),
    ("xs[*][0]", "splat name xs None"),
    ('"a\\n${b}c"', "string 'a\\n' ${name b} 'c'"),
    ('"$${x} %%{y}"', "string '${x}' ' ' '%{y}'"),
    ('"%{if c}d%{endif}"', "string %{directive} 'd' %{directive}"),
    ("<<EOT\nhi\nEOT\n", "heredoc 'hi\\n'"),
    ("<<-EOT\n  hi\n  EOT\n", "heredoc_trim '  hi\\n'"),
    ("[1, x]", "tuple int 1, name x"),
    (
        '{ team = "ml", (k) = 1, "q" = 2 }',
        "object team=string 'ml', [name k]=int 1, [string 'q']=int 2",
    ),
    ("c ? 1 : 2", "if name c / int 1 / int 2"),
    ("1 + 2 * 3", "(int 1 + (int 2 * int 3))"),
    ("a == b && !c", "((name a == name b) && !(name c))"),
    ("-x", "-(name x)"),
    ("f(a, b...)", "call f(name a, name b...)"),
    ("g()", "call g()"),
    (
        '[for k, v in m : v if k != ""]',
        "for ['k', 'v'] in name m: name v if (name k != string ) group=False",
    ),
    ("{for k, v in m : k => v...}", "for ['k', 'v'] in name m: name k => name v if - group=True"),
]


@pytest.mark.parametrize(("source", "shape"), SHAPES, ids=[s for s, _ in SHAPES])
def test_expression_tree_shapes(source: str, shape: str) -> None:
    tree = trees.parse_expression(source)
    assert tree is not None, f"{HCL2} no longer parses {source!r}"
    assert _describe(tree) == shape, f"{HCL2} gives {source!r} another tree shape: update {ADAPTER}"


def test_type_constraint_object_keys() -> None:
    tree = trees.type_expression('${object({a = optional(string, "x")})}')
    call = trees.ungroup(tree)
    assert trees.kind(call) is Kind.CALL
    name, args, _ = trees.call(call)
    obj = trees.ungroup(args[0])
    keys = [trees.key_name(k) for k, _ in trees.object_elements(obj)]
    assert (name, keys) == ("object", ["a"]), f"{HCL2} renders type objects otherwise: {ADAPTER}"


DOCUMENT = """\
variable "v" {
  type      = map(string)
  sensitive = true
}
resource "aws_instance" "a" {
  count     = var.n
  tags      = { team = "ml" }
  user_data = <<EOT
hi
EOT
  root_block_device {
    size = 1
  }
  dynamic "ebs" {
    iterator = disk
    for_each = var.x
    content {
      size = disk.value
    }
  }
}
locals {
  a = 1
}
"""


def test_document_rendering() -> None:
    """How python-hcl2 renders a file: the shapes documents.py reads."""
    doc = documents.load_document("main.tf", DOCUMENT)
    raw = doc.raw
    body = raw["resource"][0]['"aws_instance"']['"a"']
    shapes = {
        "block kinds map to lists of {label: {label: body}}": isinstance(raw["resource"], list),
        "labels keep their quotes": '"v"' in raw["variable"][0],
        "expressions are wrapped in ${...}": body["count"] == "${var.n}",
        "strings keep their quotes": body["tags"] == {"team": '"ml"'},
        "heredocs are quoted with their markers": body["user_data"] == '"<<EOT\nhi\nEOT"',
        "nested blocks are lists of bodies": body["root_block_device"][0]["size"] == 1,
        "bodies carry __is_block__": body.get("__is_block__") is True,
        "literal bools are bools": raw["variable"][0]['"v"']["sensitive"] is True,
    }
    changed = [shape for shape, holds in shapes.items() if not holds]
    assert not changed, f"{HCL2} renders documents otherwise ({changed}): update {ADAPTER}"


def test_document_views() -> None:
    doc = documents.load_document("main.tf", DOCUMENT)
    [(labels, body)] = list(doc.blocks("resource", 2))
    assert labels == ("aws_instance", "a")
    assert [labels for labels, _ in doc.blocks("variable", 1)] == [("v",)]
    assert list(doc.locals()) == [("a", 1)]
    assert "__is_block__" not in documents.attributes(body)
    assert documents.literal_string(body["user_data"]) == "hi\n"
    assert documents.expression_source(body["count"]) == "var.n"
    [(name, spec)] = list(documents.dynamic_blocks(body["dynamic"]))
    assert (name, documents.bare_identifier(spec["iterator"])) == ("ebs", "disk")
    assert documents.first_block(spec["content"]) == {"size": "${disk.value}", "__is_block__": True}
    assert documents.is_true(doc.raw["variable"][0]['"v"']["sensitive"])
    assert trees.kind(trees.type_expression(doc.raw["variable"][0]['"v"']["type"])) is Kind.TERM


def test_a_syntax_error_names_line_and_column_never_the_text() -> None:
    from guardrails.errors import InputError

    with pytest.raises(InputError) as caught:
        documents.load_document("x.tf", 'a = "AKIASECRET\nb = \n')
    assert "AKIASECRET" not in str(caught.value)
    assert str(caught.value).startswith("x.tf: invalid HCL at line")
