"""What enrichment remembers within a run changes no answer, and spares the repeated work.

The accelerator walk remembers keys, short strings and small embedded documents across the
resources of a run; tags skip ranking when no key clashes; placement reads no node group's
labels when there is no workload to place; each resource is copied once.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from guardrails.enrich import EnrichOptions, enrich, placement, unmodelled
from guardrails.enrich.catalog import load_gpu_catalog
from guardrails.enrich.facts import with_facts
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
