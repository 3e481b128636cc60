"""What a person reads: the cost panel, waivers list, locations without lines, JSON paths."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from guardrails.cli import main
from tests.conftest import FIXTURES, ROOT

PREVIEW = FIXTURES / "pulumi" / "preview.json"
WAIVED = FIXTURES / "terraform-hcl" / "gpu_cluster"
OVERLAP = FIXTURES / "policies" / "GR-COST-007" / "deny_research_pool_possible_overlap"


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    capsys.readouterr()
    assert main(list(args)) in (0, 1)
    return capsys.readouterr().out


def test_cost_panel_keeps_a_urn_beside_its_amount(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    panel = _run(capsys, "check", str(PREVIEW)).partition("GPU cost")[2]
    lines = panel.splitlines()
    assert all(len(line) <= 80 for line in lines)
    amount = next(line for line in lines if "+$694" in line)
    assert "urn:pulumi:dev::gpu-lab::gcp:compute/instance:Instance::" in amount
    assert any(line.strip("│ ").startswith("inference") for line in lines)


def test_overlap_note_names_the_workloads(capsys: pytest.CaptureFixture[str]) -> None:
    out = _run(capsys, "cost", str(OVERLAP), "-f", "json")
    note = json.loads(out)["summary"]["coverage_note"]
    assert "possible_overlap" not in note and "(Job/research/sweep)" in note


@pytest.mark.parametrize("columns", [None, "80", "100"])
def test_waivers_list_never_breaks_a_file_name(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, columns: str | None
) -> None:
    if columns:
        monkeypatch.setenv("COLUMNS", columns)
    else:
        monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.chdir(ROOT)  # as typed from the repository root: a 45-character origin
    out = _run(capsys, "waivers", "list", str(WAIVED.relative_to(ROOT)))
    assert "fixtures/terraform-hcl/gpu_cluster/main.tf:42" in out
    if columns:
        assert all(len(line) <= int(columns) for line in out.splitlines())


def test_a_location_without_a_line_is_the_file_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "report.json"
    comment = tmp_path / "comment.md"
    table = _run(capsys, "check", str(PREVIEW), "-o", f"json={report}", "-o", f"markdown={comment}")
    assert "preview.json:1" not in table and "preview.json\n" in table
    assert "preview.json:1" not in comment.read_text()
    findings = json.loads(report.read_text())["findings"]
    assert {f["location"]["line"] for f in findings} == {None}


def test_json_paths_are_repository_relative_from_anywhere(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = FIXTURES / "terraform-plan" / "gpu_training" / "plan.json"
    monkeypatch.chdir(tmp_path)  # outside the repository, as SARIF already handles
    doc = json.loads(_run(capsys, "check", str(plan), "-f", "json"))
    assert doc["inputs"][0]["path"] == "fixtures/terraform-plan/gpu_training/plan.json"
    files = {f["location"]["file"] for f in doc["findings"]}
    assert files == {
        "fixtures/terraform-plan/gpu_training/main.tf",
        "fixtures/terraform-plan/gpu_training/modules/gpu/main.tf",
    }
