"""Tables fit the terminal: a real pty at 80 and 160 columns, COLUMNS, and no wrapping off a TTY.

Addresses wrap only after a separator ('.', '/', '-', ...), never inside a name.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

from guardrails.api import ScanOptions, enriched_graph, scan
from guardrails.report import REPORTERS
from guardrails.report.views.cost import cost_breakdown
from guardrails.report.views.cost_render import render_cost_table
from tests.conftest import FIXTURES

INPUTS = [
    str(FIXTURES / "terraform-plan" / "gpu_training" / "plan.json"),
    str(FIXTURES / "cost" / "accelerators.yaml"),
]
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")
_SEPARATORS = "./:_#=- "
_BOX = "│┃║"


def _run_in_pty(args: list[str], columns: int) -> str:
    """Run the CLI with its stdout on a pty of ``columns`` x 50; the text it printed."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR")}
    env["TERM"] = "xterm-256color"
    process = subprocess.Popen(
        [sys.executable, "-m", "guardrails.cli", *args],
        stdout=slave,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        env=env,
    )
    os.close(slave)
    chunks = []
    while True:
        ready, _, _ = select.select([master], [], [], 60)
        if not ready:
            break
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    process.wait(timeout=60)
    os.close(master)
    return _ANSI.sub("", b"".join(chunks).decode("utf-8", "replace")).replace("\r", "")


def _addresses() -> list[str]:
    graph = enriched_graph(INPUTS, ScanOptions(no_config=True))
    return [r.address for r in graph.resources]


def _cells(text: str) -> list[str]:
    cells = []
    for line in text.splitlines():
        parts = re.split(f"[{_BOX}]", line) if any(b in line for b in _BOX) else [line]
        for part in parts:
            cells += [p for p in re.split(r"\s{2,}", part.strip()) if p]
    return cells


def _assert_fits_and_wraps_at_separators(text: str, columns: int) -> None:
    longest = max(len(line) for line in text.splitlines())
    assert longest <= columns, f"a line of {longest} columns on a {columns}-column terminal"
    for address in _addresses():
        for cell in _cells(text):
            # The first line of a wrapped address must end at a separator.
            if len(cell) < 3 or cell == address or not address.startswith(cell):
                continue
            assert cell[-1] in _SEPARATORS, f"{address!r} is cut mid-word after {cell!r}"


@pytest.mark.parametrize("columns", [80, 160])
@pytest.mark.parametrize("command", ["check", "cost"])
def test_tables_fit_a_real_terminal_without_mid_word_wraps(command: str, columns: int) -> None:
    extra = ["--fail-on", "never", "--no-progress"] if command == "check" else []
    text = _run_in_pty([command, *extra, *INPUTS], columns)
    assert "GR-" in text if command == "check" else "Priced as" in text
    _assert_fits_and_wraps_at_separators(text, columns)
    if command == "cost":
        assert ("Hourly" in text) == (columns >= 100)


def test_columns_variable_sets_the_width(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "90")
    breakdown = cost_breakdown(enriched_graph(INPUTS, ScanOptions(no_config=True)))
    text = render_cost_table(breakdown, color=False)
    assert max(len(line) for line in text.splitlines()) <= 90
    monkeypatch.setenv("COLUMNS", "20")  # never narrower than 80
    text = render_cost_table(breakdown, color=False)
    assert 70 < max(len(line) for line in text.splitlines()) <= 80


def test_off_a_terminal_each_finding_stays_on_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    report = scan(INPUTS, ScanOptions(no_config=True)).with_fail_on("never")
    text = REPORTERS["table"](report, False)
    lines = text.splitlines()
    for finding in report.findings:
        assert any(finding.message in line for line in lines), finding.message
        assert any(finding.remediation in line for line in lines)
    assert max(len(line) for line in lines) < 1000  # no rule padded to the unwrapped width


def test_cost_table_names_what_it_leaves_out_and_new_resources_read_from_nothing() -> None:
    breakdown = cost_breakdown(enriched_graph(INPUTS, ScanOptions(no_config=True)))
    text = render_cost_table(breakdown, color=False)
    assert "— → $5,840" in text and "$384 → $734" in text
    assert "1 resource unpriced, not in the total" in text
    assert "1 resource priced at an assumed $1.01/GPU-hour" in text
    assert "1 resource priced at an assumed cloud's list price, as nothing names the" in text
    assert "storage, network and CPU-only instances are not included" in text
    assert "Deployment/ml-prod/shared-gpu: nvidia.com/gpu.shared is a time-sliced" in text
    assert re.search(r"\[\d+\] p4d\.24xlarge \$8/h spot: github:aws/karpenter", text)
    assert "(as of 2026-07-20)" in text


def test_cost_markdown_and_json_name_the_price_source(tmp_path: Path) -> None:
    from guardrails.report.views.cost_render import render_cost_json, render_cost_markdown

    breakdown = cost_breakdown(enriched_graph(INPUTS, ScanOptions(no_config=True)))
    markdown = render_cost_markdown(breakdown)
    assert "| Delta |" in markdown and "— → $5,840" in markdown
    assert "(assumed $1.01/GPU-hour)" in markdown
    import json

    doc = json.loads(render_cost_json(breakdown))
    assert doc["summary"]["assumed"] == 2 and doc["summary"]["unpriced"] == 1
    gaudi = next(r for r in doc["resources"] if r["address"].endswith("gaudi-trainer"))
    assert gaudi["price_basis"] == "assumed"
    assert gaudi["price_assumption"] == "assumed $1.01/GPU-hour"
    mig = next(r for r in doc["resources"] if r["address"].endswith("mig-slices"))
    assert mig["price_assumption"] == (
        "assumed AWS price, p4d.24xlarge at $2.74/GPU-hour: nothing names the cloud"
    )
    tpu = next(r for r in doc["resources"] if r["address"].endswith("tpu-v5e-serving"))
    assert tpu["price_basis"] == "catalog" and tpu["price_assumption"] is None
    trainer = next(r for r in doc["resources"] if r["address"].endswith("trainer[0]"))
    (item,) = trainer["priced_items"]
    assert item["name"] == "p4d.24xlarge" and item["capacity"] == "spot"
    assert item["usd_per_hour"] == 8.0001 and item["as_of"] == "2026-07-20"
