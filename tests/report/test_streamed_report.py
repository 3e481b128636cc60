"""The JSON and SARIF reports are written as they are encoded, never whole in memory.

A 100,000-object Kubernetes scan writes a 180 MB JSON report. ``check -o`` used to render the
whole text, then encode it to bytes (a second copy) before the temporary file was written:
some 400 MB on top of the scan, past the 1.5 GB the issue allows. Now the writer gets chunks
and holds one at a time; the text and the all-or-none guarantees stay.
"""

from __future__ import annotations

import json
import os
import threading
import time
import tracemalloc
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from guardrails import output
from guardrails.cli import check as check_command
from guardrails.errors import ConfigError
from guardrails.model import Location
from guardrails.report import REPORTERS, Report, json_text, render_chunks
from tests.conftest import FIXTURES

#: Findings in the generated report: ~2,000 objects' worth (a few findings each).
FINDINGS = 6_000


@pytest.fixture(scope="module")
def big_report() -> Report:
    from guardrails.api import ScanOptions, scan

    plan = FIXTURES / "terraform-plan" / "gpu_training"
    report = scan([str(plan)], ScanOptions(no_config=True))
    seed = report.findings
    findings = tuple(
        replace(
            seed[i % len(seed)],
            resource=f"{seed[i % len(seed)].resource}-{i}",
            message=f"{seed[i % len(seed)].message} (copy {i})",
            location=Location(f"infra/part-{i % 50}.tf", i + 1),
        )
        for i in range(FINDINGS)
    )
    return report.replace_findings(findings)


@pytest.mark.parametrize("name", ["json", "sarif", "table"])
def test_chunks_are_the_rendered_text(name: str, big_report: Report) -> None:
    assert "".join(render_chunks(name, big_report, False)) == REPORTERS[name](big_report, False)


@pytest.mark.parametrize("name", ["json", "sarif"])
def test_chunks_of_a_report_without_findings(name: str, big_report: Report) -> None:
    empty = big_report.replace_findings(())
    text = "".join(render_chunks(name, empty, False))
    assert text == REPORTERS[name](empty, False) and json.loads(text)


def test_check_writes_json_and_sarif_without_the_whole_text(
    big_report: Report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The peak of everything ``check`` allocates after the scan stays well under the size of
    what it writes (before: text plus its UTF-8 copy, over twice the size of each report)."""
    monkeypatch.setattr(json_text, "CHUNK_ITEMS", 200)
    monkeypatch.setattr("guardrails.api.scan", lambda paths, options: big_report)
    from guardrails.api import ScanOptions

    outputs = [f"sarif={tmp_path / 'report.sarif'}"]
    out = tmp_path / "report.json"
    tracemalloc.start()
    try:
        code = check_command.run_check(
            ["plan"], ScanOptions(), "json", [str(out), *outputs], progress=False
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert code in (0, 1)
    written = out.stat().st_size + (tmp_path / "report.sarif").stat().st_size
    assert out.read_text() == REPORTERS["json"](big_report, False)
    assert written > 4_000_000
    assert peak < written / 5, (peak, written)


def _failing(after: int) -> Iterator[str]:
    yield "{" * after
    raise ConfigError("the renderer failed")


def test_a_chunk_that_fails_leaves_every_output_unchanged(tmp_path: Path) -> None:
    kept = tmp_path / "kept.json"
    kept.write_text("old")
    with pytest.raises(ConfigError, match="renderer failed"):
        output.write_all([(tmp_path / "new.json", "{}"), (kept, _failing(10))])
    assert kept.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.json"]


def test_chunks_for_a_fifo_are_complete_before_anything_is_written(tmp_path: Path) -> None:
    """A device cannot be written atomically: its chunks are gathered first, so a failing
    renderer leaves the other outputs unchanged and writes nothing to the device."""
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []

    def read() -> None:
        with open(fifo, "rb") as fh:
            received.append(fh.read())

    reader = threading.Thread(target=read)
    reader.start()
    try:
        time.sleep(0.2)  # the reader opens first, as `cat fifo &` would
        with pytest.raises(ConfigError, match="renderer failed"):
            output.write_all([(fifo, iter(["[1", ", 2]"])), (tmp_path / "b.json", _failing(3))])
        assert not (tmp_path / "b.json").exists()
        output.write_all([(fifo, iter(["é" * 5_000_000, "[1", ", 2]"]))])
    finally:
        reader.join(timeout=30)
    assert received == [("é" * 5_000_000 + "[1, 2]").encode()]
