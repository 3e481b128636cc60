"""GitHub annotations: where change-level findings go, and one count for notice and outputs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from guardrails.cli import main
from tests.conftest import FIXTURES

DELTA = FIXTURES / "policies" / "GR-COST-002" / "deny_ten_p4d_trainers.json"
COMPLIANT = FIXTURES / "webhook" / "gpu-pod-compliant.yaml"
PLAN = FIXTURES / "terraform-plan" / "gpu_training" / "plan.json"


def _github(capsys: pytest.CaptureFixture[str], *args: str) -> list[str]:
    capsys.readouterr()
    main(["check", "--format", "github", "--engine", "python", *args])
    return capsys.readouterr().out.splitlines()


def test_a_change_level_finding_is_a_run_annotation(capsys: pytest.CaptureFixture[str]) -> None:
    # The compliant manifest comes first: a change-level finding used to land on its line 1.
    lines = _github(capsys, str(COMPLIANT), str(DELTA))
    delta = [line for line in lines if "title=GR-COST-002" in line]
    assert delta, lines
    assert all(line.startswith("::error title=") for line in delta), delta
    assert not any("gpu-pod-compliant.yaml" in line for line in lines)


def test_notice_and_outputs_count_the_same_findings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    outputs = tmp_path / "output"
    report = tmp_path / "report.json"
    monkeypatch.setenv("GITHUB_OUTPUT", str(outputs))
    lines = _github(capsys, str(PLAN), "--changed-only", "--output", f"json={report}")
    notice = next(line for line in lines if line.startswith("::notice title=guardrails::"))
    shown = int(re.search(r"(\d+) finding\(s\)", notice).group(1))  # type: ignore[union-attr]
    written = dict(line.split("=", 1) for line in outputs.read_text().splitlines())
    summary = json.loads(report.read_text())["summary"]
    assert summary["existing"] == 1  # the plan's unchanged subnet: counted apart everywhere
    assert shown == int(written["findings"]) == summary["findings"]
    assert "1 existing" in notice
