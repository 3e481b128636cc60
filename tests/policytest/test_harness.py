"""The ``guardrails test`` harness in process: case layout, expectations, verdicts, reports.

Verdicts are judged on the memoised default-engine scans of the bundled fixtures (tests/sweep.py);
the CLI on user policies and every engine is tests/policytest/test_cli_test.py (integration).
"""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from guardrails.engines.unit_tests import discover
from guardrails.errors import ConfigError
from guardrails.policytest.cases import Case, find_cases, judge
from guardrails.policytest.harness import EngineChoice, run_case
from guardrails.policytest.render import render_json, render_junit, render_table
from guardrails.policytest.results import Kind, PolicyTestResult, Status, TestRun
from guardrails.policytest.unit import rego_test_files
from tests.conftest import FIXTURES
from tests.sweep import Sweep

COST_004 = FIXTURES / "policies" / "GR-COST-004"
UNKNOWN_ASG = COST_004 / "deny_asg_max_unknown_until_apply.json"
NODE_GROUP_40 = COST_004 / "deny_node_group_max_40.json"
DEFAULT = EngineChoice("default", "auto", None)


def _judge(sweep: Sweep, case: Case) -> tuple[bool, str]:
    verdict = judge(case, sweep.scan(case.path, case.config))
    return verdict.passed, verdict.detail


EXACT_CASES = [
    # (file, exact expectation, passes, detail contains)
    (NODE_GROUP_40, (("GR-COST-004", "fail", "aws_eks_node_group.gpu"),), True, ""),
    (
        NODE_GROUP_40,
        (("GR-COST-004", "unknown", "aws_eks_node_group.gpu"),),
        False,
        "missing GR-COST-004 unknown aws_eks_node_group.gpu; "
        "unexpected GR-COST-004 fail aws_eks_node_group.gpu",
    ),
    (NODE_GROUP_40, (), False, "unexpected GR-COST-004 fail aws_eks_node_group.gpu"),
    (
        NODE_GROUP_40,
        (
            ("GR-COST-004", "fail", "aws_eks_node_group.gpu"),
            ("GR-SPOT-001", "fail", "aws_eks_node_group.gpu"),
        ),
        True,
        "",
    ),
    (
        UNKNOWN_ASG,
        (("GR-COST-004", "unknown", "aws_autoscaling_group.trainers"),),
        True,
        "",
    ),
]


@pytest.mark.parametrize(("path", "exact", "passes", "detail"), EXACT_CASES)
def test_exact_expectations_compare_policy_outcome_and_resource(
    sweep: Sweep, path: Path, exact: tuple[tuple[str, str, str], ...], passes: bool, detail: str
) -> None:
    case = Case("GR-COST-004", path, None, exact)
    assert _judge(sweep, case) == (passes, detail)


def test_prefix_verdicts(sweep: Sweep, tmp_path: Path) -> None:
    """deny_: at least one finding (unknown when named so); allow_: none."""
    assert _judge(sweep, Case("GR-COST-004", NODE_GROUP_40, None)) == (True, "")
    assert _judge(sweep, Case("GR-COST-004", UNKNOWN_ASG, None)) == (True, "")
    assert _judge(sweep, Case("GR-SEC-001", NODE_GROUP_40, None)) == (
        False,
        "GR-SEC-001 should deny it",
    )
    named_unknown = tmp_path / "deny_unknown_max.json"
    shutil.copy(NODE_GROUP_40, named_unknown)
    assert _judge(sweep, Case("GR-COST-004", named_unknown, None)) == (
        False,
        "GR-COST-004 should find a value unknown until apply",
    )
    allow = tmp_path / "allow_big.json"
    shutil.copy(NODE_GROUP_40, allow)
    assert _judge(sweep, Case("GR-COST-004", allow, None)) == (
        False,
        "GR-COST-004 should allow it",
    )


def test_a_failing_case_reports_expected_and_actual(sweep: Sweep) -> None:
    case = Case("GR-COST-004", NODE_GROUP_40, None, ())
    result = run_case(case, DEFAULT, lambda c, _: sweep.scan(c.path, c.config))
    assert result.status == Status.FAIL
    assert result.expected == ("(no finding)",)
    assert result.actual and result.actual[0].startswith(
        "GR-COST-004 fail aws_eks_node_group.gpu: "
    )
    table = render_table(TestRun((result,), (result.engine,)))
    assert "expected:" in table and "actual:" in table and "GR-COST-004 fail" in table


def _case_dir(tmp_path: Path, expect: str | None) -> Path:
    folder = tmp_path / "cases" / "GR-COST-004"
    folder.mkdir(parents=True)
    shutil.copy(NODE_GROUP_40, folder / "deny_big.json")
    if expect is not None:
        (folder / "expect.yaml").write_text(expect)
    return tmp_path / "cases"


def test_expect_file_is_read(tmp_path: Path) -> None:
    root = _case_dir(
        tmp_path, "deny_big.json:\n  - resource: aws_eks_node_group.gpu\n    outcome: unknown\n"
    )
    [case] = find_cases(root)
    assert case.exact == (("GR-COST-004", "unknown", "aws_eks_node_group.gpu"),)
    assert case.name == "GR-COST-004/deny_big.json" and case.config is None


@pytest.mark.parametrize(
    ("expect", "message"),
    [
        ("deny_other.json: none\n", "names deny_other.json, which is no case"),
        ("deny_big.json:\n  - outcome: fail\n", "each finding needs a resource"),
        ("deny_big.json:\n  - resource: x\n    outcome: pass\n", "outcome must be fail or unknown"),
        ("deny_big.json:\n  - resource: x\n    severity: high\n", "unknown key severity"),
        ("deny_big.json: 3\n", "must be a list of findings or none"),
        ("- a\n", "must map case names"),
        ("deny_big.json: [\n", "malformed YAML"),
    ],
)
def test_a_bad_expect_file_is_one_error_naming_it(
    tmp_path: Path, expect: str, message: str
) -> None:
    root = _case_dir(tmp_path, expect)
    with pytest.raises(Exception, match=message) as raised:
        find_cases(root)
    assert "expect.yaml" in str(raised.value)
    assert isinstance(raised.value, ConfigError) or "malformed" in message


def test_unit_tests_are_found_by_their_rule_heads(tmp_path: Path) -> None:
    source = (
        "package guardrails.policy.acme_test\n\nimport rego.v1\n\n"
        'fixture := {"test_not_a_rule": 1}\n\n'
        "test_a if {\n\ttrue\n}\n\ntest_a if {\n\tfalse\n}\n\n"
        "todo_test_later if {\n\tfalse\n}\n\n"
        "test_b := true\n"
    )
    found = discover("x_test.rego", source)
    assert [(t.name, t.line, t.ref) for t in found] == [
        ("test_a", 7, "data.guardrails.policy.acme_test.test_a"),
        ("todo_test_later", 15, "data.guardrails.policy.acme_test.todo_test_later"),
        ("test_b", 19, "data.guardrails.policy.acme_test.test_b"),
    ]
    (tmp_path / "a_test.rego").write_text(source)
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "b_test.rego").write_text(source)
    (tmp_path / "policy.rego").write_text("package x\n")
    assert rego_test_files([tmp_path]) == [tmp_path / "a_test.rego"]


def _sample_run() -> TestRun:
    rows = (
        PolicyTestResult(Kind.UNIT, "data.p_test.test_ok", "rego/opa-lib", Status.PASS, "p_test.rego", 3),
        PolicyTestResult(
            Kind.UNIT, "data.p_test.test_bad", "rego/opa-lib", Status.FAIL, "p_test.rego", 9,
            detail="undefined",
        ),
        PolicyTestResult(
            Kind.CASE, "ACME-1/deny_x.yaml", "rego/regopy", Status.ERROR, "cases/ACME-1/deny_x.yaml",
            detail="boom\x1b[31m <&>", expected=("ACME-1 finding",), actual=("(no finding)",),
        ),
        PolicyTestResult(Kind.UNIT, "data.p_test.todo_test_x", "rego/regopy", Status.SKIP, "p_test.rego", 12),
    )  # fmt: skip
    return TestRun(rows, ("rego/opa-lib", "rego/regopy"))


def test_reports_in_every_format() -> None:
    run = _sample_run()
    assert run.exit_code() == 1
    table = render_table(run)
    assert "\x1b" not in table and "FAIL  rego/opa-lib" in table and "p_test.rego:9" in table
    assert table.endswith("1 passed, 1 failed, 1 error, 1 skipped on rego/opa-lib, rego/regopy\n")
    document = json.loads(render_json(run))
    assert document["summary"] == {"pass": 1, "fail": 1, "error": 1, "skip": 1}
    assert [r["status"] for r in document["results"]] == ["pass", "fail", "error", "skip"]
    suites = ET.fromstring(render_junit(run))
    assert [s.get("name") for s in suites] == ["rego/opa-lib", "rego/regopy"]
    assert [
        (s.get("tests"), s.get("failures"), s.get("errors"), s.get("skipped")) for s in suites
    ] == [
        ("2", "1", "0", "0"),
        ("2", "0", "1", "1"),
    ]
    error = suites[1][0].find("error")
    assert error is not None and "\x1b" not in (error.get("message") or "")
    assert "expected:" in (error.text or "") and "(no finding)" in (error.text or "")


def test_exit_codes() -> None:
    ok = PolicyTestResult(Kind.UNIT, "t", "e", Status.PASS, "f")
    bad_input = PolicyTestResult(Kind.CASE, "c", "e", Status.ERROR, "f", input_error=True)
    skipped = PolicyTestResult(Kind.UNIT, "t", "e", Status.SKIP, "f")
    assert TestRun((ok, skipped), ("e",)).exit_code() == 0
    assert TestRun((ok, bad_input), ("e",)).exit_code() == 2
