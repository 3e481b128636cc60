"""Reports through the command line: colours, progress, several formats from one run."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ROOT

PLAN = FIXTURES / "terraform-plan" / "gpu_training" / "plan.json"
ESC = "\x1b["


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "GITHUB_STEP_SUMMARY")}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "guardrails.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=full_env,
        cwd=ROOT,
    )


def run_on_tty(*args: str, env: dict[str, str]) -> str:
    """Run with stdout on a pseudo-terminal and return what the terminal received."""
    leader, follower = pty.openpty()
    full_env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    full_env.update(env)
    process = subprocess.Popen(
        [sys.executable, "-m", "guardrails.cli", *args],
        stdout=follower,
        stderr=subprocess.DEVNULL,
        env=full_env,
        cwd=ROOT,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    process.wait(timeout=300)
    os.close(leader)
    return b"".join(chunks).decode("utf-8", "replace")


def test_terminal_gets_colours_but_no_color_and_pipes_do_not() -> None:
    args = ("check", "--fail-on", "never", str(PLAN))
    assert ESC in run_on_tty(*args, env={"TERM": "xterm-256color"})
    assert ESC not in run_on_tty(*args, env={"TERM": "xterm-256color", "NO_COLOR": "1"})
    piped = run(*args)
    assert piped.returncode == 0, piped.stderr
    assert ESC not in piped.stdout and ESC not in piped.stderr
    assert "HIGH" in piped.stdout and "GPU cost" in piped.stdout


def test_several_formats_from_one_run(tmp_path: Path) -> None:
    outputs = {
        "json": tmp_path / "r.json",
        "sarif": tmp_path / "r.sarif",
        "junit": tmp_path / "r.xml",
        "markdown": tmp_path / "r.md",
        "github": tmp_path / "r.txt",
    }
    args = [f"--output={fmt}={path}" for fmt, path in outputs.items()]
    result = run("check", str(PLAN), "--fail-on", "high", *args)
    assert result.returncode == 1, result.stderr
    report = json.loads(outputs["json"].read_text())
    sarif = json.loads(outputs["sarif"].read_text())
    junit = ET.parse(outputs["junit"]).getroot()
    assert len(sarif["runs"][0]["results"]) == report["summary"]["findings"] == 19
    assert int(junit.get("failures", "0")) == 19
    github = outputs["github"].read_text().splitlines()
    errors = sum(1 for line in github if line.startswith("::error "))
    warnings = sum(1 for line in github if line.startswith("::warning "))
    assert (errors, warnings) == (3, 10)  # 16 medium/low warnings: GitHub shows 10 per step
    assert github[-1].startswith("::notice title=guardrails::") and "6 more not shown" in github[-1]
    assert outputs["markdown"].read_text().startswith("## ❌ guardrails: 3 finding(s)")
    assert oct(outputs["json"].stat().st_mode & 0o777) != oct(0o600)


def test_github_format_appends_the_step_summary(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("previous step\n")
    result = run(
        "check",
        str(PLAN),
        "--format",
        "github",
        "--fail-on",
        "never",
        env={"GITHUB_STEP_SUMMARY": str(summary)},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("::error file=fixtures/terraform-plan/gpu_training/main.tf,")
    text = summary.read_text()
    assert text.startswith("previous step\n## ✅ guardrails:")
    assert "+$12,031/month GPU" in text


def test_unwritable_step_summary_is_a_clean_error(tmp_path: Path) -> None:
    result = run(
        "check",
        str(PLAN),
        "--format",
        "github",
        env={"GITHUB_STEP_SUMMARY": str(tmp_path / "missing" / "summary.md")},
    )
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and "Traceback" not in result.stderr


def test_two_thousand_files_show_progress_and_finish(tmp_path: Path) -> None:
    for i in range(2000):
        (tmp_path / f"cm{i:04d}.yaml").write_text(
            f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c{i}\n  namespace: ml-dev\n"
        )
    out = tmp_path / "report.json"
    result = run("check", str(tmp_path), "--progress", "-f", "json", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "progress: 1000 files read" in result.stderr
    assert "progress: 2000 files read\n" in result.stderr
    assert json.loads(out.read_text())["summary"]["resources"] == 2000


@pytest.mark.parametrize("fmt", ["table", "json", "markdown"])
def test_cost_command(fmt: str) -> None:
    result = run("cost", "--format", fmt, str(PLAN))
    assert result.returncode == 0, result.stderr
    if fmt == "json":
        doc = json.loads(result.stdout)
        assert doc["summary"]["monthly_usd_delta"] == pytest.approx(12031.0, abs=1)
        notebook = next(r for r in doc["resources"] if r["address"] == "aws_instance.notebook")
        assert notebook["action"] == "replace"
        assert notebook["monthly_usd_before"] < notebook["monthly_usd"]["desired"]
    else:
        assert "+$12,031/month" in result.stdout
        assert "module.gpu.aws_instance.trainer[0]" in result.stdout


def test_cost_command_bad_input_is_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    result = run("cost", str(bad))
    assert result.returncode == 2
    assert str(bad) in result.stderr and "Traceback" not in result.stderr


def test_progress_names_each_stage_of_a_scan(tmp_path: Path) -> None:
    """One big file is one 'file read': the stages after it say that work goes on."""
    out = tmp_path / "report.json"
    result = run("check", str(PLAN), "--progress", "-f", "json", "-o", str(out))
    assert result.returncode in (0, 1), result.stderr
    resources = json.loads(out.read_text())["summary"]["resources"]
    stages = [line for line in result.stderr.splitlines() if line.startswith("progress: ")]
    assert stages == [
        "progress: 1 files read",
        f"progress: enriching {resources:,} resources",
        f"progress: evaluating the policies on {resources:,} resources",
    ]
