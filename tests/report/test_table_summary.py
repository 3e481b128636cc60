"""The table at any size: a summary row per policy, details capped per policy with a pointer
to every finding, remediation once per policy, the verdict last (issue #25)."""

from __future__ import annotations

import re

import pytest

from guardrails.cli import main
from guardrails.model import (
    Action,
    Finding,
    Graph,
    InputFile,
    Location,
    Outcome,
    Resource,
    Severity,
)
from guardrails.model import SourceFormat as Fmt
from guardrails.report import Report
from guardrails.report.table import DETAIL_LIMIT, MORE_HINT, render_table
from tests.conftest import FIXTURES

PLAN = "plan.json"
TAG_FIX = "Add the missing tags in `tags`."
GPU_FIX = "Use a cheaper GPU instance type."


def _resource(index: int, monthly: float) -> Resource:
    return Resource(
        id=f"{PLAN}#aws_instance.r{index}",
        address=f"aws_instance.r{index:05d}",
        source_format=Fmt.TERRAFORM_PLAN,
        provider="aws",
        type="aws_instance",
        name=f"r{index}",
        action=Action.CREATE,
        attributes={},
        location=Location(PLAN, index + 1),
        facts={"monthly_usd": {"desired": monthly, "max": monthly}} if monthly else {},
    )


def _finding(resource: Resource, policy: str, severity: Severity, fix: str) -> Finding:
    return Finding(
        policy=policy,
        title=f"{policy} title",
        severity=severity,
        category="tagging",
        resource=resource.address,
        resource_type=resource.type,
        message=f"{policy} message on {resource.address}",
        remediation=fix,
        location=resource.location,
        outcome=Outcome.FAIL,
    )


def big_report(n: int) -> Report:
    """``n`` untagged resources (GR-TAG-001, medium), every tenth a GPU over its ceiling
    (GR-COST-001, high) costing more the higher its index."""
    resources = [_resource(i, 1000.0 * i if i % 10 == 0 else 0.0) for i in range(n)]
    findings = [_finding(r, "GR-TAG-001", Severity.MEDIUM, TAG_FIX) for r in resources]
    findings += [_finding(r, "GR-COST-001", Severity.HIGH, GPU_FIX) for r in resources[::10]]
    graph = Graph(tuple(resources), (), (InputFile(PLAN, "terraform-plan"),))
    report = Report(graph, tuple(sorted(findings, key=lambda f: f.sort_key)), engine="python")
    return report.with_fail_on("high")


@pytest.fixture(autouse=True)
def _off_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)


def test_ten_thousand_findings_read_in_a_screenful_of_lines() -> None:
    report = big_report(5000)
    text = render_table(report, color=False)
    lines = text.splitlines()
    assert len(lines) < 80, text
    # The summary comes first: one row per policy, most severe first, with the cost at stake
    # and the costliest resources.
    assert lines[0] == "── Findings by policy: 5,500 finding(s) from 2 policies ──"
    assert re.match(r"  HIGH +GR-COST-001 +500 findings +GR-COST-001 title$", lines[1])
    assert lines[2].split() == [
        "$1,247,500,000/month",
        "at",
        "stake;",
        "resources:",
        "aws_instance.r04990,",
        "aws_instance.r04980,",
        "aws_instance.r04970,",
        "+497",
        "more",
    ]
    assert re.match(r"  MEDIUM +GR-TAG-001 +5,000 findings", lines[3])
    # Remediation once per policy, however many findings.
    assert text.count(TAG_FIX) == 1 and text.count(GPU_FIX) == 1
    # Details capped, saying how to see every finding.
    assert f"  +{5000 - DETAIL_LIMIT:,} more — {MORE_HINT}" in lines
    assert f"  +{500 - DETAIL_LIMIT:,} more — {MORE_HINT}" in lines
    assert text.count("GR-TAG-001 message on") == DETAIL_LIMIT
    # The costliest GPU comes first in its policy's details.
    details = lines.index("aws_instance.r04990  plan.json:4991")
    assert lines[details + 1] == "  GR-COST-001 message on aws_instance.r04990"
    assert lines[-1].startswith("FAIL 5000 resources from 1 input(s)")


def test_every_finding_with_no_limit_and_in_colour_the_same_layout() -> None:
    report = big_report(40)
    every = render_table(report, color=False, limit=None)
    assert every.count("GR-TAG-001 message on") == 40
    assert MORE_HINT not in every
    assert every.count(TAG_FIX) == 1
    coloured = render_table(report, color=True)
    plain = re.sub(r"\x1b\[[0-9;]*m", "", coloured)
    assert "GR-TAG-001 title: 40 findings" in plain
    assert plain.rstrip().splitlines()[-1].startswith("FAIL 40 resources")


def test_all_flag_shows_every_finding(capsys: pytest.CaptureFixture[str]) -> None:
    plan = str(FIXTURES / "terraform-plan" / "gpu_training" / "plan.json")
    args = ["check", plan, "--engine", "python", "--fail-on", "never", "--format", "table"]
    assert main(args) == 0
    capped = capsys.readouterr().out
    assert main([*args, "--all"]) == 0
    every = capsys.readouterr().out
    # Few findings per policy: nothing to cap, the same report either way.
    assert capped == every
    assert "Findings by policy" in every and MORE_HINT not in every
