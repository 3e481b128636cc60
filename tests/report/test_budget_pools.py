"""Budget pools: built across formats, shown by ``cost --by`` (table, JSON, Markdown, HTML),
in the PR comment, and the HTML chart checked in a real headless Chromium."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from guardrails.api import ScanOptions, enriched_graph
from guardrails.cli import main
from guardrails.config import load_config
from guardrails.enrich.budgets import pool_breakdown
from guardrails.errors import ConfigError
from guardrails.report.views.pools_html import COLORS
from tests.conftest import FIXTURES

CASES = FIXTURES / "policies" / "GR-COST-007"
CONFIG = CASES / "config.yaml"
INPUTS = [
    CASES / "deny_research_pool_across_formats",
    CASES / "allow_research_within_budget.yaml",
    CASES / "deny_vision_at_warn_threshold.yaml",
    CASES / "deny_unattributed_over_budget.yaml",
    CASES / "deny_research_pool_unpriced_unknown.json",
]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _cost(tmp_path: Path, *extra: str) -> tuple[int, str]:
    out = tmp_path / "out"
    code = main(["cost", *map(str, INPUTS), "-c", str(CONFIG), "-o", str(out), *extra])
    return code, out.read_text() if out.exists() else ""


def test_a_pool_spans_terraform_and_kubernetes_and_counts_unpriced_honestly() -> None:
    graph = enriched_graph([str(p) for p in INPUTS], ScanOptions(config_path=CONFIG))
    pools = {
        p.value: p
        for p in pool_breakdown(graph.resources, "team", load_config(CONFIG)["budgets"]).pools
    }
    research = pools["research"]
    formats = {graph.get(m.id).source_format for m in research.members}  # type: ignore[union-attr]
    assert {"terraform-plan", "kubernetes"} <= {str(f) for f in formats}
    assert [m.address for m in research.unpriced] == ["aws_instance.trainer"]
    assert research.status == "over" and research.gpus is None  # an unpriced VM: GPUs unknown
    assert pools["vision"].status == "warn" and pools["vision"].gpus == 8
    assert pools["unattributed"].status == "over"
    assert list(pools)[-1] == "unattributed"


def test_cost_by_team_json_has_before_after_budget_headroom_and_gpus(tmp_path: Path) -> None:
    code, text = _cost(tmp_path, "--by", "team", "-f", "json")
    assert code == 0
    doc = json.loads(text)
    assert doc["dimension"] == "team" and doc["warn_at_percent"] == 80
    vision = next(p for p in doc["pools"] if p["pool"] == "vision")
    assert vision["monthly_usd_before"] == 0
    assert vision["monthly_usd_after"] == vision["monthly_usd_delta"] > 0
    assert vision["budget"] == 20000
    assert vision["headroom"] == round(20000 - vision["monthly_usd_after"], 2)
    assert vision["gpus"] == 8 and vision["status"] == "warn"
    research = next(p for p in doc["pools"] if p["pool"] == "research")
    assert research["unpriced"] == ["aws_instance.trainer"] and research["status"] == "over"


def test_cost_by_table_and_markdown(tmp_path: Path) -> None:
    code, table = _cost(tmp_path, "--by", "team")
    assert code == 0
    assert "OVER BUDGET" in table and "+ 1 unpriced" in table and "warning" in table
    code, markdown = _cost(tmp_path, "--by", "team", "-f", "markdown")
    assert code == 0
    assert markdown.startswith("### Monthly GPU cost by team")
    assert "| `research` |" in markdown and "**OVER BUDGET**" in markdown


def test_cost_by_any_dimension_without_budgets(tmp_path: Path) -> None:
    code, text = _cost(tmp_path, "--by", "model", "-f", "json")
    assert code == 0
    pools = {p["pool"]: p for p in json.loads(text)["pools"]}
    assert set(pools) == {"llama-ft", "detr", "unattributed"}
    assert all(p["budget"] is None and p["status"] == "no budget" for p in pools.values())


@pytest.mark.parametrize(
    ("budgets", "fragment"),
    [
        ("budgets: {team: {research: lots}}", "budgets.team.research: must be"),
        ("budgets: {team: {research: -5}}", "budgets.team.research"),
        ("budgets: {warn_at_percent: 150}", "budgets.warn_at_percent"),
        ("budgets: {team: [40000]}", "budgets.team"),
    ],
)
def test_bad_budgets_are_one_line_config_errors(
    tmp_path: Path, budgets: str, fragment: str
) -> None:
    config = tmp_path / ".guardrails.yaml"
    config.write_text(budgets + "\n")
    with pytest.raises(ConfigError) as caught:
        load_config(config)
    message = str(caught.value)
    assert "\n" not in message and str(config) in message and fragment in message


def test_pr_markdown_has_a_budget_section_only_with_budgets(tmp_path: Path) -> None:
    out = tmp_path / "pr.md"
    args = ["check", *map(str, INPUTS), "-f", "markdown", "-o", str(out), "--fail-on", "never"]
    assert main([*args, "-c", str(CONFIG)]) == 0
    text = out.read_text()
    assert "### GPU budget pools" in text and "| `research` |" in text
    empty = tmp_path / "empty.yaml"
    empty.write_text("{}\n")
    assert main([*args, "-c", str(empty)]) == 0
    assert "budget pools" not in out.read_text()


# ---- the HTML chart in a real browser --------------------------------------------------------


def _png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and rows of RGB(A) pixels of a non-interlaced 8-bit PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    offset, idat, header = 8, b"", b""
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        body = data[offset + 8 : offset + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
        offset += 12 + length
    width, height, depth, color_type = struct.unpack(">IIBB", header[:10])
    assert depth == 8 and color_type in (2, 6)
    channels = 3 if color_type == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * channels
    rows: list[bytes] = []
    previous = bytearray(stride)
    position = 0
    for _ in range(height):
        kind = raw[position]
        line = bytearray(raw[position + 1 : position + 1 + stride])
        position += 1 + stride
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            corner = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                predictor = left if pa <= pb and pa <= pc else (up if pb <= pc else corner)
                line[i] = (line[i] + predictor) & 0xFF
        rows.append(
            bytes(line) if channels == 3 else bytes(b for j, b in enumerate(line) if j % 4 != 3)
        )
        previous = line
    return width, height, rows


def _count_color(rows: list[bytes], hex_color: str) -> int:
    target = bytes.fromhex(hex_color.lstrip("#"))
    return sum(1 for row in rows for i in range(0, len(row), 3) if row[i : i + 3] == target)


def _chromium(*args: str, profile: Path) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            f"--user-data-dir={profile}",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.skipif(
    CHROMIUM is None,
    reason="needs Debian's chromium for the headless browser check (apt-get install chromium; "
    ".ci/run installs it)",
)
def test_html_chart_renders_labelled_bars_in_headless_chromium(tmp_path: Path) -> None:
    code, html = _cost(tmp_path, "--by", "team", "-f", "html")
    assert code == 0
    assert "<script" not in html and "http://" not in html.replace(
        'xmlns="http://www.w3.org/2000/svg"', ""
    )
    assert "https://" not in html and "src=" not in html  # self-contained: no external asset
    page = tmp_path / "pools.html"
    page.write_text(html, encoding="utf-8")

    dom = _chromium("--dump-dom", page.as_uri(), profile=tmp_path / "profile-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    for team, status in (("research", "over"), ("vision", "warn"), ("unattributed", "over")):
        assert f'data-pool="{team}" data-status="{status}"' in dom.stdout
        assert f'aria-label="{team}: $' in dom.stdout
    assert dom.stdout.count('class="bar"') == 3
    assert dom.stdout.count('class="budget-marker"') == 3
    assert "$16,029 / $20,000 (80%)" in dom.stdout  # the value label next to the vision bar

    shot = tmp_path / "pools.png"
    result = _chromium(
        "--window-size=1200,700",
        f"--screenshot={shot}",
        page.as_uri(),
        profile=tmp_path / "profile-shot",
    )
    assert result.returncode == 0 and shot.exists(), result.stderr[-2000:]
    width, height, rows = _png_pixels(shot.read_bytes())
    assert (width, height) == (1200, 700)
    # The bars are really painted: red (two pools over budget, the larger 560 px wide) and
    # amber (the vision pool at its warning threshold), besides the legend swatches.
    red = _count_color(rows, COLORS["over"])
    amber = _count_color(rows, COLORS["warn"])
    assert red > 560 * 20, red
    assert amber > 100 * 20, amber


def test_pools_say_how_much_is_assumed_and_which_gpus_may_be_counted_twice(
    tmp_path: Path,
) -> None:
    inputs = [CASES / "deny_research_pool_possible_overlap"]
    args = ["cost", *map(str, inputs), "-c", str(CONFIG), "--by", "team"]
    out = tmp_path / "out"
    assert main([*args, "-f", "json", "-o", str(out)]) == 0
    research = next(p for p in json.loads(out.read_text())["pools"] if p["pool"] == "research")
    # 24 GPUs with no model to price them by, at the assumed $1.01/GPU-hour.
    assert research["monthly_usd_assumed"] == 17695.2
    assert research["assumed"] == ["Job/research/sweep"]
    assert research["price_assumption"] == "assumed $1.01/GPU-hour"
    overlap = research["possible_overlap"]
    assert overlap[0]["address"] == "Job/research/sweep"
    assert overlap[0]["node_groups"] == ["aws_eks_node_group.research"]
    assert any("possibly twice" in n for n in research["notes"])
    assert main([*args, "-o", str(out)]) == 0
    table = out.read_text()
    assert "$17,695 (52%)" in table and "Assumed: the part of After" in table
    assert "research: Job/research/sweep may also run on aws_eks_node_group.research" in table
    assert main([*args, "-f", "markdown", "-o", str(out)]) == 0
    markdown = out.read_text()
    assert "| Assumed |" in markdown and "- `research`: $17,695 of $33,724 priced" in markdown
    assert main([*args, "-f", "html", "-o", str(out)]) == 0
    page = out.read_text()
    assert "What the figures rest on" in page and "possibly twice" in page


def test_a_job_on_its_node_group_is_counted_once_in_the_pool(tmp_path: Path) -> None:
    out = tmp_path / "out"
    case = CASES / "allow_research_job_on_named_node_group"
    assert main(["cost", str(case), "-c", str(CONFIG), "--by", "team", "-f", "json", "-o",
                 str(out)]) == 0  # fmt: skip
    research = next(p for p in json.loads(out.read_text())["pools"] if p["pool"] == "research")
    # The node group's one desired node holds the job's 8 GPUs: $16,029, not pods + nodes.
    assert research["monthly_usd_after"] == 16029.08 and research["gpus"] == 8
    assert research["counted_on_node_groups"] == [
        {
            "address": "Job/research/eval",
            "node_groups": ["aws_eks_node_group.research"],
            "monthly_usd_scale_up": 0.0,
        }
    ]
    assert main(["cost", str(case), "-c", str(CONFIG), "-o", str(out)]) == 0
    assert "on aws_eks_node_group.research: +$0 scale-up" in out.read_text()
