"""The typed input contract (guardrails.model.contract) matches the JSON Schema and what
enrichment really writes, so the TypedDicts cannot drift from either."""

from __future__ import annotations

import json
from typing import Any, get_type_hints

import pytest

from guardrails.errors import InputError
from guardrails.model import contract
from tests.conftest import ROOT
from tests.sweep import Sweep, real_inputs

SCHEMA = json.loads((ROOT / "guardrails" / "schemas" / "graph-input.schema.json").read_text())

SHAPES: list[tuple[str, type[Any], dict[str, Any]]] = [
    ("input", contract.InputDocument, SCHEMA),
    ("resource", contract.ResourceDoc, SCHEMA["$defs"]["resource"]),
    ("workload", contract.Workload, SCHEMA["$defs"]["workload"]),
    ("pod_template", contract.PodTemplate, SCHEMA["$defs"]["pod_template"]),
    ("container", contract.Container, SCHEMA["$defs"]["container"]),
]


@pytest.mark.parametrize(("name", "shape", "schema"), SHAPES, ids=[s[0] for s in SHAPES])
def test_typed_dicts_name_the_schema_properties(
    name: str, shape: type[Any], schema: dict[str, Any]
) -> None:
    assert set(get_type_hints(shape)) == set(schema["properties"]), name
    required = set(schema.get("required", []))
    # A key the schema requires is required in the type; a key the type leaves optional is
    # optional in the schema too (the type may require more: what to_input always writes).
    assert shape.__required_keys__ >= required, f"{name}: schema-required keys are optional"
    assert not shape.__optional_keys__ & required, name


def test_facts_are_what_enrichment_writes(sweep: Sweep) -> None:
    """Every resource of every fixture (the session's memoised documents) carries exactly the
    facts the Facts type names."""
    keys = set(get_type_hints(contract.Facts))
    seen = 0
    for path in real_inputs():
        try:
            doc, _ = sweep.input(path)
        except InputError:
            continue  # a malformed input case: no document
        for resource in doc["resources"]:
            seen += 1
            assert set(resource["facts"]) == keys, resource["id"]
            assert set(resource["facts"]["neighbors"]) == {"in", "out"}
            assert all(isinstance(v, str) for v in resource["facts"]["tags"].values())
    assert seen > 100


def test_enrichment_keeps_string_tags_only() -> None:
    """facts.tags holds strings only, so no policy checks a tag value's type (a number in a
    plan's tags is no tag, on every engine alike)."""
    from guardrails.enrich.tags import canonical_tags

    tags, keys = canonical_tags({"team": 5, "Owner": "alice", "cost": None}, {})  # type: ignore[dict-item]
    assert tags == {"owner": "alice"}
    assert keys == {"owner": "Owner"}
