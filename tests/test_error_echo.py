"""Parse errors never echo content: every parser's error path, a planted secret, every output.

A file a pull request planted (or a symlink to a credentials file) that does not parse must be
reported by name, line and column only: the error line reaches stderr and, as GR-INPUT-001, the
PR comment, SARIF, annotations and every other format. Before the fix an invalid ``.tf`` showed
``invalid HCL at line 1: ... Token('STRING_CHARS', '[default]\\naws_access_key_id = AKIA...``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from guardrails.cli import main

MARKER = "AKIAGRECHOMARKER77"
FORMATS = ("table", "json", "sarif", "junit", "github", "markdown")
GOOD = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: ok\nspec:\n  containers: []\n"
PLAN_HEAD = '{"format_version": "1.2", "terraform_version": "1.9.0", '

#: name -> (files to write, the file the error must name, extra arguments)
CASES: dict[str, tuple[dict[str, str], str, tuple[str, ...]]] = {
    "HCL credentials file": (
        {"bad.tf": f"[default]\naws_access_key_id = {MARKER}\n"},
        "bad.tf",
        (),
    ),
    "HCL unterminated string": (
        {"bad.tf": f'resource "aws_instance" "x" {{\n  ami = "{MARKER}\n'},
        "bad.tf",
        (),
    ),
    "HCL bad character": ({"bad.tf": f"locals {{\n  a = {MARKER} ^ ~\n}}\n"}, "bad.tf", ()),
    "JSON": ({"bad.json": f'{{"kind": "Pod", "x": {MARKER}}}'}, "bad.json", ()),
    "JSON number": ({"bad.json": '{"kind": "Pod", "x": 1e99999' + "7" * 8 + "}"}, "bad.json", ()),
    "YAML flow": (
        {"bad.yaml": f"apiVersion: v1\nkind: Pod\nmetadata: {{name: {MARKER}\n"},
        "bad.yaml",
        (),
    ),
    "YAML quote": ({"bad.yaml": f'apiVersion: v1\nkind: "Pod {MARKER}\n'}, "bad.yaml", ()),
    "YAML tag": ({"bad.yaml": f"apiVersion: v1\nkind: !{MARKER} Pod\n"}, "bad.yaml", ()),
    "YAML tag handle": ({"bad.yaml": f"apiVersion: v1\nkind: !{MARKER}!x Pod\n"}, "bad.yaml", ()),
    "YAML number": (
        {"bad.yaml": f"apiVersion: v1\nkind: Pod\nx: !!int {MARKER}\n"},
        "bad.yaml",
        (),
    ),
    "YAML alias": ({"bad.yaml": f"apiVersion: v1\nkind: *{MARKER}\n"}, "bad.yaml", ()),
    "plan action": (
        {
            "plan.json": PLAN_HEAD
            + '"resource_changes": [{"address": "aws_instance.x", "type": "aws_instance", '
            + f'"name": "x", "change": {{"actions": ["{MARKER}"], "after": {{}}}}}}]}}'
        },
        "plan.json",
        (),
    ),
    "plan shape": (
        {"plan.json": PLAN_HEAD + f'"resource_changes": "{MARKER}"}}'},
        "plan.json",
        (),
    ),
    "Pulumi": (
        {
            "preview.json": json.dumps(
                {"steps": [{"op": MARKER, "urn": MARKER, "newState": MARKER}], "changeSummary": {}}
            )
        },
        "preview.json",
        (),
    ),
    "tfvars": (
        {
            "main.tf": 'variable "a" {\n  default = 1\n}\n',
            "terraform.tfvars": f"a = = {MARKER}\n",
        },
        "terraform.tfvars",
        (),
    ),
    "tfvars.json": (
        {
            "main.tf": 'variable "a" {\n  default = 1\n}\n',
            "terraform.tfvars.json": f'{{"a": {MARKER}',
        },
        "terraform.tfvars.json",
        (),
    ),
    "tfvars.json shape": (
        {"main.tf": 'variable "a" {\n  default = 1\n}\n', "terraform.tfvars.json": f'["{MARKER}"]'},
        "terraform.tfvars.json",
        (),
    ),
    "config YAML": ({".guardrails.yaml": f"fail_on: [{MARKER}\n"}, ".guardrails.yaml", ()),
    "config value": ({".guardrails.yaml": f"fail_on: {MARKER}\n"}, ".guardrails.yaml", ()),
    "config type": ({".guardrails.yaml": f"required_tags: {MARKER}\n"}, ".guardrails.yaml", ()),
    "config pattern": (
        {".guardrails.yaml": f'tag_patterns:\n  team: "(?={MARKER})"\n'},
        ".guardrails.yaml",
        (),
    ),
    "config waiver": (
        {
            ".guardrails.yaml": "waivers:\n  - policy: GR-TAG-001\n    resource: '*'\n"
            f"    reason: r\n    expires: {MARKER}\n"
        },
        ".guardrails.yaml",
        (),
    ),
    "config waiver policy": (
        {".guardrails.yaml": f"disabled_policies: [{MARKER}]\n"},
        ".guardrails.yaml",
        (),
    ),
    "baseline JSON": (
        {"base.json": f'{{"version": {MARKER}'},
        "base.json",
        ("--baseline", "base.json"),
    ),
    "baseline shape": (
        {"base.json": json.dumps({"version": MARKER, "findings": [MARKER]})},
        "base.json",
        ("--baseline", "base.json"),
    ),
    "inline waiver": (
        {
            "main.tf": 'resource "aws_instance" "gpu" {\n'
            f'  # guardrails:ignore GR-TAG-001 reason="r" expires={MARKER}\n'
            '  instance_type = "p4d.24xlarge"\n}\n'
        },
        "main.tf",
        (),
    ),
    "annotation waiver": (
        {
            "pod.yaml": "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n"
            f'    guardrails.dev/ignore: "GR-TAG-001 expires={MARKER}"\nspec:\n  containers: []\n'
        },
        "pod.yaml",
        (),
    ),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_no_parse_error_echoes_content(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    files, named, extra = CASES[case]
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "good.yaml").write_text(GOOD)
    for name, text in files.items():
        (repo / name).write_text(text)
    monkeypatch.chdir(repo)
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "summary.md"))
    out = tmp_path / "out"
    out.mkdir()
    targets = [n for n in files if not n.startswith((".", "base"))] or ["."]
    seen: list[str] = []
    for argv in (
        # Alone: the error is the run's one line on stderr.
        ["check", *targets, *extra],
        # Beside a good input: the error is GR-INPUT-001 in every report.
        ["check", ".", *extra, "-f", "json", *(f"--output={f}={out / f}" for f in FORMATS)],
    ):
        code = main(argv)
        captured = capsys.readouterr()
        assert code in (0, 1, 2), captured.err
        assert "Traceback" not in captured.err
        seen += [captured.out, captured.err]
    seen += [p.read_text() for p in out.iterdir()]
    summary = tmp_path / "summary.md"
    if summary.exists():
        seen.append(summary.read_text())
    everything = "\n".join(seen)
    assert MARKER not in everything
    assert "7" * 8 not in everything
    if "waiver" not in case or "config" in case:
        assert named in everything  # the error names the file
