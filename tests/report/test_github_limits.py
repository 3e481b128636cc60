"""GitHub's limits: a comment body ≤ 65,536 characters, a job summary ≤ 1 MiB, 10 error and
10 warning annotations shown per step. Every section is capped and says what was cut."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from guardrails.catalog import load_catalog
from guardrails.model import Finding, Graph, Location, Outcome, Severity
from guardrails.report import REPORTERS, Report
from guardrails.report.github import render_github
from guardrails.report.markdown import COMMENT_LIMIT, COMMENT_MARKER, SUMMARY_LIMIT
from tests.conftest import CORPUS, ROOT

CLI = (sys.executable, "-m", "guardrails.cli")
CATALOG = load_catalog()
POLICIES = sorted(CATALOG.policies.values(), key=lambda p: p.id)


def many_findings(n: int, text: str = "") -> Report:
    findings = tuple(
        Finding(
            policy=p.id,
            title=p.title,
            severity=list(Severity)[i % 4],
            category=p.category,
            resource=f"aws_instance.gpu_{i}{text}",
            resource_type="aws_instance",
            message=f"finding {i} of the load test {text}",
            remediation=p.remediation,
            location=Location(f"infra/stack_{i % 50}/main.tf", i % 400 + 1),
            outcome=Outcome.UNKNOWN if i % 17 == 0 else Outcome.FAIL,
        )
        for i, p in ((i, POLICIES[i % len(POLICIES)]) for i in range(n))
    )
    return Report(graph=Graph(), findings=findings, engine="python", catalog=CATALOG, root=ROOT)


@pytest.mark.parametrize(("n", "text"), [(5_000, ""), (300, "x" * 20_000), (1, "y" * 200_000)])
def test_comment_fits_and_every_section_says_what_was_cut(n: int, text: str) -> None:
    report = many_findings(n, text).with_fail_on("high")
    body = REPORTERS["markdown"](report, False)
    assert len(body) <= COMMENT_LIMIT
    assert body.startswith("## ")
    assert body.rstrip("\n").endswith(COMMENT_MARKER)
    if n > 1:
        more = re.findall(r"\+(\d+) more, full report in the job summary", body)
        categories = {f.category for f in report.findings}
        assert len(more) >= 1 + len(categories)  # the table and each category's details


def test_job_summary_fits_in_what_is_left_of_one_mebibyte(tmp_path: Path) -> None:
    report = many_findings(5_000).with_fail_on("high")
    from guardrails.report.markdown import render_markdown

    summary = render_markdown(
        report, limit=SUMMARY_LIMIT, table_rows=1_000, details=1_000, in_bytes=True, marker=False
    )
    assert len(summary.encode()) <= SUMMARY_LIMIT
    assert summary.count("| 🟥") + summary.count("| 🟧") > 100  # far more than the comment
    assert COMMENT_MARKER not in summary


def test_annotations_most_severe_first_within_what_github_shows() -> None:
    report = many_findings(5_000).with_fail_on("high")
    lines = render_github(report).splitlines()
    kinds = [line[2 : line.index(" ")] for line in lines]
    assert kinds.count("error") == 10 and kinds.count("warning") == 10
    assert kinds.count("notice") <= 10
    assert all("[critical]" in line for line in lines if line.startswith("::error"))
    totals = lines[-1]
    assert totals.startswith("::notice title=guardrails::")
    assert "1250 critical" in totals and "more not shown as annotations" in totals


def test_cli_step_summary_and_outputs_respect_the_limits(tmp_path: Path) -> None:
    """5,000 GPU jobs through the CLI: the summary ≤ 1 MiB, the comment file ≤ 65,536."""
    manifest = tmp_path / "jobs.yaml"
    job = (
        "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: job-{i}\nspec:\n  template:\n"
        "    spec:\n      containers:\n        - name: t\n          image: x\n"
        "          resources:\n            requests:\n              nvidia.com/gpu: 1\n"
    )
    manifest.write_text("---\n".join(job.format(i=i) for i in range(5_000)))
    summary, outputs, comment = tmp_path / "summary.md", tmp_path / "out", tmp_path / "c.md"
    summary.write_text("earlier step\n")
    env = {"GITHUB_STEP_SUMMARY": str(summary), "GITHUB_OUTPUT": str(outputs), "PATH": ""}
    result = subprocess.run(
        [
            *CLI,
            "check",
            str(manifest),
            "-f",
            "github",
            f"--output=markdown={comment}",
            "--root",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    assert result.returncode == 1, result.stderr
    assert len(summary.read_bytes()) <= SUMMARY_LIMIT
    assert summary.read_text().startswith("earlier step\n## ❌ guardrails:")
    assert len(comment.read_text()) <= COMMENT_LIMIT
    findings = int(re.search(r"findings=(\d+)", outputs.read_text())[1])  # type: ignore[index]
    assert findings >= 5_000
    assert len(result.stdout.splitlines()) <= 21


@pytest.mark.skipif(not CORPUS.exists(), reason="../shared/corpus is not beside the clone")
def test_whole_corpus_comment_fits() -> None:
    manifest = json.loads((CORPUS / "manifest.json").read_text())["files"]
    valid = [
        str(CORPUS / e["local_path"]) for e in manifest if not e["parse"].startswith("INVALID")
    ]
    result = subprocess.run(
        [*CLI, "check", *valid, "-f", "markdown", "--fail-on", "never", "--skip-unrecognized"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert len(result.stdout) <= COMMENT_LIMIT
    assert "more, full report in the job summary" in result.stdout
