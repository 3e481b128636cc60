"""GitLab Code Quality: the report validates against the documented format, and its
fingerprints are the findings' identities (unique in one report, the same after a move)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from guardrails.cli import main
from tests.conftest import ROOT
from tests.ledger import cases
from tests.ledger.test_ledger import write_repo

SCHEMA = json.loads((ROOT / "tests" / "data" / "gitlab-codequality.schema.json").read_text())


def codequality(repo: Path, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, object]]:
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    monkeypatch.chdir(repo)
    out = repo.parent / f"{repo.name}.json"
    assert main(["check", ".", "-f", "codequality", "--fail-on", "never", "-o", str(out)]) == 0
    issues: list[dict[str, object]] = json.loads(out.read_text())
    return issues


def test_report_is_valid_and_fingerprints_survive_a_move(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = cases.deployment("llm", 2) + cases.deployment("web", 1, privileged=True)
    before = codequality(write_repo(tmp_path / "a", {"k8s/serving.yaml": text}), monkeypatch)
    after = codequality(write_repo(tmp_path / "b", {"moved/x.yaml": text}), monkeypatch)
    jsonschema.validate(before, SCHEMA)
    prints = [i["fingerprint"] for i in before]
    assert len(set(prints)) == len(prints) > 3
    assert {i["severity"] for i in before} >= {"major", "minor"}
    assert {i["location"]["path"] for i in before} == {"k8s/serving.yaml"}  # type: ignore[index]
    assert sorted(prints) == sorted(i["fingerprint"] for i in after)


def test_schema_refuses_what_gitlab_would() -> None:
    bad = [{"description": "x", "check_name": "c", "fingerprint": "f", "severity": "high"}]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, SCHEMA)
