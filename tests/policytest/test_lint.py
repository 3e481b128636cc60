"""``guardrails policies lint``: each contract rule on a small module, file:line: rule: text."""

from __future__ import annotations

from pathlib import Path

import pytest

from guardrails.cli import main
from guardrails.policytest.lint import lint_paths, lint_source
from tests.conftest import ROOT

HEAD = """# METADATA
# title: GPU job over sixteen GPUs
# description: Training jobs in dev stay at or below sixteen GPUs.
# scope: package
# custom:
#   id: ACME-GPU-002
#   severity: high
#   category: cost
#   remediation: Request sixteen GPUs or fewer.
#   input: resources{extra}
package guardrails.policy.acme_gpu_002

import rego.v1

"""

GOOD = """deny := [f |
	some r in input.resources
	r.facts.gpu.count > 16
	f := {"resource": r.id, "message": concat("", [r.address, " asks for ", format_int(r.facts.gpu.count, 10), " GPUs"])}
]
"""


def policy(body: str = GOOD, extra: str = "") -> str:
    return HEAD.replace("{extra}", extra) + body


CASES = [
    ("clean", policy(), "x.rego", []),
    (
        "partial set",
        policy('deny contains f if {\n\tsome r in input.resources\n\tf := {"resource": r.id}\n}\n'),
        "x.rego",
        ["x.rego:15: partial-set: deny is a partial set rule"],
    ),
    (
        "v0 partial set",
        policy('deny[f] {\n\tsome r in input.resources\n\tf := {"resource": r.id}\n}\n'),
        "x.rego",
        ["x.rego:15: partial-set: deny is a partial set rule"],
    ),
    (
        "sprintf",
        policy(GOOD.replace('concat("", [r.address, " asks for "', 'sprintf("%s asks %d", [r.address').replace(', format_int(r.facts.gpu.count, 10), " GPUs"])', ", r.facts.gpu.count])")),
        "x.rego",
        ["x.rego:18: sprintf: sprintf formats differently on regopy"],
    ),
    (
        "lookup into a set of all resources",
        policy(
            "owners := {r.id | some r in input.resources; r.type == \"Team\"}\n\n"
            "deny := [f |\n\tsome r in input.resources\n\tnot owners[r.id]\n"
            '\tf := {"resource": r.id, "message": "x"}\n]\n'
        ),
        "x.rego",
        ["x.rego:19: all-resources-lookup: deny looks up owners"],
    ),
    (
        "lookup with in",
        policy(
            "by_id := {r.id: r | some r in input.resources}\n\n"
            "deny := [f |\n\tsome r in input.resources\n\tr.id in by_id\n"
            '\tf := {"resource": r.id, "message": "x"}\n]\n'
        ),
        "x.rego",
        ["x.rego:19: all-resources-lookup: deny looks up by_id"],
    ),
    (
        "declared aggregate is allowed",
        policy(
            "owners := {r.id | some r in input.resources}\n\n"
            "deny := [f |\n\tsome r in input.resources\n\tnot owners[r.id]\n"
            '\tf := {"resource": r.id, "message": "x"}\n]\n',
            "\n#   aggregates: {owners: set}",
        ),
        "x.rego",
        [],
    ),
    (
        "missing input",
        policy().replace("#   input: resources\n", ""),
        "x.rego",
        ["x.rego:5: missing-input: no custom.input"],
    ),
    (
        "schema: severity",
        policy().replace("severity: high", "severity: urgent"),
        "x.rego",
        ["x.rego:7: metadata: custom.severity must be one of low, medium, high, critical"],
    ),
    (
        "schema: unknown custom key and no title",
        policy().replace("# title: GPU job over sixteen GPUs\n", "").replace(
            "#   input: resources", "#   input: resources\n#   owner: me"
        ),
        "x.rego",
        [
            "x.rego:1: metadata: METADATA 'title' is a required property",
            "x.rego:4: metadata: custom Additional properties are not allowed ('owner' was unexpected)",
        ],
    ),
    (
        "no METADATA in a policy package",
        "package guardrails.policy.x\n\nimport rego.v1\n\ndeny := []\n",
        "x.rego",
        ["x.rego:1: metadata: package guardrails.policy.x has no METADATA block with custom.id"],
    ),
    (
        "test replaces the whole input",
        "package p_test\n\nimport rego.v1\n\ntest_a if {\n\tx := data.p.deny with input as {}\n\tcount(x) == 0\n}\n",
        "x_test.rego",
        ["x_test.rego:6: with-input: `with input as` replaces the whole input"],
    ),
    (
        "test replaces a part with a rule",
        "package p_test\n\nimport rego.v1\n\nrs := []\n\ntest_a if {\n\tx := data.p.deny with input.resources as rs\n\tcount(x) == 0\n}\n",
        "x_test.rego",
        ["x_test.rego:8: with-input: `with ... as rs` (a rule) is ignored by regopy 1.5.2"],
    ),
    (
        "test with a variable is fine",
        "package p_test\n\nimport rego.v1\n\ntest_a if {\n\trs := []\n\tx := data.p.deny with input.resources as rs\n\tcount(x) == 0\n}\n",
        "x_test.rego",
        [],
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("source", "file", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_lint_rules(source: str, file: str, expected: list[str]) -> None:
    found = [str(p) for p in sorted(lint_source(file, source))]
    assert len(found) == len(expected), found
    for line, prefix in zip(found, expected, strict=True):
        assert line.startswith(prefix), line


def test_the_bundled_library_lints_clean(capsys: pytest.CaptureFixture[str]) -> None:
    assert lint_paths([ROOT / "policies"]) == []
    assert main(["policies", "lint"]) == 0
    assert capsys.readouterr().out == ""


def test_cli_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "acme.rego"
    bad.write_text(policy().replace("severity: high", "severity: urgent"))
    assert main(["policies", "lint", str(tmp_path)]) == 1
    assert capsys.readouterr().out.startswith(f"{bad}:7: metadata: custom.severity must be")
    assert main(["policies", "lint", str(tmp_path / "missing")]) == 2
    assert "no such file or directory" in capsys.readouterr().err
