"""The default ``table`` output at scale: whole ``guardrails check`` processes, table vs JSON.

    python -m benchmarks.bench_table [--sizes 1000 10000] [--repeat 3]
        [--baseline-src DIR [--baseline-label TEXT]] [--out benchmarks/results]

For each size, the seeded Terraform plan (testing/generate.py) is checked with the default
engine, once per format per round, formats alternating (wall, user+system CPU and peak RSS from
``wait4``, medians). Output goes to a file, as in CI logs (no terminal: lines are not wrapped).
``--baseline-src`` runs the same commands with another checkout's ``guardrails`` package first
on ``PYTHONPATH`` (e.g. a worktree of the commit before a change) for a before/after table.
The report stage alone is timed in-process too (CPU seconds).
Writes ``table.json`` and ``table.md`` to ``--out``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.run import load_average, measure
from testing.generate import terraform_plan

ROOT = Path(__file__).resolve().parents[1]
FORMATS = ("table", "json")


def _env(source: Path | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "NO_COLOR")}
    if source is not None:
        env["PYTHONPATH"] = str(source)
    return env


def _report_cpu(path: Path, fmt: str, source: Path | None) -> float:
    """CPU seconds of the report stage alone, in a fresh process, with the code under test."""
    code = (
        "import sys, time\n"
        "from guardrails.api import ScanOptions, scan\n"
        "from guardrails.report import REPORTERS\n"
        "report = scan([sys.argv[1]], ScanOptions(no_config=True, engine='python'))\n"
        "start = time.process_time()\n"
        "REPORTERS[sys.argv[2]](report, False)\n"
        "print(time.process_time() - start)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(path), fmt],
        env=_env(source),
        capture_output=True,
        text=True,
        check=True,
        cwd=tempfile.gettempdir(),
    )
    return round(float(out.stdout.strip().splitlines()[-1]), 3)


def bench(
    sizes: list[int], repeat: int, baseline: Path | None, work: Path, label: str = ""
) -> dict[str, Any]:
    """Median wall/CPU/RSS per (code, size, format) and the report stage's CPU."""
    codes: dict[str, Path | None] = {"this checkout": None}
    if baseline is not None:
        codes = {"baseline": baseline, **codes}
    cells: list[dict[str, Any]] = []
    for size in sizes:
        path = work / f"terraform-{size}.json"
        path.write_text(json.dumps(terraform_plan(size)), encoding="utf-8")
        for code, source in codes.items():
            runs: dict[str, list[Any]] = {fmt: [] for fmt in FORMATS}
            for round_ in range(repeat):
                order = FORMATS if round_ % 2 == 0 else tuple(reversed(FORMATS))
                for fmt in order:
                    command = [sys.executable, "-m", "guardrails", "check", "--format", fmt]
                    command += ["--fail-on", "never", "--no-progress"]
                    command += ["--max-resources", str(2 * size + 1000), str(path)]
                    run, _ = measure(command, _env(source), 900)
                    runs[fmt].append(run)
            for fmt in FORMATS:
                ok = [r for r in runs[fmt] if not r.note and r.exit_code == 0]
                cells.append(
                    {
                        "code": code,
                        "size": size,
                        "format": fmt,
                        "runs": len(ok),
                        "wall_s": statistics.median(r.wall_s for r in ok) if ok else None,
                        "cpu_s": statistics.median(r.cpu_s for r in ok) if ok else None,
                        "peak_rss_mb": statistics.median(r.peak_rss_mb for r in ok) if ok else None,
                        "report_cpu_s": _report_cpu(path, fmt, source),
                    }
                )
    return {
        "generated": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "repeat": repeat,
        "baseline": (label or str(baseline)) if baseline else None,
        "cells": cells,
    }


def markdown(result: dict[str, Any], load: tuple[str, str]) -> str:
    """The figures as a table (benchmarks/results/table.md)."""
    lines = [
        "# Table output benchmark",
        "",
        f"Generated {result['generated']} by `python -m benchmarks.bench_table`; Python "
        f"{result['python']}, {result['cpus']} CPUs; median of {result['repeat']} alternating "
        "runs of whole `guardrails check --format table|json --fail-on never` processes on the "
        "seeded Terraform plans (output to a file: no terminal, lines not wrapped). `report CPU` "
        "is the report stage alone, in-process.",
        "",
        f"Machine load (1/5/15-min averages) at start {load[0]}, at end {load[1]}.",
        "",
        *([f"`baseline`: {result['baseline']}.", ""] if result.get("baseline") else []),
        "| code | N | format | wall s | CPU s | peak RSS MB | report CPU s |",
        "|---|---:|---|---:|---:|---:|---:|",
    ]
    for c in result["cells"]:
        lines.append(
            f"| {c['code']} | {c['size']:,} | {c['format']} | {c['wall_s']} | {c['cpu_s']} | "
            f"{c['peak_rss_mb']} | {c['report_cpu_s']} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline-src", type=Path, default=None)
    parser.add_argument("--baseline-label", default="", help="what the baseline code is")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    args = parser.parse_args()
    start = load_average()
    with tempfile.TemporaryDirectory() as work:
        result = bench(args.sizes, args.repeat, args.baseline_src, Path(work), args.baseline_label)
    end = load_average()
    result["load"] = {"start": start, "end": end}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "table.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    table = markdown(result, (start, end))
    (args.out / "table.md").write_text(table, encoding="utf-8")
    sys.stdout.write(table)


if __name__ == "__main__":
    main()
