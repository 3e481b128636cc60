"""The command line: exit codes, formats, stdin, errors on stderr, atomic output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from guardrails.cli import main
from tests.conftest import CORPUS, FIXTURES, requires_corpus

PLAN = FIXTURES / "terraform-plan" / "gpu_training" / "plan.json"


def run(
    *args: str, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "guardrails.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def test_check_json_contract(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    assert main(["check", str(PLAN), "--format", "json", "--output", str(out)]) in (0, 1)
    doc = json.loads(out.read_text())
    assert doc["version"] == 1
    assert doc["tool"]["name"] == "guardrails"
    assert doc["inputs"] == [
        {"path": "fixtures/terraform-plan/gpu_training/plan.json", "format": "terraform-plan"}
    ]
    assert doc["summary"]["resources"] == 8
    assert set(doc["summary"]["by_severity"]) == {"critical", "high", "medium", "low"}
    assert isinstance(doc["findings"], list)


def test_stdin_and_graph_json() -> None:
    result = run("graph", "-", stdin=PLAN.read_text())
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["inputs"][0] == {"path": "<stdin>", "format": "terraform-plan", "notes": []}
    assert len(doc["resources"]) == 8


def test_graph_table_lists_module_parent() -> None:
    result = run("graph", "--format", "table", str(PLAN))
    assert result.returncode == 0, result.stderr
    assert "module.gpu.aws_instance.trainer[0]" in result.stdout
    assert "parent" in result.stdout
    assert "\x1b[" not in result.stdout


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["check", "does-not-exist.json"], "does-not-exist.json: no such file or directory"),
        pytest.param(
            ["check", str(CORPUS / "pulumi" / "stratify__bad.json")],
            "stratify__bad.json: malformed JSON",
            marks=requires_corpus,
        ),
        (["check", "--fail-on", "sometimes", str(PLAN)], "Invalid value for '--fail-on'"),
        (["check", str(PLAN), "--output", "/nonexistent-dir/r.json"], "output directory"),
    ],
)
def test_errors_exit_2_without_traceback(args: list[str], fragment: str) -> None:
    result = run(*args)
    assert result.returncode == 2
    assert fragment in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_failed_run_does_not_touch_existing_output(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    out.write_text("previous report")
    assert (
        main(["check", str(tmp_path / "missing.json"), "--format", "json", "--output", str(out)])
        == 2
    )
    assert out.read_text() == "previous report"


def test_no_color_and_non_tty_output_is_plain() -> None:
    result = run("check", str(PLAN), env={"NO_COLOR": "1", "PATH": ""})
    assert result.returncode in (0, 1)
    assert "\x1b[" not in result.stdout
    assert "resources from 1 input(s)" in result.stdout


def test_version() -> None:
    result = run("--version")
    assert result.returncode == 0 and result.stdout.startswith("guardrails ")


REQUIRED = (
    "policy",
    "title",
    "severity",
    "category",
    "resource",
    "resource_type",
    "message",
    "remediation",
    "outcome",
    "fingerprint",
)


def _assert_filled(doc: dict[str, object]) -> None:
    findings = doc["findings"]
    assert isinstance(findings, list)
    for finding in findings:
        for key in REQUIRED:
            assert finding[key] not in (None, ""), (key, finding)
        assert finding["location"]["file"], finding


def check_json(paths: list[Path], out: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    """Run ``check -f json`` in process; the exit code and the report (empty on exit 2)."""
    code = main(
        ["check", *map(str, paths), "-f", "json", "-o", str(out), "--fail-on", "never", *extra]
    )
    return code, (json.loads(out.read_text()) if code != 2 else {})


def test_check_fixtures_gives_findings_with_every_field(tmp_path: Path) -> None:
    inputs = [FIXTURES / "kubernetes", FIXTURES / "pulumi", FIXTURES / "terraform-hcl", PLAN]
    code, doc = check_json(inputs, tmp_path / "r.json")
    assert code == 0
    assert len(doc["findings"]) > 50
    _assert_filled(doc)
    assert {f["category"] for f in doc["findings"]} == {
        "cost",
        "spot",
        "tagging",
        "security",
        "input",
    }


@pytest.mark.skipif(not CORPUS.exists(), reason="../shared/corpus is not beside the clone")
def test_check_corpus_files_give_complete_findings(tmp_path: Path) -> None:
    manifest = json.loads((CORPUS / "manifest.json").read_text())["files"]
    total = 0
    for entry in manifest:
        code, doc = check_json(
            [CORPUS / entry["local_path"]], tmp_path / "r.json", "--engine", "python"
        )
        if code == 2:
            continue  # the malformed files the manifest marks; covered by the parser tests
        _assert_filled(doc)
        total += len(doc["findings"])
    assert total > 100
