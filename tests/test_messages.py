"""The one-line errors a newcomer meets first: each says what is wrong in the user's terms."""

from __future__ import annotations

from pathlib import Path

import pytest

from guardrails.cli import main
from tests.conftest import FIXTURES, ROOT


def _error(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    capsys.readouterr()
    assert main(list(args)) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    return err


@pytest.mark.parametrize(
    ("args", "says", "never"),
    [
        # A README named by mistake is not a Helm template (it has "{{" in a code example).
        (["check", str(ROOT / "README.md")], "not a supported input (.md file)", "Helm"),
        # A folder of docs has files: they are just not in a scanned format.
        (
            ["check", str(ROOT / "docs")],
            "file(s), none named .json, .yaml, .yml or .tf",
            "no files",
        ),
        # Click's own messages (typer 0.29 validated through pydantic: "Value error, ...",
        # "Input should be greater than or equal to 1").
        (["check", "--format", "jsn", "x"], "'jsn' is not one of 'table'", "Value error"),
        (["check", "--max-size-mb", "0", "x"], "0 is not in the range 1<=x<=4096", "Input should"),
        (["hook", "--engine", "opa", "main.tf"], "the hook runs offline", "Traceback"),
        (
            ["check", "--engine", "opa", str(FIXTURES / "kubernetes")],
            "--engine opa needs --opa-url",
            "GR-",
        ),
    ],
)
def test_first_hour_errors(
    capsys: pytest.CaptureFixture[str], args: list[str], says: str, never: str
) -> None:
    err = _error(capsys, *args)
    assert says in err and never not in err


def test_an_empty_folder_still_says_no_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert "(no files)" in _error(capsys, "check", str(tmp_path))


def test_a_missing_rego_backend_names_its_package(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import guardrails.engines.rego as rego

    monkeypatch.setenv(rego.BACKEND_ENV, "opa")
    monkeypatch.setattr(rego, "backend_available", lambda backend: False)
    err = _error(capsys, "check", "--engine", "rego", str(FIXTURES / "kubernetes" / "serving.yaml"))
    assert "GUARDRAILS_REGO_BACKEND=opa" in err
    assert "pip install --ignore-requires-python 'opa-golib-python-bindings==0.4.4'" in err
