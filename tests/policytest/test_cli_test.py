"""``guardrails test`` and ``guardrails policies new`` from the command line: exit codes 0, 1
and 2, one error line, the sandbox rules for test files. Cases of bundled policies run on the
Python twins (no child process), so these stay in the unit tier."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from guardrails.cli import main
from tests.conftest import FIXTURES

NODE_GROUP_40 = FIXTURES / "policies" / "GR-COST-004" / "deny_node_group_max_40.json"
ALLOW_8 = FIXTURES / "policies" / "GR-COST-004" / "allow_node_group_max_8.json"


def _cases(tmp_path: Path, files: dict[str, Path | str]) -> Path:
    folder = tmp_path / "cases" / "GR-COST-004"
    folder.mkdir(parents=True)
    for name, source in files.items():
        if isinstance(source, Path):
            shutil.copy(source, folder / name)
        else:
            (folder / name).write_text(source)
    return tmp_path / "cases"


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["test", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_passing_cases_exit_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cases = _cases(tmp_path, {"deny_big.json": NODE_GROUP_40, "allow_small.json": ALLOW_8})
    code, out, _ = _run(capsys, "--cases", str(cases), "--format", "json")
    assert code == 0
    document = json.loads(out)
    assert document["summary"] == {"pass": 2, "fail": 0, "error": 0, "skip": 0}
    assert {r["engine"] for r in document["results"]} == {"python"}


def test_a_failing_case_exits_1_with_expected_and_actual(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cases = _cases(tmp_path, {"allow_big.json": NODE_GROUP_40})
    code, out, _ = _run(capsys, "--cases", str(cases))
    assert code == 1
    assert "FAIL  python" in out and "GR-COST-004 should allow it" in out
    assert (
        "expected:\n        no GR-COST-004 finding\n      actual:\n        GR-COST-004 fail" in out
    )


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"deny_bad.json": '{"resource_changes": ['}, "deny_bad.json"),
        ({"deny_big.json": NODE_GROUP_40, "expect.yaml": "deny_gone.json: none\n"}, "no case"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], files: dict[str, Path | str], message: str
) -> None:
    cases = _cases(tmp_path, files)
    code, _, err = _run(capsys, "--cases", str(cases))
    assert code == 2
    errors = [line for line in err.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and message in errors[0], err
    assert "Traceback" not in err


def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(capsys, str(tmp_path / "missing"))[0] == 2
    (tmp_path / "empty").mkdir()
    code, _, err = _run(capsys, str(tmp_path / "empty"))
    assert code == 2 and "no *_test.rego file and no cases/" in err
    cases = _cases(tmp_path, {"deny_big.json": NODE_GROUP_40})
    (cases / "ACME-NOPE-001").mkdir()
    (cases / "ACME-NOPE-001" / "deny_x.json").write_text("{}")
    code, _, err = _run(capsys, "--cases", str(cases))
    assert code == 2 and "ACME-NOPE-001, which is not a policy" in err


def test_a_test_file_calling_a_denied_builtin_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A test file is as untrusted as a policy: refused before anything runs."""
    (tmp_path / "leak_test.rego").write_text(
        "package leak_test\n\nimport rego.v1\n\n"
        'test_leak if {\n\thttp.send({"method": "GET", "url": "http://169.254.169.254/"})\n}\n'
    )
    code, _, err = _run(capsys, str(tmp_path))
    assert code == 2
    assert f"{tmp_path / 'leak_test.rego'}:6: policy calls http.send" in err


def test_policies_new_refuses_what_it_must(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    assert main(["policies", "new", "acme-1", "--category", "cost"]) == 2
    assert main(["policies", "new", "GR-COST-100", "--category", "cost"]) == 2
    assert main(["policies", "new", "ACME-GPU-9", "--category", "Cost!"]) == 2
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    outside.mkdir()
    (tmp_path / "linked").symlink_to(outside)
    assert main(["policies", "new", "ACME-GPU-9", "--category", "cost", "--dir", "linked/x"]) == 2
    assert not any(outside.rglob("*"))
    assert main(["policies", "new", "ACME-GPU-9", "--category", "cost", "--dir", "p"]) == 0
    before = (tmp_path / "p" / "acme_gpu_9.rego").read_text()
    assert main(["policies", "new", "ACME-GPU-9", "--category", "cost", "--dir", "p"]) == 2
    assert (tmp_path / "p" / "acme_gpu_9.rego").read_text() == before
    err = capsys.readouterr().err
    assert "not an id like" in err and "GR- ids belong to the bundled library" in err
    assert "resolves outside the repository root" in err and "already exists" in err
    assert main(["policies", "lint", "p"]) == 0


def test_a_directory_named_twice_runs_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cases = _cases(tmp_path, {"deny_big.json": NODE_GROUP_40, "allow_small.json": ALLOW_8})
    code, out, _ = _run(capsys, "--cases", str(cases), "--cases", f"{cases}/", "-f", "json")
    assert code == 0 and len(json.loads(out)["results"]) == 2
