"""Speed of user Rego: what one ``resources``-scoped user rule adds, and ``--engine rego``.

Whole ``guardrails check --format json`` processes on seeded Terraform plans
(testing/generate.py) of 1,000 and 10,000 resources:

- the default engine without and with a one-rule user policy ("GPU node group without an
  owner tag", ``custom.input: resources``) added with ``--policy-dir``, on each in-process Rego
  backend: regopy (what ``pip install`` of the README gives) and the OPA library;
- ``--engine rego`` with the bundled library against ``--engine python`` at the largest size.

Each run is a separate process; its CPU time (user + system, the sandbox child included) and
peak RSS come from ``wait4``. The machine is shared, so runs rotate and repeat, the table gives
medians and the load average is recorded. Targets (issue #21): the rule adds <= 0.3 s at 1,000
resources and <= 2 s at 10,000; ``--engine rego`` within 3x the python engine at 10,000.

    python -m benchmarks.user_rego [--sizes 1000 10000] [--repeat 3] [--label after]
        [--backends regopy opa] [--no-engine-rego] [--out benchmarks/results]

Results of each ``--label`` are kept in ``user_rego.json``; ``user_rego.md`` shows them all.
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

from benchmarks.run import measure
from guardrails.engines.rego import backend_available
from testing.generate import terraform_plan

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
#: The user policy of the issue: one comprehension over the resources, declared per resource.
USER_POLICY = """\
# METADATA
# title: GPU node group without an owner tag
# description: Every GPU node group names the team that owns it.
# scope: package
# custom:
#   id: BENCH-TAG-001
#   severity: medium
#   category: tagging
#   remediation: Add an owner tag to the node group.
#   input: resources
package guardrails.policy.bench_tag_001

import rego.v1

deny := [f |
\tsome r in input.resources
\tr.type == "aws_eks_node_group"
\tr.facts.is_gpu
\tnot r.facts.tags.owner
\tf := {"resource": r.id, "message": concat("", [r.address, " has GPUs and no owner tag"])}
]
"""
TARGET_ADDED_S = {1000: 0.3, 10000: 2.0}
TARGET_REGO_RATIO = 3.0


def check(
    plan: Path, engine: str, backend: str | None, policy_dir: Path | None, size: int
) -> dict[str, Any]:
    """One ``guardrails check`` process: wall, CPU, RSS, engine named, findings."""
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("GUARDRAILS_REGO_BACKEND", None)
    if backend:
        env["GUARDRAILS_REGO_BACKEND"] = backend
    command = [sys.executable, "-m", "guardrails", "check", "--format", "json"]
    command += ["--fail-on", "never", "--engine", engine, "--max-resources", str(2 * size + 1000)]
    if policy_dir is not None:
        command += ["--policy-dir", str(policy_dir)]
    run, text = measure([*command, str(plan)], env, timeout=1800)
    engine_name = _field(text, '"engine": "')
    findings = _field(text, '"findings": ') or ""
    return {
        "wall_s": run.wall_s,
        "cpu_s": run.cpu_s,
        "peak_rss_mb": run.peak_rss_mb,
        "exit": run.exit_code,
        "engine": engine_name,
        "findings": int(findings) if findings.isdigit() else None,
        "load": round(os.getloadavg()[0], 2),
    }


def _field(text: str, prefix: str) -> str | None:
    at = text.find(prefix, 0, 4096)
    if at < 0:
        return None
    start = at + len(prefix)
    end = start
    while end < len(text) and text[end] not in '",\n}':
        end += 1
    return text[start:end]


def _median(runs: list[dict[str, Any]], key: str) -> float:
    """The median over the runs that gave a report (a failed run is counted apart)."""
    good = [float(r[key]) for r in runs if r["exit"] == 0 and r["findings"] is not None]
    return round(statistics.median(good), 3) if good else float("nan")


def run_benchmark(
    sizes: list[int], repeat: int, backends: list[str], engine_rego: bool, work: Path
) -> dict[str, Any]:
    """Every cell's runs; cells named ``<size>/<case>``."""
    policy_dir = work / "policy"
    policy_dir.mkdir()
    (policy_dir / "bench_tag_001.rego").write_text(USER_POLICY, encoding="utf-8")
    cases: list[tuple[int, str, str, str | None, Path | None]] = []
    for size in sizes:
        cases.append((size, "auto", "auto", None, None))
        for backend in backends:
            cases.append((size, f"auto+rule/{backend}", "auto", backend, policy_dir))
    if engine_rego:
        size = max(sizes)
        cases.append((size, "python", "python", None, None))
        for backend in backends:
            cases.append((size, f"rego/{backend}", "rego", backend, None))
    plans = {}
    for size in sizes:
        plans[size] = work / f"plan-{size}.json"
        plans[size].write_text(json.dumps(terraform_plan(size)), encoding="utf-8")
    cells: dict[str, list[dict[str, Any]]] = {}
    for round_ in range(repeat):
        order = cases[round_ % len(cases) :] + cases[: round_ % len(cases)]
        for size, label, engine, pinned, directory in order:
            slow = label.startswith("rego/regopy") and round_ > 0
            if slow:
                continue  # minutes per run: once is enough to show where it stands
            run = check(plans[size], engine, pinned, directory, size)
            cells.setdefault(f"{size}/{label}", []).append(run)
            print(f"{size} {label}: {run}", file=sys.stderr)
    return {
        key: {
            "runs": runs,
            "wall_s": _median(runs, "wall_s"),
            "cpu_s": _median(runs, "cpu_s"),
            "peak_rss_mb": _median(runs, "peak_rss_mb"),
            "engine": next((r["engine"] for r in runs if r["engine"]), None),
            "findings": next((r["findings"] for r in runs if r["findings"] is not None), None),
            "failed": sum(1 for r in runs if r["exit"] != 0 or r["findings"] is None),
        }
        for key, runs in cells.items()
    }


def markdown(results: dict[str, Any]) -> str:
    """The figures of every label, with the added cost of the rule and the targets."""
    lines = [
        "# Speed of user Rego",
        "",
        "Generated by `python -m benchmarks.user_rego`: whole `guardrails check --format json` "
        "processes on seeded Terraform plans (testing/generate.py); medians of the runs, CPU = "
        "user + system of the process and its sandbox child (`wait4`). The machine is shared "
        "(load average at each run below); CPU time is the steadier figure.",
        "",
    ]
    for label, result in results.items():
        cells = result["cells"]
        lines += [
            f"## {label}",
            "",
            f"{result['when']}, guardrails at {result['commit']}, Python {result['python']}, "
            f"{result['repeat']} rounds (--engine rego on regopy once), load average "
            f"{result['load_before']} before / {result['load_after']} after.",
            "",
            "| size | case | engine | findings | runs | wall s | CPU s | added CPU s | RSS MB "
            "| target |",
            "|---:|---|---|---:|---:|---:|---:|---:|---:|---|",
        ]
        for key, cell in cells.items():
            size_text, case = key.split("/", 1)
            failed = cell.get("failed", 0)
            runs = f"{len(cell['runs'])}" + (f" ({failed} failed)" if failed else "")
            size = int(size_text)
            if failed == len(cell["runs"]):  # no report: at least what the runs spent
                spent = max(r["cpu_s"] for r in cell["runs"])
                wall = max(r["wall_s"] for r in cell["runs"])
                exits = ", ".join(sorted({str(r["exit"]) for r in cell["runs"]}))
                exits += " (killed at the time limit)" if "-9" in exits else ""
                lines.append(
                    f"| {size:,} | {case} | (no report) | | {runs} | ≥ {wall:.0f} | "
                    f"≥ {spent:.1f} | | | exit {exits} |"
                )
                continue
            base = cells.get(f"{size}/auto")
            added = target = ""
            if case.startswith("auto+rule") and base:
                extra = cell["cpu_s"] - base["cpu_s"]
                added = f"{extra:+.2f}"
                limit = TARGET_ADDED_S.get(size)
                if limit is not None:
                    target = f"≤ {limit} s: {'met' if extra <= limit else 'not met'}"
            python = cells.get(f"{size}/python")
            if case.startswith("rego/") and python:
                ratio = cell["cpu_s"] / python["cpu_s"]
                added = f"{ratio:.1f}x python"
                met = "met" if ratio <= TARGET_REGO_RATIO else "not met"
                target = f"≤ {TARGET_REGO_RATIO:g}x: {met}"
            lines.append(
                f"| {size:,} | {case} | {cell['engine']} | {cell['findings']} | {runs} | "
                f"{cell['wall_s']:.2f} | {cell['cpu_s']:.2f} | {added} | "
                f"{cell['peak_rss_mb']:.0f} | {target} |"
            )
        lines.append("")
    return "\n".join(lines)


def _commit() -> str:
    done = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    )
    return done.stdout.strip() or "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--label", default="after")
    parser.add_argument("--backends", nargs="+", default=["regopy", "opa"])
    parser.add_argument("--no-engine-rego", action="store_true")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    backends = [b for b in args.backends if backend_available(b)]
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    with tempfile.TemporaryDirectory(prefix="guardrails-user-rego-") as tmp:
        cells = run_benchmark(args.sizes, args.repeat, backends, not args.no_engine_rego, Path(tmp))
    args.out.mkdir(parents=True, exist_ok=True)
    stored = args.out / "user_rego.json"
    results: dict[str, Any] = (
        json.loads(stored.read_text(encoding="utf-8")) if stored.exists() else {}
    )
    results[args.label] = {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": _commit(),
        "python": platform.python_version(),
        "repeat": args.repeat,
        "load_before": load_before,
        "load_after": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "cells": cells,
    }
    stored.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    (args.out / "user_rego.md").write_text(markdown(results), encoding="utf-8")
    print(markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
