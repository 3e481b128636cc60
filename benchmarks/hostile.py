"""Peak memory and time of ``guardrails`` on hostile and real inputs, per engine (issue #9).

Each case runs the real CLI in a fresh process; its peak RSS comes from the kernel
(``os.wait4`` rusage of that one child), its wall time from the clock. The target is peak RSS
at most 10x the input size + 150 MB, an exit in bounded time, and exit code 2 with one line for
inputs that are refused. Results: benchmarks/results/hostile.json and hostile.md.

    python -m benchmarks.hostile [--quick] [--corpus ../shared/corpus]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from testing.generate import write_input

RESULTS = Path(__file__).parent / "results"
MB = 1024 * 1024
BASE_MB = 150
TIMEOUT_S = 900
#: Marks a command to run with the in-process Rego engine pinned to regopy.
REGOPY = "regopy:"


#: Runs the CLI as its own child and reports that child's peak RSS. A separate small launcher
#: matters: a child forked straight from this (large) process inherits its peak RSS figure.
_LAUNCHER = """
import json, resource, subprocess, sys, time
start = time.monotonic()
try:
    done = subprocess.run(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          timeout=float(sys.argv[1]))
    code, err, timed_out = done.returncode, done.stderr, False
except subprocess.TimeoutExpired as exc:
    code, err, timed_out = -9, exc.stderr or b"", True
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"exit": code, "seconds": round(time.monotonic() - start, 2),
                  "peak_rss_mb": round(peak / 1024, 1), "timed_out": timed_out,
                  "stderr": err.decode("utf-8", "replace").strip().splitlines()[-1:]}))
"""


def measure(
    args: list[str], timeout: float = TIMEOUT_S, env: dict[str, str] | None = None
) -> dict[str, Any]:
    """Run ``guardrails ARGS`` once: exit code, wall seconds, peak RSS (MB), stderr's last line."""
    done = subprocess.run(
        [sys.executable, "-c", _LAUNCHER, str(timeout), sys.executable, "-m", "guardrails", *args],
        capture_output=True,
        check=True,
        close_fds=True,
        env={**os.environ, **(env or {})},
    )
    result: dict[str, Any] = json.loads(done.stdout)
    result["stderr"] = (result["stderr"] or [""])[0][:200]
    return result


#: A stand-in OPA server (tests/engines/opa_server.py: OPA's REST API, the real OPA library
#: evaluating) in its own process, so its peak RSS is measured apart from the CLI's; started
#: with a bundle (bundle mode, ``--opa-preloaded``) when one is given.
_OPA_SERVER = """
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from tests.engines.opa_server import OpaTestServer
with OpaTestServer(bundle=Path(sys.argv[2]) if len(sys.argv) > 2 else None) as server:
    print(server.url, flush=True)
    sys.stdin.read()
"""
#: The flag of bundle mode: the server holds the policies, guardrails only queries.
PRELOADED = "--opa-preloaded"


def measure_with_opa_server(args: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    """``measure`` with ``--engine opa`` against a fresh server; adds the server's peak RSS.

    With ``--opa-preloaded`` in ``args`` the server starts with the bundle ``guardrails bundle
    build`` writes (built-in defaults), as ``opa run --server bundle.tar.gz`` would."""
    root = str(Path(__file__).resolve().parents[1])
    with tempfile.TemporaryDirectory() as scratch:
        bundle = [str(Path(scratch) / "bundle.tar.gz")] if PRELOADED in args else []
        if bundle:
            build = [sys.executable, "-m", "guardrails", "bundle", "build", "-o", *bundle]
            subprocess.run(
                build, check=True, capture_output=True, env={**os.environ, **(env or {})}
            )
        server = subprocess.Popen(
            [sys.executable, "-c", _OPA_SERVER, root, *bundle],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert server.stdout is not None
            url = server.stdout.readline().strip()
            result = measure([*args, "--opa-url", url, "--no-opa-fallback"], env=env)
            status = Path(f"/proc/{server.pid}/status").read_text()
            peak = next(int(x.split()[1]) for x in status.splitlines() if x.startswith("VmHWM"))
            result["server_peak_rss_mb"] = round(peak / 1024, 1)
        finally:
            assert server.stdin is not None
            server.stdin.close()
            server.wait(timeout=30)
    return result


# -- inputs ---------------------------------------------------------------------------------


def _configmaps(path: Path, n: int) -> None:
    with path.open("w") as fh:
        for i in range(n):
            fh.write(f"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{i}}}\n")


def _numbers(path: Path, n: int) -> None:
    with path.open("w") as fh:
        fh.write("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n  v: [")
        fh.write(",".join(str(i % 1000) for i in range(n)))
        fh.write("]\n")


def _alias_bomb(path: Path) -> None:
    lines = ["apiVersion: v1", "kind: ConfigMap", "metadata: {name: a}", "a0: &a0 [x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 12)]
    path.write_text("\n".join(lines) + "\n")


def _deep_module(path: Path, depth: int) -> None:
    module = ".".join(f"module.m{i}" for i in range(depth))
    change = {"actions": ["create"], "after": {}}
    entry = {"address": f"{module}.aws_instance.x", "type": "aws_instance", "name": "x"}
    plan = {"format_version": "1.2", "resource_changes": [{**entry, "change": change}]}
    path.write_text(json.dumps(plan))


def _tf_blocks_beside_plan(directory: Path, blocks: int) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    body = "".join(
        f'resource "aws_s3_bucket" "b{i}" {{\n  bucket = "b{i}"\n}}\n' for i in range(blocks)
    )
    (directory / "main.tf").write_text(body)
    changes = [
        {
            "address": f"aws_s3_bucket.b{i}",
            "type": "aws_s3_bucket",
            "name": f"b{i}",
            "change": {"actions": ["create"], "after": {"bucket": f"b{i}"}},
        }
        for i in range(0, blocks, 10)
    ]
    plan = directory / "plan.json"
    plan.write_text(json.dumps({"format_version": "1.2", "resource_changes": changes}))
    return plan


def _heredoc_tf(path: Path, megabytes: int) -> None:
    line = "x" * 99 + "\n"
    with path.open("w") as fh:
        fh.write('resource "aws_instance" "a" {\n  user_data = <<EOT\n')
        for _ in range(megabytes * MB // 100):
            fh.write(line)
        fh.write("EOT\n}\n")


def cases(work: Path, quick: bool, corpus: Path | None) -> list[dict[str, Any]]:
    """(name, argv, input bytes) for every measured case; inputs written under ``work``."""
    work.mkdir(parents=True, exist_ok=True)
    out: list[dict[str, Any]] = []

    def add(name: str, make: Callable[[Path], Any], suffix: str, commands: list[list[str]]) -> None:
        path = work / f"{name}{suffix}"
        made = make(path)
        target = made if isinstance(made, Path) else path
        size = _size(target.parent if target.name == "plan.json" else target)
        for command in commands:
            out.append({"case": name, "args": [*command, str(target)], "input_bytes": size})

    engines = [["check", "--engine", "python"], ["check", "--engine", "rego"]]
    # Every engine: the twins, OPA in process, regopy in process, a remote OPA server.
    every = [*engines, [REGOPY, "check", "--engine", "rego"], ["check", "--engine", "opa"]]
    bundle_mode = ["check", "--engine", "opa", PRELOADED]
    # Every report format holds all findings at once (the default rows write JSON).
    report_formats = [
        [*engine, "-f", fmt]
        for engine in engines
        for fmt in ("table", "sarif", "junit", "markdown", "github")
    ]
    n_small = 2_000 if quick else 5_000
    add("configmaps-100k", lambda p: _configmaps(p, 100_000), ".yaml", [engines[0], ["graph"]])
    add(
        f"configmaps-{n_small}",
        lambda p: _configmaps(p, n_small),
        ".yaml",
        [*every, bundle_mode],
    )
    add("yaml-2M-numbers", lambda p: _numbers(p, 2_000_000), ".yaml", [["graph"]])
    add("yaml-alias-bomb", _alias_bomb, ".yaml", [["graph"], engines[1]])
    add("module-address-2000-deep", lambda p: _deep_module(p, 2_000), ".json", [["graph"]])
    add("module-address-100-deep", lambda p: _deep_module(p, 100), ".json", every)
    add(
        "tf-20k-blocks-beside-plan",
        lambda p: _tf_blocks_beside_plan(p, 20_000),
        "",
        [["graph"], engines[0]],
    )
    add("tf-heredoc-10MB", lambda p: _heredoc_tf(p, 2 if quick else 10), ".tf", [["graph"]])
    plan_n = 2_000 if quick else 10_000
    add(
        f"terraform-plan-{plan_n}",
        lambda p: write_input("terraform", plan_n, p),
        ".json",
        [*every, bundle_mode, ["graph"], *report_formats],
    )
    add(
        "kubernetes-2000",
        lambda p: write_input("kubernetes", 2_000, p),
        ".yaml",
        every,
    )
    if corpus is not None and corpus.is_dir():
        # The largest real files of each kind (whole folders hold deliberately broken files).
        for folder in sorted(p for p in corpus.iterdir() if p.is_dir()):
            files = sorted((p for p in folder.rglob("*") if p.is_file()), key=_size, reverse=True)
            for file in [f for f in files if f.suffix in (".json", ".yaml", ".yml")][:2]:
                for command in every:
                    args = [*command, str(file)]
                    name = f"corpus/{folder.name}/{file.name}"
                    out.append({"case": name, "args": args, "input_bytes": _size(file)})
    return out


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def run(
    work: Path, quick: bool, corpus: Path | None, only: re.Pattern[str] | None = None
) -> dict[str, Any]:
    rows = []
    for case in cases(work, quick, corpus):
        args, env, label = case["args"], None, case["args"][:-1]
        if args[0] == REGOPY:
            args, env = args[1:], {"GUARDRAILS_REGO_BACKEND": "regopy"}
            label = [f"{env_name}=regopy" for env_name in env] + args[:-1]
        if only is not None and not only.search(f"{case['case']} {' '.join(label)}"):
            continue
        full = [*args, "--max-size-mb", "200", *_quiet(args)]
        remote = args[:3] == ["check", "--engine", "opa"]
        result = measure_with_opa_server(full) if remote else measure(full, env=env)
        budget = 10 * case["input_bytes"] / MB + BASE_MB
        peaks = [result["peak_rss_mb"], result.get("server_peak_rss_mb", 0.0)]
        rows.append(
            {
                "case": case["case"],
                "command": " ".join(label) + (" (test server)" if remote else ""),
                "input_mb": round(case["input_bytes"] / MB, 3),
                **result,
                "budget_mb": round(budget, 1),
                "within_budget": max(peaks) <= budget,
            }
        )
        print(json.dumps(rows[-1]), flush=True)
    return {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "note": "shared machine: wall times vary with load; peak RSS is per process",
        "results": rows,
    }


def _quiet(args: list[str]) -> list[str]:
    if args[0] not in ("check", "graph"):
        return []
    return ["-o", os.devnull] if "-f" in args else ["-f", "json", "-o", os.devnull]


def markdown(result: dict[str, Any]) -> str:
    lines = [
        "# Hostile-input benchmark: peak memory and time (issue #9)",
        "",
        "Target: peak RSS <= 10x input + 150 MB; refused inputs exit 2 with one line.",
        f"Python {result['python']}, {result['cpus']} CPUs; {result['note']}.",
        "",
        "Remote OPA rows: Peak RSS is the CLI's; the stand-in OPA server's own peak (a separate",
        "process, tests/engines/opa_server.py: the real OPA library behind OPA's REST API) is in",
        "the Server MB column, and both must be within budget.",
        "",
        "| Case | Command | Input MB | Exit | Seconds | Peak RSS MB | Server MB | Budget MB | OK "
        "| Message |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in result["results"]:
        ok = "yes" if r["within_budget"] and not r["timed_out"] else "**no**"
        message = r["stderr"].replace("|", "\\|")[:90]
        lines.append(
            f"| {r['case']} | {r['command']} | {r['input_mb']} | {r['exit']} | {r['seconds']} "
            f"| {r['peak_rss_mb']} | {r.get('server_peak_rss_mb', '')} | {r['budget_mb']} | {ok} "
            f"| {message} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller inputs (a few minutes)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/guardrails-hostile-bench"))
    default_corpus = Path(__file__).resolve().parents[2] / "shared" / "corpus"
    parser.add_argument("--corpus", type=Path, default=default_corpus)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument(
        "--only",
        type=re.compile,
        help="re-measure only the rows whose 'case command' matches this regex; the other rows "
        "of the existing hostile.json are kept",
    )
    args = parser.parse_args()
    result = run(args.work, args.quick, args.corpus, args.only)
    if args.only is not None and (args.out / "hostile.json").is_file():
        fresh = {(r["case"], r["command"]): r for r in result["results"]}
        kept = json.loads((args.out / "hostile.json").read_text())["results"]
        merged = [fresh.pop((r["case"], r["command"]), r) for r in kept]
        result["results"] = merged + list(fresh.values())
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "hostile.json").write_text(json.dumps(result, indent=2) + "\n")
    (args.out / "hostile.md").write_text(markdown(result))


if __name__ == "__main__":
    main()
