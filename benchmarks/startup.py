"""Start-up benchmark: the pre-commit case, one small input per kind, and ``--help``.

Each command runs ``--repeat`` times as its own process, the commands in rotating order so a
burst of load on this shared machine hits them alike; wall time, CPU time (user + system) and
peak RSS come from ``wait4``, the 1-minute load average is read before each run. The target
(issue #25: a small check and ``--help`` within 150 ms on a quiet 2-core machine) is judged on
the fastest wall time, the run least disturbed by other work, with the median CPU beside it.
With ``--instructions`` each command also runs once under valgrind's callgrind: the
instructions it executes, a figure machine load does not move.

    python -m benchmarks.startup [--repeat 15] [--instructions] [--dev] [--out benchmarks/results]

What is measured is a README-style install of this checkout (``benchmarks/install.py``:
non-editable ``pip install .``, bytecode compiled, built once per source tree), run through
its ``guardrails`` command with bytecode writing on, as a user runs it; ``--dev`` measures the
development install instead.

Writes ``startup.json`` and ``startup.md`` to ``--out``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.install import Install, child_env, readme_install
from benchmarks.machine import generated_now, machine

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
TARGET_S = 0.150


def commands(guardrails: list[str]) -> dict[str, list[str]]:
    """Label -> command, ``guardrails`` being how the measured install is run. The checks are
    what a pre-commit hook runs on one changed file."""
    return {
        "python -c pass": [sys.executable, "-c", "pass"],
        "--help": [*guardrails, "--help"],
        "check plan (table)": [
            *guardrails, "check", "--fail-on", "never",
            str(FIXTURES / "terraform-plan" / "gpu_training" / "plan.json"),
        ],
        "check plan (json)": [
            *guardrails, "check", "--fail-on", "never", "-f", "json",
            str(FIXTURES / "terraform-plan" / "gpu_training" / "plan.json"),
        ],
        "check .tf directory": [
            *guardrails, "check", "--fail-on", "never",
            str(FIXTURES / "terraform-hcl" / "gpu_cluster"),
        ],
        "check Kubernetes YAML": [
            *guardrails, "check", "--fail-on", "never",
            str(FIXTURES / "kubernetes" / "serving.yaml"),
        ],
        "check Pulumi preview": [
            *guardrails, "check", "--fail-on", "never", str(FIXTURES / "pulumi" / "preview.json"),
        ],
    }  # fmt: skip


#: The commands the 150 ms target applies to.
TARGETED = ("--help", "check plan (table)", "check plan (json)")


def run_once(command: list[str]) -> dict[str, Any]:
    """One process: wall and CPU seconds, peak RSS (MB), exit code and the load before it."""
    load = os.getloadavg()[0]
    env = child_env(NO_COLOR="1")
    start = time.perf_counter()
    process = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
        cwd=tempfile.gettempdir(),
    )
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    return {
        "wall_s": round(wall, 4),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 4),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "exit_code": process.returncode,
        "load_1m": round(load, 2),
    }


def instructions(command: list[str]) -> int | None:
    """Instructions ``command`` executes (callgrind), or None without valgrind."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        return None
    done = subprocess.run(
        [valgrind, "--tool=callgrind", "--callgrind-out-file=/dev/null", *command],
        capture_output=True,
        text=True,
        env=child_env(NO_COLOR="1"),
        cwd=tempfile.gettempdir(),
        check=False,
    )
    found = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
    return int(found.group(1).replace(",", "")) if found else None


def bench(
    repeat: int, count_instructions: bool = False, install: Install | None = None
) -> dict[str, Any]:
    """Every command ``repeat`` times in rotating order; the raw runs and their summary.

    ``install`` is the README-style install measured; without one, this checkout's Python
    runs ``-m guardrails`` (the development install)."""
    guardrails = [str(install.guardrails)] if install else [sys.executable, "-m", "guardrails"]
    planned = commands(guardrails)
    labels = list(planned)
    for label in labels:  # one unmeasured run each: bytecode caches written, files in cache
        run_once(planned[label])
    runs: dict[str, list[dict[str, Any]]] = {label: [] for label in labels}
    for round_ in range(repeat):
        shift = round_ % len(labels)
        for label in labels[shift:] + labels[:shift]:
            runs[label].append(run_once(planned[label]))
    rows = {}
    for label, measured in runs.items():
        rows[label] = {
            "min_wall_s": min(r["wall_s"] for r in measured),
            "median_wall_s": statistics.median(r["wall_s"] for r in measured),
            "min_cpu_s": min(r["cpu_s"] for r in measured),
            "median_cpu_s": statistics.median(r["cpu_s"] for r in measured),
            "median_peak_rss_mb": statistics.median(r["peak_rss_mb"] for r in measured),
            "median_load_1m": statistics.median(r["load_1m"] for r in measured),
            "exit_codes": sorted({r["exit_code"] for r in measured}),
            "instructions": instructions(planned[label]) if count_instructions else None,
            "runs": measured,
        }
    return {
        "generated": generated_now(),
        "machine": machine(),
        "install": install.describe() if install else f"development checkout ({sys.executable})",
        "repeat": repeat,
        "target_s": TARGET_S,
        "commands": {
            label: " ".join(Path(c).name if "/" in c else c for c in planned[label])
            for label in labels
        },
        "results": rows,
    }


def markdown(result: dict[str, Any]) -> str:
    """The results as a Markdown table, the targeted rows marked pass or fail."""
    machine = result["machine"]
    lines = [
        "# Start-up: one small input, and --help",
        "",
        f"Generated {result['generated']} by `python -m benchmarks.startup`; Python "
        f"{machine['python']}, {machine['cpus']} CPUs; {result['repeat']} runs of each "
        "command as its own process, in rotating order. Wall and CPU (user + system) in ms; "
        "load is the 1-minute load average before the runs (median). Target (issue #25): "
        f"{result['target_s'] * 1000:.0f} ms on a quiet machine, judged on the fastest wall.",
        "",
        f"Measured: {result.get('install', 'not recorded')}.",
        "",
        "| command | wall min | wall median | CPU min | CPU median | RSS MB | load "
        "| instructions | target |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for label, row in result["results"].items():
        counted = row.get("instructions")
        verdict = ""
        if label in TARGETED:
            verdict = "pass" if row["min_wall_s"] <= result["target_s"] else "fail"
        lines.append(
            f"| `{label}` | {row['min_wall_s'] * 1000:.0f} | {row['median_wall_s'] * 1000:.0f} "
            f"| {row['min_cpu_s'] * 1000:.0f} | {row['median_cpu_s'] * 1000:.0f} "
            f"| {row['median_peak_rss_mb']:.0f} | {row['median_load_1m']:.1f} "
            f"| {f'{counted / 1e6:,.0f} M' if counted else '-'} | {verdict} |"
        )
    lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--instructions", action="store_true", help="also count instructions")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    parser.add_argument(
        "--dev",
        action="store_true",
        help="measure this checkout's development install instead of a README-style install",
    )
    args = parser.parse_args(argv)
    result = bench(args.repeat, args.instructions, None if args.dev else readme_install())
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "startup.json").write_text(json.dumps(result, indent=2) + "\n")
    text = markdown(result)
    (args.out / "startup.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
