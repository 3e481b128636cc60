"""The hostile-input benchmark harness works, and refused inputs stay small (generous bounds).

Figures are recorded by ``python -m benchmarks.hostile`` in benchmarks/results/hostile.md;
these tests only check that refusals happen early: a limit that is checked after building
would show here as hundreds of megabytes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.hostile import markdown, measure
from tests.conftest import FIXTURES

HOSTILE = FIXTURES / "hostile"


@pytest.mark.parametrize(
    "name", ["yaml-alias-bomb.yaml", "json-nested-5000.json", "deep-module-2000.json"]
)
def test_refused_inputs_exit_2_in_little_memory(name: str) -> None:
    result = measure(["graph", str(HOSTILE / name)], timeout=120)
    assert result["exit"] == 2, result
    assert not result["timed_out"]
    assert result["peak_rss_mb"] < 250, result  # the process itself is ~40 MB
    assert result["stderr"].startswith("error: ") and name in result["stderr"]


def test_many_resources_are_refused_before_they_are_built(tmp_path: Path) -> None:
    manifest = tmp_path / "many.yaml"
    with manifest.open("w") as fh:
        for i in range(30_000):
            fh.write(f"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{i}}}\n")
    result = measure(["graph", str(manifest), "--max-resources", "1000"], timeout=300)
    assert result["exit"] == 2 and "over the limit of 1,000" in result["stderr"]
    assert result["peak_rss_mb"] < 300, result


def test_markdown_table_marks_cases_over_budget() -> None:
    row = {
        "case": "c",
        "command": "graph",
        "input_mb": 1.0,
        "exit": 0,
        "seconds": 1.0,
        "peak_rss_mb": 500.0,
        "budget_mb": 160.0,
        "within_budget": False,
        "timed_out": False,
        "stderr": "",
    }
    text = markdown({"python": "3.11", "cpus": 2, "note": "n", "results": [row]})
    assert "| c | graph | 1.0 | 0 | 1.0 | 500.0 |  | 160.0 | **no** |" in text
