"""Directories and empty input: nothing found is an error, one bad file never hides the rest."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from guardrails.cli import main
from guardrails.inputs.discovery import IGNORED_DIRS
from tests.conftest import CORPUS, FIXTURES, ROOT

BUCKET = FIXTURES / "policies" / "GR-SEC-001" / "deny_public_read_bucket.json"
HELM = (
    "{{- if .Values.enabled }}\napiVersion: v1\nkind: Secret\nmetadata:\n"
    '  name: {{ template "app.fullname" . }}\n{{- end }}\n'
)


def _mixed(tmp_path: Path) -> Path:
    """A directory with one good plan, two bad files, an unsupported file and a Helm template."""
    root = tmp_path / "infra"
    (root / "k8s" / "templates").mkdir(parents=True)
    shutil.copy(BUCKET, root / "bucket.json")
    (root / "broken.json").write_text('{"resource_changes": [')
    (root / "k8s" / "bad.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: x\n")
    (root / "package.json").write_text('{"name": "site"}')
    (root / "k8s" / "templates" / "secret.yaml").write_text(HELM)
    return root


def test_empty_directory_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "no supported input found (no files)" in err and "--allow-empty" in err


def test_only_unsupported_files_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "package.json").write_text('{"name": "site"}')
    (tmp_path / "values.yaml").write_text("replicas: 2\n")
    assert main(["check", str(tmp_path)]) == 2
    assert "2 file(s) found, none in a supported format" in capsys.readouterr().err


def test_allow_empty_accepts_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(tmp_path), "--allow-empty", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["summary"]["findings"] == 0
    assert main(["cost", str(tmp_path), "--allow-empty"]) == 0


def test_one_bad_file_does_not_hide_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _mixed(tmp_path)
    assert main(["check", str(root), "--engine", "python", "--format", "json"]) == 2
    captured = capsys.readouterr()
    errors = [line for line in captured.err.splitlines() if line.startswith("error: ")]
    assert errors == [
        f"error: {root / 'broken.json'}: malformed JSON: Expecting value at line 1 column 23",
        f"error: {root / 'k8s' / 'bad.yaml'}: malformed YAML: did not find expected ',' or '}}' "
        "at line 4 column 1",
    ]
    doc = json.loads(captured.out)
    assert doc["summary"]["partial"] is True
    assert [e["path"] for e in doc["summary"]["input_errors"]] == [
        str(root / "broken.json"),
        str(root / "k8s" / "bad.yaml"),
    ]
    policies = {(f["policy"], f["outcome"]) for f in doc["findings"]}
    assert ("GR-SEC-001", "fail") in policies  # the good file is still evaluated
    unevaluated = [f for f in doc["findings"] if f["policy"] == "GR-INPUT-001"]
    assert len(unevaluated) == 2 and all("partial" in f["message"] for f in unevaluated)
    formats = {i["path"]: i["format"] for i in doc["inputs"]}
    assert formats[str(root / "package.json")] == "skipped"
    assert formats[str(root / "k8s" / "templates" / "secret.yaml")] == "skipped"


@pytest.mark.parametrize(
    ("fmt", "marker"),
    [
        ("table", r"PARTIAL report: 2 input\(s\) could not be read"),
        ("markdown", r"## ⚠️ guardrails: PARTIAL report: 2 input\(s\)"),
        ("sarif", r'"executionSuccessful": false'),
        ("junit", r'<testsuites name="guardrails" tests="\d+" failures="\d+" errors="2"'),
        ("github", r"::error file=.*broken\.json,title=guardrails%3A input not evaluated"),
    ],
)
def test_every_format_says_the_report_is_partial(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str, marker: str
) -> None:
    root = _mixed(tmp_path)
    assert main(["check", str(root), "--engine", "python", "--format", fmt]) == 2
    assert re.search(marker, capsys.readouterr().out)


def test_graph_of_a_partial_scan_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["graph", str(_mixed(tmp_path))]) == 2
    captured = capsys.readouterr()
    assert "broken.json: malformed JSON" in captured.err
    assert '"format": "error"' in captured.out
    assert main(["graph", str(tmp_path / "nothing-here"), "--allow-empty"]) == 2  # no such path
    (tmp_path / "empty").mkdir()
    assert main(["graph", str(tmp_path / "empty"), "--allow-empty"]) == 0


def test_cost_of_a_partial_scan_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cost", str(_mixed(tmp_path))]) == 2
    assert "broken.json: malformed JSON" in capsys.readouterr().err


def test_every_file_bad_gives_every_error_and_no_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.json").write_text("{")
    (tmp_path / "b.yaml").write_text("kind: [")
    assert main(["check", str(tmp_path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert [line.split(":")[0] for line in captured.err.splitlines()] == ["error", "error"]


def test_a_named_helm_template_is_named_as_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "secret.yaml"
    path.write_text(HELM)
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert (
        "unrendered Helm template ({{ … }} at line 1): render it with `helm template` first" in err
    )


def test_corpus_helm_template_is_named_as_one(capsys: pytest.CaptureFixture[str]) -> None:
    path = CORPUS / "kubernetes" / "checkov__helm_unrendered_template.yaml"
    if not path.exists():
        pytest.skip("../shared/corpus is not beside this checkout")
    assert main(["check", str(path)]) == 2
    assert "render it with `helm template` first" in capsys.readouterr().err


def test_readme_lists_every_skipped_directory() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Supported inputs") :]
    for name in IGNORED_DIRS:
        assert f"`{name}/`" in section, f"README's skip list does not name {name}/"
