"""Lint, format, types and import layering are part of the test run."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

BIN = Path(sys.executable).parent


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(BIN)) or shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: install the test extras (pip install -e '.[test]')")
    return found


@pytest.mark.parametrize(
    "command",
    [
        ["ruff", "check", "guardrails", "tests", "benchmarks", "tools"],
        ["ruff", "format", "--check", "guardrails", "tests", "benchmarks", "tools"],
        ["mypy"],
        ["lint-imports"],
    ],
    ids=["ruff-check", "ruff-format", "mypy-strict", "import-layers"],
)
def test_quality_gate(command: list[str]) -> None:
    paths = [p for p in command[2:] if not (ROOT / p).exists()]
    args = [a for a in command[1:] if a not in paths]
    result = subprocess.run(
        [_tool(command[0]), *args], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
