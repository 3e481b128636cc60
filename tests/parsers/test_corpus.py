"""Every real-world input in ../shared/corpus parses into a non-empty, schema-valid graph.

Files the corpus manifest marks as not parseable give the clean one-line InputError instead.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from guardrails.errors import InputError
from guardrails.parsers import parse_paths
from tests.conftest import CORPUS, FIXTURES, ROOT, requires_corpus

EXPECTED_FORMATS = {
    "terraform-plan": {"terraform-plan", "terraform-state"},
    "terraform-hcl": {"terraform-hcl"},
    "pulumi": {"pulumi-preview", "pulumi-state"},
    "kubernetes": {"kubernetes"},
    "gatekeeper-samples": {"kubernetes"},
}


def _manifest() -> list[dict[str, Any]]:
    return list(json.loads((CORPUS / "manifest.json").read_text())["files"])


@cache
def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads((ROOT / "guardrails" / "schemas" / "graph-input.schema.json").read_text())
    return jsonschema.Draft202012Validator(schema)


#: Valid syntax, but in no supported format (the manifest: "neither a preview nor an export").
REJECTED = {"pulumi/stratify__empty.json"}


def _expected_invalid(entry: dict[str, Any]) -> bool:
    return (
        str(entry.get("parse", "")).upper().startswith("INVALID") or entry["local_path"] in REJECTED
    )


CORPUS_FILES = (
    [pytest.param(e, id=e["local_path"]) for e in _manifest()]
    if CORPUS.exists()
    else [pytest.param({}, id="no-corpus", marks=requires_corpus)]
)


@pytest.mark.parametrize("entry", CORPUS_FILES)
def test_corpus_file(entry: dict[str, Any]) -> None:
    path = CORPUS / entry["local_path"]
    if _expected_invalid(entry):
        with pytest.raises(InputError) as info:
            parse_paths([str(path)])
        assert str(info.value).startswith(str(path))
        return
    graph = parse_paths([str(path)])
    assert graph.resources, f"{path} produced an empty graph"
    folder = entry["local_path"].split("/")[0]
    assert {i.format for i in graph.inputs} <= EXPECTED_FORMATS[folder]
    _validator().validate(json.loads(json.dumps(graph.to_input(), default=str)))


FIXTURE_FILES = sorted(
    p
    for p in FIXTURES.rglob("*")
    if p.is_file()
    and p.suffix in {".json", ".yaml", ".yml", ".tf"}
    and "invalid" not in p.parts
    and "hostile" not in p.parts  # tests/test_hostile.py: each has its own expected outcome
    and ".terraform" not in p.parts  # terraform init's work directory, read via its module call
    and p.name != "config.yaml"
)


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: str(Path(p).relative_to(FIXTURES)))
def test_fixture_graphs_match_the_schema(path: Path) -> None:
    # A .tf file is part of a module: its directory is the unit (variables.tf has no resources).
    graph = parse_paths([str(path.parent if path.suffix == ".tf" else path)])
    assert graph.resources
    _validator().validate(json.loads(json.dumps(graph.to_input(), default=str)))
