"""Resources cut to what user Rego can read (projection) and modules compiled by reach.

The analysis is checked two ways: the paths it finds for each shape of policy (or None where
a policy may read a resource whole), and real OPA giving the same findings on the cut input
as on the whole one, over fixtures and random graphs. For the shapes that must keep whole
resources, a cut to the fields the source names is shown to change what OPA finds: the
fallback is needed, not decorative.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from guardrails.api import ScanOptions, build_input
from guardrails.bundled import bundled_policy_dir
from guardrails.engines.projection import projected, resource_paths
from guardrails.engines.reach import reached
from guardrails.engines.rego import backend_available
from guardrails.engines.rego_lexer import static_keys, tokens
from tests.conftest import FIXTURES
from tests.engines.test_parity import graphs

needs_opa = pytest.mark.skipif(
    not backend_available("opa"), reason="needs opa-golib-python-bindings (.ci/run installs it)"
)
HEAD = "package guardrails.policy.t\n\nimport rego.v1\n\n"
FINDING = 'f := {"resource": r.id, "message": sprintf("%v", [MSG])}'


def comprehension(body: str, message: str = "r.id") -> str:
    """A policy whose deny is one comprehension over the resources."""
    lines = ["deny := [f |", "\tsome r in input.resources", *(f"\t{b}" for b in body.split(";"))]
    lines.append("\t" + FINDING.replace("MSG", message))
    return HEAD + "\n".join(lines) + "\n]\n"


#: (name, Rego module, expected paths: set of dotted paths, or None = whole resources)
CASES: list[tuple[str, str, set[str] | None]] = [
    (
        "owner-tag",
        comprehension(
            'r.type == "aws_eks_node_group"; r.facts.is_gpu; not r.facts.tags.owner', "r.address"
        ),
        {"id", "address", "type", "facts.is_gpu", "facts.tags.owner"},
    ),
    (
        "string-keys",
        comprehension('r["facts"]["gpu"]["count"] > 0', 'r["facts"]["gpu"]'),
        {"id", "facts.gpu"},
    ),
    (
        "subtree-used-whole",
        comprehension("count(r.facts.tags) < 3", "r.facts.tags"),
        {"id", "facts.tags"},
    ),
    (
        "variable-key",
        comprehension('some k, _ in r.labels; startswith(k, "nvidia")', "k"),
        {"id", "labels"},
    ),
    (
        "index-and-element",
        HEAD
        + "deny := [f |\n\tsome i, r in input.resources\n\tinput.resources[i].facts.is_gpu\n"
        + '\tf := {"resource": r.id, "message": input.resources[i].address}\n]\n',
        {"id", "facts.is_gpu", "address"},
    ),
    (
        "assigned-element",
        HEAD
        + "deny := [f |\n\tr := input.resources[_]\n\tr.facts.replicas.max > 2\n"
        + '\tf := {"resource": r.id, "message": "many"}\n]\n',
        {"id", "facts.replicas.max"},
    ),
    (
        "every",
        HEAD
        + "all_priced if {\n\tevery r in input.resources {\n\t\tr.facts.priced\n\t}\n}\n"
        + comprehension("not all_priced; r.facts.is_gpu").removeprefix(HEAD),
        {"id", "facts.priced", "facts.is_gpu"},
    ),
    (
        "other-input-parts",
        comprehension("input.version; r.facts.is_gpu"),
        {"id", "facts.is_gpu"},
    ),
    (
        "wildcard",
        comprehension("r.facts.is_gpu; count([1 | some _ in input.resources]) > 1; some _ in [1]"),
        {"id", "facts.is_gpu"},
    ),
    ("keys-of-a-resource", comprehension("count(object.keys(r)) > 0", "object.keys(r)"), None),
    (
        "resource-to-a-function",
        comprehension("gpu(r)", "r.id") + "\ngpu(x) if x.facts.is_gpu\n",
        None,
    ),
    ("resource-printed", comprehension("r.facts.is_gpu", "r"), None),
    (
        "walk",
        comprehension("r.facts.is_gpu", "walked")
        + "\nwalked := count([p | walk(input, [p, _])])\n",
        None,
    ),
    (
        "element-compared-whole",
        comprehension("r != input.resources[0]", "r.id"),
        None,
    ),
    (
        "resources-aliased",
        HEAD
        + "rs := input.resources\n\n"
        + 'deny := [f |\n\tsome r in rs\n\tf := {"resource": r.id, "message": "x"}\n]\n',
        None,
    ),
    (
        "name-reused",
        comprehension("r.facts.is_gpu") + "\nsizes := [r | some r in [1, 2]]\n",
        None,
    ),
    (
        "with-input",
        comprehension("r.facts.is_gpu; n := count(q) with input.resources as []", "n")
        + "\nq := [1 | some _ in input.resources]\n",
        None,
    ),
]


#: Cases where a cut to the paths named on ``r`` changes what OPA finds on the fixtures.
OBSERVE_WHOLE = {"keys-of-a-resource", "resource-to-a-function", "resource-printed", "walk"}


def _paths(expected: set[str] | None) -> frozenset[tuple[str, ...]] | None:
    return None if expected is None else frozenset(tuple(p.split(".")) for p in expected)


@pytest.mark.parametrize(("name", "module", "expected"), CASES, ids=[c[0] for c in CASES])
def test_paths_a_policy_can_read(name: str, module: str, expected: set[str] | None) -> None:
    assert resource_paths([(f"{name}.rego", module)]) == _paths(expected)


def test_projection_keeps_subtrees_and_shapes() -> None:
    doc = {
        "version": 1,
        "edges": [1],
        "resources": [
            {"id": "a", "facts": {"tags": {"owner": "x", "b": 1}, "gpu": 2}, "big": "..."},
            {"id": "b", "facts": [1, 2]},
            {"x": 1},
        ],
    }
    paths = frozenset({("id",), ("facts", "tags"), ("facts", "tags", "owner"), ("facts", "no")})
    assert projected(doc, paths) == {
        "version": 1,
        "edges": [1],
        "resources": [
            {"id": "a", "facts": {"tags": {"owner": "x", "b": 1}}},
            {"id": "b", "facts": [1, 2]},
            {},
        ],
    }
    assert projected(doc, None) is doc


def _named_paths(module: str) -> frozenset[tuple[str, ...]]:
    """What a careless cut would keep: the static paths on ``r``, not what reaches ``r``
    through a function, a builtin or the whole value."""
    toks = list(tokens(module))
    found = set()
    for at, token in enumerate(toks):
        if token.text == "r" and not (at and toks[at - 1].text == "."):
            keys, _ = static_keys(toks, at + 1)
            if keys:
                found.add(tuple(keys))
    return frozenset(found)


@cache
def _fixture_docs() -> list[dict[str, Any]]:
    paths = [
        FIXTURES / "terraform-plan" / "gpu_training" / "plan.json",
        FIXTURES / "kubernetes" / "ai-crds.yaml",
        FIXTURES / "pulumi",
    ]
    return [build_input([str(p)], ScanOptions(no_config=True)) for p in paths]


@cache
def _opa(module: str) -> Any:
    from opa_bindings import OpaEngine

    engine = OpaEngine()  # one compiled engine per module for the session (closed at exit)
    engine.add_policy("t.rego", module)
    return engine


def _opa_deny(module: str, doc: dict[str, Any]) -> Any:
    from opa_bindings import OpaUndefinedError

    try:
        return _opa(module).eval_query("x := data.guardrails.policy.t.deny", input=doc)
    except OpaUndefinedError:
        return None


@needs_opa
@pytest.mark.parametrize(("name", "module", "expected"), CASES, ids=[c[0] for c in CASES])
def test_real_opa_finds_the_same_on_the_cut_input(
    name: str, module: str, expected: set[str] | None
) -> None:
    paths = resource_paths([(f"{name}.rego", module)])
    wholes = [_opa_deny(module, doc) for doc in _fixture_docs()]
    for doc, whole in zip(_fixture_docs(), wholes, strict=True):
        assert _opa_deny(module, projected(doc, paths)) == whole
    if name in OBSERVE_WHOLE:
        # the careless cut would change the findings somewhere: whole resources are needed
        assert any(
            _opa_deny(module, projected(doc, _named_paths(module))) != whole
            for doc, whole in zip(_fixture_docs(), wholes, strict=True)
        )


@needs_opa
@settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(doc=graphs())
def test_cut_input_gives_the_same_findings_on_random_graphs(doc: dict[str, Any]) -> None:
    for name, module, expected in CASES:
        if expected is None:
            continue
        cut = projected(doc, resource_paths([(f"{name}.rego", module)]))
        assert _opa_deny(module, cut) == _opa_deny(module, doc), name
        assert len(json.dumps(cut)) <= len(json.dumps(doc))


def _bundled_sources() -> list[tuple[str, str]]:
    return [
        (str(p), p.read_text(encoding="utf-8"))
        for p in sorted(bundled_policy_dir().rglob("*.rego"))
        if not p.name.endswith("_test.rego")
    ]


@pytest.mark.parametrize(
    ("module", "expected"),
    [
        (comprehension("r.facts.is_gpu"), set()),
        (
            "package guardrails.policy.t\n\nimport data.guardrails.lib.util\n\n"
            "deny := [x | some x in input.resources; util.live(x)]\n",
            {"util.rego"},
        ),
        ("package guardrails.lib.util\n\nextra := 1\n", {"util.rego"}),
        ("package guardrails.policy.t\n\nx := data.guardrails.lib\n", {"util.rego", "money.rego"}),
        ("package guardrails.policy.t\n\nx := data[y]\n", {"*"}),
        ("package guardrails.policy.t\n\nx := data.guardrails.policy.gr_tag_001.deny\n", None),
    ],
)
def test_user_modules_compile_with_what_they_reach(module: str, expected: set[str] | None) -> None:
    bundled = _bundled_sources()
    got = reached([("user.rego", module)], bundled)
    assert got[0] == ("user.rego", module)
    names = {Path(name).name for name, _ in got[1:]}
    if expected == {"*"}:
        assert len(got) == len(bundled) + 1
    elif expected is None:  # a bundled policy and what it imports
        assert "gr_tag_001.rego" in names and "util.rego" in names
        assert "gr_cost_001.rego" not in names
    else:
        lib = {n for n in names if n in ("util.rego", "money.rego")}
        assert lib >= expected and not {n for n in names if n.startswith("gr_")}
        if not expected:
            assert names == set()


def test_the_child_gets_cut_resources_and_only_reached_modules(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What crosses to the sandbox child for a path-only rule: the paths, and no bundled
    policy module (the whole input and library before)."""
    from guardrails.catalog import load_catalog
    from guardrails.config import load_config
    from guardrails.engines import rego
    from guardrails.engines.rego import RegoEngine
    from tests.engines.test_user_policies import USER

    backend = next(b for b in ("opa", "regopy") if backend_available(b))
    sent: dict[str, Any] = {}

    def capture(*args: Any) -> dict[str, Any]:
        sent["sources"], sent["input"] = args[1], args[3]
        return {}

    monkeypatch.setattr(rego, "evaluate_isolated", capture)
    doc = _fixture_docs()[1]
    RegoEngine(backend).evaluate(doc, load_config(None).for_policies(), load_catalog((USER,)))
    assert [Path(name).name for name, _ in sent["sources"]] == ["notebook_gpus.rego"]
    kept = {"id", "address", "facts"}
    assert all(set(r) <= kept for r in sent["input"]["resources"])
    assert all(
        set(r.get("facts", {})) <= {"workload_class", "gpu"} for r in sent["input"]["resources"]
    )
    assert len(sent["input"]["resources"]) == len(doc["resources"])
