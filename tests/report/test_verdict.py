"""The verdict line never reads PASS while outcomes the engine could not evaluate are pending."""

from __future__ import annotations

import pytest

from guardrails.cli import main
from tests.conftest import FIXTURES

UNEXPANDED = FIXTURES / "policies" / "GR-INPUT-001" / "deny_registry_module_not_installed.tf"
CLEAN = FIXTURES / "policies" / "GR-SEC-004" / "allow_imdsv2_required.json"


@pytest.mark.parametrize(
    ("path", "extra", "code", "table_word", "markdown_mark"),
    [
        (UNEXPANDED, [], 0, "UNKNOWN", "## ⚠️"),
        (UNEXPANDED, ["--unknown", "fail"], 1, "FAIL", "## ❌"),
        (UNEXPANDED, ["--unknown", "ignore"], 0, "PASS", "## ✅"),
        (CLEAN, ["--fail-on", "critical"], 0, "PASS", "## ✅"),
    ],
    ids=["unknown-warn", "unknown-fail", "unknown-ignore", "clean"],
)
def test_verdict_word(
    capsys: pytest.CaptureFixture[str],
    path: object,
    extra: list[str],
    code: int,
    table_word: str,
    markdown_mark: str,
) -> None:
    args = ["check", str(path), *extra]
    assert main([*args, "--format", "table"]) == code
    last_line = capsys.readouterr().out.strip().splitlines()[-1]
    assert last_line.split()[0] == table_word, last_line
    assert main([*args, "--format", "markdown"]) == code
    assert capsys.readouterr().out.lstrip().startswith(markdown_mark)
