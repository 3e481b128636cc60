"""End-to-end benchmark: whole ``guardrails check --format json`` processes against Checkov.

For each input kind and size N, the seeded generators (testing/generate.py) write one input;
then every engine and Checkov run on it in turn, the order rotating each round so a burst of
load on this shared machine hits every tool alike. Each run is a separate process: its wall
time, CPU time (user + system) and peak RSS come from ``wait4``. The table gives medians, the
ratios to Checkov and to the default engine, and pass/fail against each target of issue #11.

    python -m benchmarks.run [--sizes 100 1000 10000 50000] [--kinds terraform kubernetes pulumi]
        [--engines auto rego/opa-lib rego/regopy] [--repeat 3] [--no-checkov]
        [--checkov-max 10000] [--timeout 900] [--out benchmarks/results]

Checkov (3.x) is installed by the harness into its own virtual environment
(``--checkov-venv``, default ``~/.cache/guardrails-bench/checkov-venv``) from PyPI. It has no
Pulumi support, so Pulumi rows compare the engines only. guardrails runs from a README-style
install of this checkout (``benchmarks/install.py``: non-editable ``pip install .``, bytecode
compiled, built once per source tree under the cache), as a user runs it; ``--dev`` measures
the development install. Writes ``e2e-<UTC time>.json``,
``latest.json`` and ``latest.md`` to ``--out``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.install import CACHE, Install, child_env, readme_install
from benchmarks.machine import generated_now, machine
from testing.generate import SUFFIX

ROOT = Path(__file__).resolve().parents[1]
CHECKOV_SPEC = "checkov>=3.2,<4"
#: Engine label -> (``--engine`` value, GUARDRAILS_REGO_BACKEND or None).
ENGINES = {
    "auto": ("auto", None),
    "python": ("python", None),
    "rego/opa-lib": ("rego", "opa"),
    "rego/regopy": ("rego", "regopy"),
}
#: Tools that run once (not ``--repeat`` times) at sizes of ``--once-from`` and more.
SLOW_TOOLS = ("checkov", "rego/regopy")
CHECKOV_FRAMEWORK = {"terraform": "terraform_plan", "kubernetes": "kubernetes"}


@dataclass
class Run:
    """One process: what ran, on what, and what it cost."""

    tool: str
    kind: str
    size: int
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    exit_code: int
    findings: int | None = None
    engine: str | None = None
    note: str = ""
    #: The 1-minute load average just before the run: how busy the shared machine was.
    load_1m: float | None = None


@dataclass
class Cell:
    """The median of the runs of one tool on one input."""

    tool: str
    kind: str
    size: int
    runs: list[Run] = field(default_factory=list)

    def median(self, attribute: str) -> float | None:
        values = [getattr(r, attribute) for r in self.runs if not r.note]
        return statistics.median(values) if values else None


def load_average() -> str:
    """``uptime``'s load averages (1, 5, 15 min): how busy the shared machine was."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def measure(command: list[str], env: dict[str, str], timeout: float) -> tuple[Run, str]:
    """Run ``command``; stdout goes to a temporary file whose text is returned."""
    load_1m = round(os.getloadavg()[0], 2)
    with tempfile.TemporaryFile("w+", encoding="utf-8") as out:
        start = time.perf_counter()
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.DEVNULL, env=env, cwd=tempfile.gettempdir()
        )
        note = ""
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                process.kill()
                pid, status, usage = os.wait4(process.pid, 0)
                note = f"timeout > {timeout:.0f} s"
                break
            time.sleep(0.005)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        # Only the head and the tail: all that is parsed, and this process stays small.
        size = out.seek(0, os.SEEK_END)
        out.seek(0)
        text = out.read(8192)
        if size > 8192:
            out.seek(max(8192, size - 65536))
            text += "\n" + out.read()
    run = Run(
        tool="",
        kind="",
        size=0,
        wall_s=round(wall, 3),
        cpu_s=round(usage.ru_utime + usage.ru_stime, 3),
        peak_rss_mb=round(usage.ru_maxrss / 1024, 1),
        exit_code=process.returncode,
        note=note,
        load_1m=load_1m,
    )
    return run, text


def guardrails_run(
    label: str, path: Path, kind: str, size: int, timeout: float, guardrails: list[str]
) -> Run:
    """``guardrails`` (the command of the measured install) checking ``path``."""
    engine, backend = ENGINES[label]
    env = child_env(NO_COLOR="1")
    if backend:
        env["GUARDRAILS_REGO_BACKEND"] = backend
    command = [*guardrails, "check", "--format", "json"]
    command += ["--fail-on", "never", "--engine", engine, "--max-resources", str(2 * size + 1000)]
    command += [str(path)]
    run, text = measure(command, env, timeout)
    run.tool, run.kind, run.size = label, kind, size
    if not run.note:
        # The engine and the summary come before the findings: read them from the head, so
        # this process never holds a big report (its size would count in the next child's RSS).
        named = _ENGINE.search(text, 0, 4096)
        counted = _FINDINGS.search(text, 0, 4096)
        if named and counted:
            run.engine, run.findings = named[1], int(counted[1])
        else:
            run.note = f"exit {run.exit_code}, no JSON report"
    return run


_ENGINE = re.compile(r'"engine": "([^"]*)"')
_FINDINGS = re.compile(r'"findings": (\d+)')
_CHECKOV_FAILED = re.compile(r'"failed": (\d+)')


def checkov_python(venv: Path) -> Path:
    """The Python of a virtual environment holding Checkov, created on first use."""
    python = venv / "bin" / "python"
    probe = [str(python), "-c", "import checkov"]
    if python.exists() and subprocess.run(probe, capture_output=True).returncode == 0:
        return python
    print(f"installing {CHECKOV_SPEC} into {venv} ...", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", CHECKOV_SPEC], check=True)
    return python


def checkov_version(python: Path) -> str:
    done = subprocess.run(
        [str(python), "-m", "checkov.main", "--version"], capture_output=True, text=True
    )
    return done.stdout.strip() or "unknown"


def checkov_run(python: Path, path: Path, kind: str, size: int, timeout: float) -> Run:
    command = [str(python), "-m", "checkov.main", "-f", str(path)]
    command += ["--framework", CHECKOV_FRAMEWORK[kind], "-o", "json", "--quiet", "--compact"]
    command += ["--skip-download"]
    env = {**os.environ, "BC_SKIP_MAPPING": "TRUE"}
    run, text = measure(command, env, timeout)
    run.tool, run.kind, run.size = "checkov", kind, size
    if not run.note:
        failed = _CHECKOV_FAILED.findall(text)
        if failed:
            run.findings = sum(int(n) for n in failed)
        else:
            run.note = f"exit {run.exit_code}, no JSON report"
    return run


#: The floor each input is measured against: Python reading the same file in its own process.
FLOOR = "floor"
_FLOOR_CODE = """
import json, sys
path = sys.argv[1]
if path.endswith((".yaml", ".yml")):
    import yaml
    with open(path, encoding="utf-8") as f:
        list(yaml.load_all(f, Loader=yaml.CSafeLoader))
    print("yaml.CSafeLoader")
else:
    with open(path, encoding="utf-8") as f:
        json.load(f)
    print("json.load")
"""
#: The pre-commit case: one small plan, checked as a developer's hook checks it.
SMALL_PLAN = ROOT / "fixtures" / "terraform-plan" / "gpu_training" / "plan.json"


def floor_run(path: Path, kind: str, size: int, timeout: float) -> Run:
    """Python's own parser reading ``path`` (``json.load``; libyaml for YAML streams)."""
    run, text = measure([sys.executable, "-c", _FLOOR_CODE, str(path)], child_env(), timeout)
    run.tool, run.kind, run.size = FLOOR, kind, size
    run.engine = text.strip() or None
    if run.exit_code and not run.note:
        run.note = f"exit {run.exit_code}"
    return run


def command_runs(command: list[str], repeat: int) -> dict[str, Any]:
    """Median wall and CPU seconds of ``repeat`` runs of a short command, with the load."""
    runs = [measure(command, child_env(NO_COLOR="1"), 60)[0] for _ in range(repeat)]
    return {
        "wall_s": statistics.median(r.wall_s for r in runs),
        "cpu_s": statistics.median(r.cpu_s for r in runs),
        "peak_rss_mb": statistics.median(r.peak_rss_mb for r in runs),
        "load_1m": statistics.median(r.load_1m or 0.0 for r in runs),
        "runs": [asdict(r) for r in runs],
    }


def help_run(repeat: int, guardrails: list[str]) -> tuple[float, float]:
    """Median wall and CPU seconds of ``guardrails --help``."""
    runs = [measure([*guardrails, "--help"], child_env(), 60)[0] for _ in range(repeat)]
    return statistics.median(r.wall_s for r in runs), statistics.median(r.cpu_s for r in runs)


def run_benchmark(
    sizes: list[int],
    kinds: list[str],
    engines: list[str],
    repeat: int = 3,
    checkov: Path | None = None,
    checkov_max: int = 10000,
    timeout: float = 900.0,
    work: Path | None = None,
    limits: dict[tuple[str | None, str], int] | None = None,
    once_from: int | None = None,
    all_once_from: int | None = None,
    on_block: Callable[[dict[str, Any]], Any] | None = None,
    floor: bool = True,
    checkov_reference: dict[str, Any] | None = None,
    install: Install | None = None,
    dev: bool = False,
) -> dict[str, Any]:
    """Every tool on every (kind, size); returns the raw document (see ``markdown``).

    guardrails runs from ``install``, a README-style install of this checkout (built, or
    reused from the cache, when None), as a user runs it; with ``dev`` from this checkout's
    development install (``python -m guardrails``) instead.

    With ``floor`` Python's own parser reads each input in the same rotation (the ratios of
    issue #25); ``checkov_reference`` is an earlier results document whose Checkov cells stand
    in, labelled with their date, when Checkov cannot run here.

    ``limits`` caps the sizes a tool runs at, per kind or for all (kind None); at sizes of
    ``once_from`` and more the slow tools (Checkov, regopy) run in the first round only, from
    ``all_once_from`` every tool does.
    """
    limits = limits or {}

    def allowed(kind: str, size: int, tool: str) -> bool:
        cap = limits.get((kind, tool), limits.get((None, tool)))
        return cap is None or size <= cap

    work = work or CACHE / "inputs"
    cells: dict[tuple[str, int, str], Cell] = {}
    loads = {"start": load_average()}
    given_up: set[tuple[str, str]] = set()  # (kind, tool) that timed out at a smaller size
    if dev:
        guardrails = [sys.executable, "-m", "guardrails"]
        measured = f"development checkout ({sys.executable} -m guardrails)"
    else:
        install = install or readme_install()
        guardrails, measured = [str(install.guardrails)], install.describe()
    help_wall_cpu = help_run(max(repeat, 3), guardrails)
    small_check = [*guardrails, "check", "--fail-on", "never", str(SMALL_PLAN)]
    small = command_runs(small_check, 2 * repeat + 1)
    help_runs = command_runs([*guardrails, "--help"], 2 * repeat + 1)
    checkov_name = checkov_version(checkov) if checkov else None
    reference = _checkov_cells(checkov_reference) if checkov is None else []

    def document() -> dict[str, Any]:
        return {
            "generated": generated_now(),
            "machine": machine(
                load_average_1_5_15={**loads, "end": loads.get("end", load_average())}
            ),
            "checkov": checkov_name,
            "install": measured,
            "repeat": repeat,
            "once_from": once_from,
            "all_once_from": all_once_from,
            "limits": {f"{k or '*'}:{t}": n for (k, t), n in limits.items()},
            "help_wall_cpu_s": help_wall_cpu,
            "small_check": small,
            "help": help_runs,
            "checkov_reference": (checkov_reference or {}).get("generated") if reference else None,
            "cells": reference
            + [
                {
                    "tool": c.tool,
                    "kind": c.kind,
                    "size": c.size,
                    "median_wall_s": c.median("wall_s"),
                    "median_cpu_s": c.median("cpu_s"),
                    "median_peak_rss_mb": c.median("peak_rss_mb"),
                    "runs": [asdict(r) for r in c.runs],
                }
                for c in cells.values()
            ],
        }

    for kind in kinds:
        for size in sizes:
            path = work / f"{kind}-{size}{SUFFIX[kind]}"
            if not path.exists():
                # In a child process: a generated 50k plan would leave this process large,
                # and a child's peak RSS starts from its parent's size at fork.
                command = [sys.executable, "-m", "testing.generate", kind, str(size)]
                subprocess.run([*command, "-o", str(path)], check=True, cwd=ROOT)
            tools = [t for t in engines if allowed(kind, size, t)]
            if floor:
                tools.insert(0, FLOOR)
            if (
                checkov is not None
                and kind in CHECKOV_FRAMEWORK
                and size <= checkov_max
                and allowed(kind, size, "checkov")
            ):
                tools.append("checkov")
            for round_index in range(repeat):
                shift = round_index % len(tools)
                for tool in tools[shift:] + tools[:shift]:
                    cell = cells.setdefault((kind, size, tool), Cell(tool, kind, size))
                    if (kind, tool) in given_up:
                        continue
                    slow = tool in SLOW_TOOLS and once_from is not None and size >= once_from
                    every_once = all_once_from is not None and size >= all_once_from
                    if (slow or every_once) and round_index > 0:
                        continue
                    if tool == FLOOR:
                        run = floor_run(path, kind, size, timeout)
                    elif tool == "checkov" and checkov is not None:
                        run = checkov_run(checkov, path, kind, size, timeout)
                    else:
                        run = guardrails_run(tool, path, kind, size, timeout, guardrails)
                    cell.runs.append(run)
                    print(
                        f"{kind:<10} {size:>6} {tool:<13} {run.wall_s:8.2f} s "
                        f"{run.cpu_s:7.2f} s CPU {run.peak_rss_mb:7.0f} MB "
                        f"load {run.load_1m} {run.note}",
                        file=sys.stderr,
                    )
                    if run.note.startswith("timeout"):
                        given_up.add((kind, tool))
            loads[f"{kind} {size}"] = load_average()
            if on_block is not None:
                on_block(document())
    loads["end"] = load_average()
    return document()


def _checkov_cells(reference: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The Checkov cells of an earlier results document, labelled with its date."""
    if not reference:
        return []
    day = str(reference.get("generated", ""))[:10]
    return [
        {**cell, "tool": f"checkov ({day})"}
        for cell in reference.get("cells", [])
        if cell.get("tool") == "checkov"
    ]


def with_checkov(document: dict[str, Any], reference: dict[str, Any]) -> dict[str, Any]:
    """``document`` with Checkov's cells (and version) taken from ``reference``, dated."""
    cells = [c for c in document["cells"] if not c["tool"].startswith("checkov")]
    return {
        **document,
        "checkov": reference.get("checkov"),
        "checkov_reference": reference.get("generated"),
        "cells": _checkov_cells(reference) + cells,
    }


# --- the table and the targets -------------------------------------------------------------


def _cell(result: dict[str, Any], kind: str, size: int, tool: str) -> dict[str, Any] | None:
    for cell in result["cells"]:
        if (cell["kind"], cell["size"], cell["tool"]) == (kind, size, tool):
            return cell if cell["median_wall_s"] is not None else None
    return None


def _checkov(result: dict[str, Any], kind: str, size: int) -> dict[str, Any] | None:
    """Checkov's cell: measured in this run, else the earlier run's it was given."""
    found: list[dict[str, Any]] = [
        cell
        for cell in result["cells"]
        if (cell["kind"], cell["size"]) == (kind, size)
        and cell["tool"].startswith("checkov")
        and cell["median_wall_s"] is not None
    ]
    return found[0] if found else None


def _timeout_of(result: dict[str, Any], kind: str, size: int, tool: str) -> float | None:
    """The wall time a tool was given before it was stopped, when it timed out there."""
    for cell in result["cells"]:
        if (cell["kind"], cell["size"], cell["tool"]) == (kind, size, tool):
            walls = [r["wall_s"] for r in cell["runs"] if r["note"].startswith("timeout")]
            return min(walls) if walls else None
    return None


def _why_missing(result: dict[str, Any], kind: str, size: int, tool: str) -> str:
    for cell in result["cells"]:
        if (cell["kind"], cell["size"], cell["tool"]) == (kind, size, tool):
            notes = {r["note"] for r in cell["runs"] if r["note"]}
            return ", ".join(sorted(notes)) or "not run (timed out at a smaller size)"
    return "not run"


def targets(result: dict[str, Any], default: str = "auto") -> list[tuple[str, str, bool | None]]:
    """(target, measured, passed) for every target of issue #11; None: could not be measured."""
    rows: list[tuple[str, str, bool | None]] = []
    kinds = sorted({c["kind"] for c in result["cells"]})
    sizes = sorted({c["size"] for c in result["cells"]})
    for kind in kinds:
        big = _cell(result, kind, 10000, default)
        if big:
            wall, rss = big["median_wall_s"], big["median_peak_rss_mb"]
            cpu = big["median_cpu_s"]
            rows.append((f"{kind} 10k: < 2 s wall", f"{wall:.2f} s", wall < 2.0))
            rows.append(
                (
                    f"{kind} 10k: < 2 s CPU (the wall target on a quiet machine)",
                    f"{cpu:.2f} s",
                    cpu < 2.0,
                )
            )
            rows.append((f"{kind} 10k: ≤ 300 MB peak RSS", f"{rss:.0f} MB", rss <= 300))
            checkov = _checkov(result, kind, 10000)
            timed_out = _timeout_of(result, kind, 10000, "checkov")
            if checkov is None and timed_out:
                ratio = timed_out / wall
                rows.append(
                    (
                        f"{kind} 10k: ≥ 50x faster than Checkov",
                        f"> {ratio:.0f}x (Checkov timed out)",
                        ratio >= 50,
                    )
                )
            if checkov:
                ratio = checkov["median_wall_s"] / wall
                rows.append(
                    (f"{kind} 10k: ≥ 50x faster than Checkov", f"{ratio:.0f}x", ratio >= 50)
                )
        small = _cell(result, kind, 1000, default)
        if small:
            wall = small["median_wall_s"]
            rows.append((f"{kind} 1k: < 0.5 s wall", f"{wall:.2f} s", wall < 0.5))
            cpu = small["median_cpu_s"]
            rows.append((f"{kind} 1k: < 0.5 s CPU", f"{cpu:.2f} s", cpu < 0.5))
        for low, high in itertools.pairwise(sizes):
            a, b = _cell(result, kind, low, default), _cell(result, kind, high, default)
            if a and b and low >= 1000:
                growth = b["median_wall_s"] / a["median_wall_s"]
                allowed = 1.1 * high / low
                rows.append(
                    (
                        f"{kind} {low:,}→{high:,}: time ≤ {allowed:.1f}x (1.1 x input growth)",
                        f"{growth:.1f}x",
                        growth <= allowed,
                    )
                )
        for rego in ("rego/opa-lib", "rego/regopy"):
            cell = _cell(result, kind, 10000, rego)
            python = _cell(result, kind, 10000, default)
            if cell and python:
                ratio = cell["median_wall_s"] / python["median_wall_s"]
                rows.append(
                    (f"{kind} 10k: {rego} within 3x of python", f"{ratio:.1f}x", ratio <= 3)
                )
            elif python and any(
                c["tool"] == rego and c["kind"] == kind and c["size"] == 10000
                for c in result["cells"]
            ):
                rows.append(
                    (
                        f"{kind} 10k: {rego} within 3x of python",
                        _why_missing(result, kind, 10000, rego),
                        False,
                    )
                )
    if result.get("help_wall_cpu_s"):
        wall, cpu = result["help_wall_cpu_s"]
        rows.append(("guardrails --help < 300 ms wall", f"{wall * 1000:.0f} ms", wall < 0.3))
        rows.append(("guardrails --help < 300 ms CPU", f"{cpu * 1000:.0f} ms", cpu < 0.3))
    return rows


def speed_targets(
    result: dict[str, Any], default: str = "auto"
) -> list[tuple[str, str, bool | None]]:
    """(target, measured, passed) for every target of issue #25 (speed at the floor).

    Wall times count only on a quiet machine; on a shared one CPU time (user + system) is the
    stand-in, and the ratio to the floor uses both, measured in the same rotation.
    """
    rows: list[tuple[str, str, bool | None]] = []
    kinds = sorted({c["kind"] for c in result["cells"]})
    for kind in kinds:
        big, floor = _cell(result, kind, 10000, default), _cell(result, kind, 10000, FLOOR)
        if big and floor:
            wall = big["median_wall_s"] / floor["median_wall_s"]
            cpu = big["median_cpu_s"] / floor["median_cpu_s"]
            parser = next((r["engine"] for r in floor["runs"] if r.get("engine")), "json.load")
            rows.append(
                (
                    f"{kind} 10k: end to end ≤ 1.5x {parser} of the same file (wall / CPU)",
                    f"{wall:.2f}x / {cpu:.2f}x",
                    cpu <= 1.5,
                )
            )
        if big:
            rows.append(
                (
                    f"{kind} 10k: < 1 s (CPU; wall {big['median_wall_s']:.2f} s)",
                    f"{big['median_cpu_s']:.2f} s",
                    big["median_cpu_s"] < 1.0,
                )
            )
            rss = big["median_peak_rss_mb"]
            rows.append((f"{kind} 10k: ≤ 200 MB peak RSS", f"{rss:.0f} MB", rss <= 200))
        huge = _cell(result, kind, 100000, default)
        if big and huge:
            growth = huge["median_cpu_s"] / big["median_cpu_s"]
            rows.append(
                (
                    f"{kind} 10k→100k: linear, ≤ 11x the 10k time (CPU; wall "
                    f"{huge['median_wall_s'] / big['median_wall_s']:.1f}x)",
                    f"{growth:.1f}x",
                    growth <= 11,
                )
            )
        if huge:
            rss = huge["median_peak_rss_mb"]
            rows.append((f"{kind} 100k: ≤ 1.5 GB peak RSS", f"{rss:.0f} MB", rss <= 1536))
    for key, label in (
        ("small_check", "`guardrails check` of one small plan"),
        ("help", "`--help`"),
    ):
        measured = result.get(key)
        if measured:
            rows.append(
                (
                    f"{label} ≤ 150 ms (CPU; wall {measured['wall_s'] * 1000:.0f} ms at load "
                    f"{measured['load_1m']:.1f})",
                    f"{measured['cpu_s'] * 1000:.0f} ms",
                    measured["cpu_s"] <= 0.15,
                )
            )
    return rows


def markdown(result: dict[str, Any], default: str = "auto") -> str:
    """The results as Markdown: one table per input kind, then the targets."""
    machine = result["machine"]
    loads = machine["load_average_1_5_15"]
    lines = [
        "# End-to-end benchmark: guardrails vs Checkov",
        "",
        f"Generated {result['generated']} by `python -m benchmarks.run`; Python "
        f"{machine['python']}, {machine['cpus']} CPUs; Checkov {result['checkov'] or 'not run'}; "
        f"median of {result['repeat']} alternating runs of whole `guardrails check --format json` "
        "processes (wall, user+system CPU, peak RSS from wait4)"
        + (
            f"; Checkov and regopy run once from N = {result['once_from']:,}"
            if result.get("once_from")
            else ""
        )
        + (
            f"; every tool once from N = {result['all_once_from']:,}"
            if result.get("all_once_from")
            else ""
        )
        + (f"; size limits {result['limits']}" if result.get("limits") else "")
        + ".",
        "",
        f"Machine load (1/5/15-min averages) at start {loads['start']}, at end {loads['end']}. "
        "The machine is shared: wall times rise with load, CPU times and ratios hold better.",
        "",
        f"guardrails measured: {result.get('install', 'not recorded')}.",
        "",
    ]
    if result.get("note"):
        lines += [str(result["note"]), ""]
    if result.get("checkov_reference"):
        lines += [
            f"Checkov's rows come from a run of their own, {result['checkov_reference']}, on "
            "the same generated inputs (labelled with that date).",
            "",
        ]
    tools = []
    for cell in result["cells"]:
        if cell["tool"] not in tools:
            tools.append(cell["tool"])
    for kind in sorted({c["kind"] for c in result["cells"]}):
        lines += [f"## {kind}", ""]
        lines.append(
            "| N | tool | engine | wall s | CPU s | peak RSS MB | load | findings "
            "| vs floor (wall / CPU) | vs Checkov | vs default |"
        )
        lines.append("|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for size in sorted({c["size"] for c in result["cells"] if c["kind"] == kind}):
            checkov = _checkov(result, kind, size)
            base = _cell(result, kind, size, default)
            floor = _cell(result, kind, size, FLOOR)
            for tool in tools:
                cell = _cell(result, kind, size, tool)
                if cell is None:
                    if any(
                        c["tool"] == tool and c["kind"] == kind and c["size"] == size
                        for c in result["cells"]
                    ):
                        lines.append(
                            f"| {size:,} | {tool} | | "
                            f"{_why_missing(result, kind, size, tool)} | | | | | | | |"
                        )
                    continue
                wall = cell["median_wall_s"]
                runs = [r for r in cell["runs"] if not r["note"]]
                engine = runs[0]["engine"] or "" if runs else ""
                findings = runs[0]["findings"] if runs else None
                vs_checkov = (
                    f"{checkov['median_wall_s'] / wall:.1f}x faster"
                    if checkov and tool != FLOOR and not tool.startswith("checkov")
                    else ""
                )
                vs_floor = (
                    f"{wall / floor['median_wall_s']:.2f}x / "
                    f"{cell['median_cpu_s'] / floor['median_cpu_s']:.2f}x"
                    if floor and tool not in (FLOOR,) and not tool.startswith("checkov")
                    else ""
                )
                loads = [r["load_1m"] for r in runs if r.get("load_1m") is not None]
                load = f"{statistics.median(loads):.1f}" if loads else ""
                vs_default = (
                    f"{wall / base['median_wall_s']:.1f}x"
                    if base and tool not in (default, FLOOR) and not tool.startswith("checkov")
                    else ""
                )
                lines.append(
                    f"| {size:,} | {tool} | {engine} | {wall:.2f} | {cell['median_cpu_s']:.2f} | "
                    f"{cell['median_peak_rss_mb']:.0f} | {load} | "
                    f"{findings if findings is not None else ''} | "
                    f"{vs_floor} | {vs_checkov} | {vs_default} |"
                )
        lines.append("")
    lines += [
        "## Targets (issue #25: speed at the floor, default engine)",
        "",
        "The floor is Python reading the same file in its own process, in the same rotation "
        "(`json.load`; libyaml's `CSafeLoader` for a YAML stream, which `json.load` cannot read). "
        "CPU time stands in for the wall time of a quiet machine.",
        "",
        "| target | measured | result |",
        "|---|---:|---|",
    ]
    for target, measured, passed in speed_targets(result, default):
        verdict = "n/a" if passed is None else ("PASS" if passed else "FAIL")
        lines.append(f"| {target} | {measured} | {verdict} |")
    lines += [
        "",
        "## Targets (issue #11, default engine)",
        "",
        "| target | measured | result |",
        "|---|---:|---|",
    ]
    for target, measured, passed in targets(result, default):
        verdict = "n/a" if passed is None else ("PASS" if passed else "FAIL")
        lines.append(f"| {target} | {measured} | {verdict} |")
    lines += [
        "",
        "Findings differ between guardrails and Checkov by design: different policy sets "
        "(Checkov counts failed checks of its own library).",
    ]
    return "\n".join(lines) + "\n"


def write_results(result: dict[str, Any], out: Path, final: bool = True) -> Path:
    """``latest.json`` and ``latest.md`` (and, when ``final``, a time-stamped copy)."""
    out.mkdir(parents=True, exist_ok=True)
    stamp = result["generated"].replace(":", "").replace("-", "")
    text = json.dumps(result, indent=1) + "\n"
    if final:
        (out / f"e2e-{stamp}.json").write_text(text, encoding="utf-8")
    (out / "latest.json").write_text(text, encoding="utf-8")
    table = out / "latest.md"
    table.write_text(markdown(result), encoding="utf-8")
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000, 50000])
    parser.add_argument("--kinds", nargs="+", default=["terraform", "kubernetes", "pulumi"])
    parser.add_argument("--engines", nargs="+", default=["auto", "rego/opa-lib", "rego/regopy"])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-checkov", action="store_true")
    parser.add_argument("--checkov-venv", type=Path, default=CACHE / "checkov-venv")
    parser.add_argument("--checkov-max", type=int, default=10000, help="Largest N for Checkov.")
    parser.add_argument("--timeout", type=float, default=900.0, help="Seconds per process.")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    parser.add_argument("--work", type=Path, default=CACHE / "inputs", help="Generated inputs.")
    parser.add_argument(
        "--limit",
        action="append",
        default=[],
        metavar="[KIND:]TOOL=N",
        help="Largest N for a tool (for one input kind), e.g. kubernetes:checkov=1000.",
    )
    parser.add_argument(
        "--once-from", type=int, default=None, help="Checkov and regopy run once from this N."
    )
    parser.add_argument("--all-once-from", type=int, default=None, help="All run once from N.")
    parser.add_argument(
        "--render", type=Path, default=None, help="Only re-render the table of a results JSON."
    )
    parser.add_argument("--no-floor", action="store_true", help="Skip the json.load floor.")
    parser.add_argument(
        "--dev",
        action="store_true",
        help="Measure this checkout's development install, not a README-style install.",
    )
    parser.add_argument(
        "--checkov-reference",
        type=Path,
        default=None,
        help="Checkov's cells from this results JSON, dated: with --no-checkov in place of "
        "running it, with --render merged into the rendered results (written to --out).",
    )
    args = parser.parse_args()
    if args.render:
        document = json.loads(args.render.read_text(encoding="utf-8"))
        if args.checkov_reference:
            # Checkov measured in a run of its own on the same inputs: its cells join these.
            reference = json.loads(args.checkov_reference.read_text(encoding="utf-8"))
            document = with_checkov(document, reference)
            write_results(document, args.out, final=False)
        sys.stdout.write(markdown(document))
        return
    limits: dict[tuple[str | None, str], int] = {}
    for item in args.limit:
        target, _, size = item.partition("=")
        kind, _, tool = target.rpartition(":")
        limits[(kind or None, tool)] = int(size)
    unknown = [e for e in args.engines if e not in ENGINES]
    if unknown:
        parser.error(f"unknown engine(s) {unknown}; choose from {sorted(ENGINES)}")
    checkov = None if args.no_checkov else checkov_python(args.checkov_venv)
    result = run_benchmark(
        args.sizes,
        args.kinds,
        args.engines,
        args.repeat,
        checkov,
        args.checkov_max,
        args.timeout,
        args.work,
        limits,
        args.once_from,
        args.all_once_from,
        on_block=lambda partial: write_results(
            partial, args.out, final=False
        ),  # partial results survive
        floor=not args.no_floor,
        checkov_reference=json.loads(args.checkov_reference.read_text(encoding="utf-8"))
        if args.checkov_reference
        else None,
        dev=args.dev,
    )
    table = write_results(result, args.out)
    sys.stdout.write(table.read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
