"""What enrichment remembers within a run changes no answer, and spares the repeated work.

The accelerator walk remembers keys, short strings and small embedded documents across the
resources of a run; tags skip ranking when no key clashes; placement reads no node group's
labels when there is no workload to place; each resource is copied once.
"""

from __future__ import annotations

import tracemalloc
from dataclasses import replace
from types import MappingProxyType
from typing import Any

import pytest

from guardrails.enrich import EnrichOptions, enrich, placement, unmodelled
from guardrails.enrich.catalog import load_gpu_catalog
from guardrails.enrich.context import EnrichContext
from guardrails.enrich.facts import _with_before, with_facts
from guardrails.enrich.sizing import Sizing
from guardrails.enrich.tags import DEFAULT_TAG_ALIASES, _ranked, alias_table, canonical_tags
from guardrails.enrich.unmodelled import AcceleratorFinder, find_accelerator
from guardrails.inputs import safe_yaml
from guardrails.model import Action, Graph, Location, Resource, SourceFormat

_NONE: frozenset[str] = frozenset()
#: (attributes, the first accelerator the walk names and where: main's answers before the
#: finder remembered anything), in the order one finder meets them: later cases repeat keys
#: and strings earlier ones taught it.
WALKS: list[tuple[dict[str, Any], tuple[str, str] | None]] = [
    ({"tolerations": [{"key": "nvidia.com/gpu"}], "name": "a"}, None),
    ({"limits": {"nvidia.com/gpu": 1}}, ('limits["nvidia.com/gpu"]', "nvidia.com/gpu")),
    ({"spec": {"tolerations": {"nvidia.com/gpu": 1}}}, None),
    ({"policy": "{}", "values": "a: 1\nb: [x]\n"}, None),
    ({"policy": "{}", "values": "a: 1\nb: [p5.48xlarge]\n"}, ("values.b[0]", "p5.48xlarge")),
    ({"values": "a: 1\nb: [p5.48xlarge]\n"}, ("values.b[0]", "p5.48xlarge")),
    (
        {"values": "a: 1\n---\nnvidia.com/gpu: 2\n"},
        ('values[1]["nvidia.com/gpu"]', "nvidia.com/gpu"),
    ),
    ({"values": "tolerations:\n- key: nvidia.com/gpu\n"}, None),
    ({"type": " p5.48xlarge ", "other": "p5.48xlarge"}, ("type", "p5.48xlarge")),
    ({7: {"Some Key": "google.com/tpu"}}, ('[7]["Some Key"]', "google.com/tpu")),
    (
        {"list": [["x", {"gpu.intel.com/i915": "1"}]]},
        ('list[0][1]["gpu.intel.com/i915"]', "gpu.intel.com/i915"),
    ),
    ({"name": "a", "labels": {"x": "y"}}, None),
]


def test_a_finder_shared_by_a_run_answers_as_a_fresh_walk() -> None:
    catalog = load_gpu_catalog()
    shared = AcceleratorFinder(catalog)
    for attributes, expected in WALKS:
        assert find_accelerator(attributes, catalog, _NONE) == expected
        assert shared.find(attributes, _NONE) == expected


def test_a_walk_stops_at_its_value_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(unmodelled, "_MAX_VALUES", 3)
    finder = AcceleratorFinder(load_gpu_catalog())
    assert finder.find({"a": 1, "b": "nvidia.com/gpu"}, _NONE) == ("b", "nvidia.com/gpu")
    assert finder.find({"a": 1, "b": 2, "c": "nvidia.com/gpu"}, _NONE) == ("c", "nvidia.com/gpu")
    assert finder.find({"a": 1, "b": 2, "c": 3, "d": "nvidia.com/gpu"}, _NONE) is None
    # A remembered embedded document is walked again, within this resource's budget: the
    # string, its document, a and b are four values.
    monkeypatch.setattr(unmodelled, "_MAX_VALUES", 4)
    assert finder.find({"v": "a: 1\nb: nvidia.com/gpu\n"}, _NONE) == ("v.b", "nvidia.com/gpu")
    assert finder.find({"x": 1, "v": "a: 1\nb: nvidia.com/gpu\n"}, _NONE) is None


def _role(name: str, policy: str = "{}") -> Resource:
    return Resource(
        id=f"x#aws_iam_role.{name}",
        address=f"aws_iam_role.{name}",
        source_format=SourceFormat.TERRAFORM_PLAN,
        provider="aws",
        type="aws_iam_role",
        name=name,
        action=Action.CREATE,
        attributes={"name": name, "assume_role_policy": policy},
    )


def test_an_embedded_document_is_parsed_once_per_run(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = safe_yaml.load_yaml  # unmodelled imports it when a string may be YAML

    def counted(path: str, text: str, max_nodes: int) -> Any:
        calls.append(text)
        return real(path, text, max_nodes)

    monkeypatch.setattr(safe_yaml, "load_yaml", counted)
    roles = [_role(f"r{i}") for i in range(50)]
    gpu = _role("gpu", '{"Statement": [{"Resource": "arn:aws:sagemaker:p5.48xlarge"}]}')
    enriched = enrich(Graph(tuple([*roles, gpu, _role("again")])), EnrichOptions())
    assert calls == ["{}", gpu.attributes["assume_role_policy"]]
    assert [r.facts["accelerator_unknown"] for r in enriched.resources] == [None] * 52


def test_no_workload_to_place_reads_no_node_group(monkeypatch: pytest.MonkeyPatch) -> None:
    read: list[str] = []
    real = placement.node_group_labels

    def counted(resource: Resource) -> Any:
        read.append(resource.id)
        return real(resource)

    monkeypatch.setattr(placement, "node_group_labels", counted)
    pool = Resource(
        id="x#aws_eks_node_group.gpu",
        address="aws_eks_node_group.gpu",
        source_format=SourceFormat.TERRAFORM_PLAN,
        provider="aws",
        type="aws_eks_node_group",
        name="gpu",
        action=Action.CREATE,
        attributes={
            "instance_types": ["p5.48xlarge"],
            "scaling_config": [{"desired_size": 1, "max_size": 2}],
        },
    )
    enriched = enrich(Graph((pool,)), EnrichOptions())
    assert enriched.resources[0].facts["is_gpu"] is True
    assert enriched.resources[0].facts["placement"] is None
    assert read == []


def test_the_copy_keeps_every_other_field() -> None:
    resource = Resource(
        id="i",
        address="a",
        source_format=SourceFormat.KUBERNETES,
        provider="kubernetes",
        type="Deployment",
        name="n",
        action=Action.UPDATE,
        attributes={"spec": {}},
        before={"spec": {"replicas": 1}},
        unknown=frozenset({"spec.replicas"}),
        labels={"team": "ml"},
        location=Location("f.yaml", 3),
        mode="managed",
        module="m",
        namespace="ns",
        workload={"pod_templates": []},
        facts={"old": True},
        unevaluated="why",
        native_type="apps/v1/Deployment",
    )
    facts = {"is_gpu": False}
    assert with_facts(resource, facts) == replace(resource, facts=facts)
    assert with_facts(resource, facts).facts is facts


@pytest.mark.parametrize(
    "labels",
    [
        {},
        {"Team": "ml", "owner": "a"},
        {"Environment": "prod", "env": "dev"},
        {"environment": "prod", "ENVIRONMENT": "dev", "stage": "qa"},
        {"stage": "qa", "env": "dev"},
        {"env": "dev", "count": 3, 4: "x"},
    ],
)
def test_tags_without_a_clash_read_as_ranked(labels: dict[Any, Any]) -> None:
    table = alias_table(DEFAULT_TAG_ALIASES)
    assert canonical_tags(labels, table) == _ranked(labels, table)
    tags, keys = canonical_tags(labels, table)
    assert list(tags) == sorted(tags) == list(keys)


def test_the_before_state_copy_keeps_every_other_field() -> None:
    resource = _role("r")
    before = {"name": "r", "assume_role_policy": "[]"}
    copied = _with_before(resource, before, frozenset(), None)
    assert copied == replace(resource, attributes=before, unknown=frozenset(), workload=None)


class _Text(str):
    """A str subclass: the screen leaves it to the walk."""


_TPU = {"nested": {"google.com/tpu": 4}}
#: (attributes, skipped top-level keys): the screen must never say "nothing" where the walk
#: finds something; each case is asked of a fresh finder and of one that has seen them all.
SCREENED: list[tuple[Any, frozenset[str]]] = [
    *((attributes, _NONE) for attributes, _ in WALKS),
    ({"metadata": _TPU, "spec": {"x": 1}}, frozenset({"metadata", "status"})),
    ({"metadata": _TPU, "spec": {"x": 1}}, _NONE),
    ({"spec": {"tolerations": [_TPU]}, "x": [1, 2.5, None, True]}, _NONE),
    ({"spec": MappingProxyType({"a": "nvidia.com/gpu"})}, _NONE),
    ({"spec": MappingProxyType({"a": "plain"})}, _NONE),
    ({"spec": [_Text("amd.com/gpu")]}, _NONE),
    ({"spec": {3: {"": "habana.ai/gaudi"}}}, _NONE),
    ({"spec": {"": {"x": "ml.p4d.24xlarge"}}}, _NONE),
    ({"values": "a:\n  b: [1, 2]\nc: gpu.nvidia.com\n"}, _NONE),
    ({"a": {"b": {"c": {"d": "nvidia-tesla-t4"}}}}, _NONE),
]


@pytest.mark.parametrize(("attributes", "skipped"), SCREENED)
def test_the_screen_answers_as_the_walk(
    attributes: Any, skipped: frozenset[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog = load_gpu_catalog()
    screened, seasoned = AcceleratorFinder(catalog), AcceleratorFinder(catalog)
    for other, other_skipped in SCREENED:
        seasoned.find(other, other_skipped)
    with monkeypatch.context() as patch:
        patch.setattr(AcceleratorFinder, "_names_none", lambda *_: False)
        walked = AcceleratorFinder(catalog).find(attributes, skipped)
    assert screened.find(attributes, skipped) == walked
    assert seasoned.find(attributes, skipped) == walked
    if walked is not None:  # the screen passes on whatever the walk would find
        assert AcceleratorFinder(catalog)._names_none(attributes, skipped) is False


def test_the_screen_leaves_a_walk_past_its_budget_to_the_walk(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(unmodelled, "_MAX_VALUES", 5)
    finder = AcceleratorFinder(load_gpu_catalog())
    assert finder._names_none({"a": [1, 2, 3]}, _NONE) is True
    assert finder._names_none({"a": [1, 2, 3, 4, 5, 6]}, _NONE) is False
    # Past the budget the walk stops before the name, so it finds nothing, as before.
    assert finder.find({"a": [1, 2, 3, 4, 5, "nvidia.com/gpu"]}, _NONE) is None


def _pool(action: Action, before: dict[str, Any] | None, unknown: frozenset[str]) -> Resource:
    return Resource(
        id="x#aws_eks_node_group.gpu",
        address="aws_eks_node_group.gpu",
        source_format=SourceFormat.TERRAFORM_PLAN,
        provider="aws",
        type="aws_eks_node_group",
        name="gpu",
        action=action,
        attributes={
            "instance_types": ["p5.48xlarge"],
            "scaling_config": [{"desired_size": 2, "max_size": 2}],
        },
        before=before,
        unknown=unknown,
    )


_ONE = {"instance_types": ["p5.48xlarge"], "scaling_config": [{"desired_size": 1, "max_size": 2}]}


@pytest.mark.parametrize(
    ("action", "before", "unknown", "sized", "ratio"),
    [
        # (before-state, what is unknown, how often sizing runs, before/after monthly cost)
        (Action.NO_OP, "same", _NONE, 1, 1.0),
        (Action.UPDATE, "same", _NONE, 1, 1.0),
        (Action.UPDATE, _ONE, _NONE, 2, 0.5),
        (Action.DELETE, _ONE, _NONE, 1, 1.0),
        (Action.UPDATE, "same", frozenset({"arn"}), 2, 1.0),
        (Action.CREATE, None, _NONE, 1, 0.0),
    ],
)
def test_an_equal_before_state_is_not_sized_again(
    action: Action,
    before: Any,
    unknown: frozenset[str],
    sized: int,
    ratio: float,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []
    real = EnrichContext.size

    def counted(self: EnrichContext, resource: Resource) -> Any:
        calls.append(resource.id)
        return real(self, resource)

    monkeypatch.setattr(EnrichContext, "size", counted)
    pool = _pool(action, None, unknown)
    pool = replace(pool, before=dict(pool.attributes) if before == "same" else before)
    facts = enrich(Graph((pool,)), EnrichOptions()).resources[0].facts
    after = facts["monthly_usd"]["desired"]
    assert len(calls) == sized
    assert facts["monthly_usd_before"] == round(after * ratio, 2)


def test_unsized_facts_read_as_an_empty_sizing_gives_them() -> None:
    """A resource no sizer models skips sizing: its facts are the same, keys in the same order."""
    role, pool = _role("r"), _pool(Action.CREATE, None, _NONE)
    module = replace(role, id="x#module.m", type="module", mode="module")
    graph = Graph((role, pool, module))
    context = EnrichContext(graph, EnrichOptions())
    assert [context.sized(r, r.is_kubernetes_object) for r in graph.resources] == [
        False,
        True,
        False,
    ]
    enriched = enrich(graph, EnrichOptions()).resources
    assert list(enriched[0].facts) == list(enriched[1].facts) == list(enriched[2].facts)
    for resource in (role, module):
        facts = enrich(Graph((resource,)), EnrichOptions()).resources[0].facts
        sizing = context.size(resource)
        assert sizing == Sizing()
        assert facts["gpu"] is None and facts["priced_items"] == [] and not facts["priced"]
        assert facts["replicas"] == {"desired": None, "max": None, "groups": None}
        assert facts["autoscaling"] == sizing.autoscaling
    assert enriched[0].facts["cloud"]["name"] == "aws"
    assert enriched[0].facts["replicas"] is not enriched[2].facts["replicas"]


def test_the_screen_holds_no_more_than_the_walk_budget() -> None:
    """Past the budget the screen gives up before queueing (main's walk bound, 97d5a83)."""
    finder = AcceleratorFinder(load_gpu_catalog())
    huge = {"data": {"numbers": list(range(unmodelled._MAX_VALUES + 1))}}
    tracemalloc.start()
    try:
        assert finder._names_none(huge, _NONE) is False
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 100_000


def test_no_budgets_gives_what_the_budget_code_would() -> None:
    # enrich.budget_facts answers for no budgets without importing the pool code: the
    # literal must stay what that code gives.
    from guardrails.enrich import budget_facts
    from guardrails.enrich.budget_proof import worst_case_summary
    from guardrails.enrich.budgets import budget_summary

    resources = [_role("a"), _role("gpu", '{"Statement": [{"Resource": "p5.48xlarge"}]}')]
    expected = {**budget_summary(resources, {}), "worst_case": worst_case_summary(resources, {})}
    assert budget_facts(resources, {}) == expected
