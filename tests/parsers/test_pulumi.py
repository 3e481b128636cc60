"""Pulumi preview and stack export: actions, unknowns, secrets, parents and dependencies."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guardrails.errors import InputError
from guardrails.model import REDACTED
from guardrails.parsers import parse_paths, parse_text
from tests.conftest import FIXTURES

PREVIEW = FIXTURES / "pulumi" / "preview.json"
EXPORT = FIXTURES / "pulumi" / "stack-export.json"


def resources(path: Any) -> dict[str, Any]:
    return {r.name: r for r in parse_paths([str(path)]).resources}


@pytest.mark.parametrize(
    ("name", "action", "provider", "rtype", "native"),
    [
        ("gpu-lab-dev", "no-op", "pulumi", "pulumi:pulumi:Stack", None),
        ("trainer", "create", "aws", "aws_instance", "aws:ec2/instance:Instance"),
        ("gpu", "update", "aws", "aws_eks_node_group", "aws:eks/nodeGroup:NodeGroup"),
        (
            "inference",
            "replace",
            "google",
            "google_compute_instance",
            "gcp:compute/instance:Instance",
        ),
        ("old-logs", "delete", "aws", "aws_s3_bucket", "aws:s3/bucket:Bucket"),
    ],
)
def test_preview_steps(
    name: str, action: str, provider: str, rtype: str, native: str | None
) -> None:
    resource = resources(PREVIEW)[name]
    assert (str(resource.action), resource.provider, resource.type) == (action, provider, rtype)
    assert resource.native_type == native
    assert resource.to_input()["native_type"] == (native or rtype)
    assert resource.address.startswith("urn:pulumi:dev::gpu-lab::")


def test_unknowns_secrets_and_before() -> None:
    found = resources(PREVIEW)
    trainer = found["trainer"]
    assert trainer.unknown == frozenset({"subnet_id"})
    assert trainer.attributes["subnet_id"] is None
    assert trainer.attributes["user_data"] == REDACTED
    assert trainer.labels["workload"] == "training"
    assert found["gpu"].before["instance_types"] == ["g5.xlarge"]
    assert found["old-logs"].before == {"bucket": "old-logs"}


def test_secret_plaintext_never_reaches_output() -> None:
    for path in (PREVIEW, EXPORT):
        text = json.dumps(parse_paths([str(path)]).to_input())
        assert "sk-live" not in text and "v1:abc:def" not in text


def test_edges() -> None:
    graph = parse_paths([str(PREVIEW)])
    edges = {
        (e.source.rsplit("::", 1)[1], str(e.kind), e.target.rsplit("::", 1)[1]) for e in graph.edges
    }
    assert ("trainer", "parent", "gpu-lab-dev") in edges
    assert ("trainer", "depends_on", "training") in edges
    assert ("trainer", "references", "training") in edges


def test_stack_export() -> None:
    found = resources(EXPORT)
    llm = found["llm"]
    assert str(llm.action) == "no-op" and str(llm.source_format) == "pulumi-state"
    assert llm.attributes["instance_type"] == "g6e.xlarge"
    assert found["default_6_50_0"].mode == "data"


def test_enriched_pulumi_facts() -> None:
    from guardrails.api import build_input

    doc = build_input([str(PREVIEW)])
    facts = {r["name"]: r["facts"] for r in doc["resources"]}
    assert facts["trainer"]["gpu"]["model"] == "A100"
    assert facts["gpu"]["monthly_usd_before"] < facts["gpu"]["monthly_usd"]["desired"]
    assert facts["inference"]["capacity"] == "spot"


def test_unknown_op_is_an_input_error() -> None:
    text = json.dumps({"steps": [{"op": "teleport", "urn": "urn:pulumi:a::b::c:d:e::f"}]})
    with pytest.raises(InputError, match="unknown Pulumi step op"):
        parse_text("p.json", text)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=6),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=10,
)


@settings(max_examples=150, deadline=None)
@given(
    steps=st.lists(
        st.fixed_dictionaries(
            {"op": st.sampled_from(["create", "same", "update", "x"]), "urn": st.text(max_size=20)},
            optional={"newState": _json, "oldState": _json},
        ),
        max_size=4,
    )
)
def test_random_previews_never_raise(steps: list[Any]) -> None:
    try:
        graph = parse_text("p.json", json.dumps({"steps": steps, "changeSummary": {}}))
    except InputError:
        return
    json.dumps(graph.to_input())
