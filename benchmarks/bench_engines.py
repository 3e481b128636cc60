"""Engine benchmark: time every engine on graphs of 1k and 10k resources.

Graphs are built by replicating the enriched fixtures (every policy fires on them), so the
policies do real work: edges, selectors, unknown values, cost facts. A policy that is quadratic
on an engine shows up as a 10k/1k time ratio far above 10.

    python -m benchmarks.bench_engines [--sizes 1000 10000] [--out benchmarks/results]
        [--opa-url URL | --opa-test-server]   # also the remote engine over HTTP

Writes ``engines.json`` (raw figures) and ``engines.md`` (a table) to ``--out``.
"""

from __future__ import annotations

import argparse
import copy
import json
import platform
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from guardrails import __version__
from guardrails.api import ScanOptions, build_input
from guardrails.catalog import load_catalog
from guardrails.config import load_config
from guardrails.engines.base import Engine
from guardrails.engines.opa_remote import OpaRemoteEngine
from guardrails.engines.python import PythonEngine
from guardrails.engines.rego import BACKENDS, RegoEngine, backend_available
from guardrails.errors import GuardrailsError

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
#: A 10k/1k time ratio above this means super-linear growth (linear is ~10).
QUADRATIC_RATIO = 30.0


def seed_documents() -> list[dict[str, Any]]:
    """Enriched input documents of every fixture input (they trigger every policy)."""
    paths = sorted(
        str(p)
        for p in FIXTURES.rglob("*")
        if p.suffix in {".json", ".yaml"} and p.name not in {"config.yaml"}
    )
    docs: list[dict[str, Any]] = []
    for path in paths:
        try:
            docs.append(dict(build_input([path], ScanOptions(no_config=True))))
        except GuardrailsError:
            continue  # fixtures of bad input (fixtures/hostile) are refused by design
    return docs


def replicate(seeds: list[dict[str, Any]], size: int) -> dict[str, Any]:
    """One input document with ``size`` resources, copies of the seeds with unique ids."""
    resources: list[dict[str, Any]] = []
    edges: list[dict[str, Any]] = []
    copy_index = 0
    while len(resources) < size:
        for doc in seeds:
            suffix = f"~{copy_index}"
            for resource in doc["resources"]:
                if len(resources) >= size:
                    break
                clone = copy.deepcopy(resource)
                clone["id"] += suffix
                clone["address"] += suffix
                resources.append(clone)
            kept = {r["id"] for r in resources}
            edges += [
                {**e, "from": e["from"] + suffix, "to": e["to"] + suffix}
                for e in doc["edges"]
                if e["from"] + suffix in kept and e["to"] + suffix in kept
            ]
            copy_index += 1
            if len(resources) >= size:
                break
    summary = copy.deepcopy(seeds[0]["summary"])
    return {"version": 1, "inputs": [], "resources": resources, "edges": edges, "summary": summary}


def engines(opa_url: str | None = None) -> dict[str, Callable[[], Engine]]:
    found: dict[str, Callable[[], Engine]] = {"python": PythonEngine}
    for backend in BACKENDS:
        if backend_available(backend):
            found[f"rego ({backend})"] = lambda backend=backend: RegoEngine(backend)  # type: ignore[misc]
    if opa_url:
        found["opa (remote)"] = lambda: OpaRemoteEngine(opa_url)
    return found


def time_engine(engine: Engine, doc: dict[str, Any], repeat: int) -> tuple[float, int]:
    catalog = load_catalog()
    config = load_config(None).for_policies()
    best = float("inf")
    findings = 0
    for _ in range(repeat):
        start = time.perf_counter()
        raw = engine.evaluate(doc, config, catalog)
        best = min(best, time.perf_counter() - start)
        findings = sum(len(v) for v in raw.values())
    return best, findings


def run(sizes: list[int], repeat: int, opa_url: str | None = None) -> dict[str, Any]:
    seeds = seed_documents()
    results: list[dict[str, Any]] = []
    for size in sizes:
        doc = replicate(seeds, size)
        for name, factory in engines(opa_url).items():
            seconds, findings = time_engine(factory(), doc, repeat)
            results.append(
                {
                    "engine": name,
                    "resources": len(doc["resources"]),
                    "edges": len(doc["edges"]),
                    "seconds": round(seconds, 3),
                    "findings": findings,
                    "resources_per_second": round(len(doc["resources"]) / seconds),
                }
            )
            print(f"{name:16} {size:>7} resources  {seconds:8.3f} s  {findings} findings")
    return {
        "tool_version": __version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "repeat": repeat,
        "results": results,
        "scaling": scaling(results, sizes),
    }


def scaling(results: list[dict[str, Any]], sizes: list[int]) -> list[dict[str, Any]]:
    """Time ratio between the largest and smallest size per engine (linear = size ratio)."""
    if len(sizes) < 2:
        return []
    small, large = min(sizes), max(sizes)
    out = []
    for engine in sorted({r["engine"] for r in results}):
        times = {r["resources"]: r["seconds"] for r in results if r["engine"] == engine}
        if small in times and large in times and times[small] > 0:
            ratio = times[large] / times[small]
            out.append(
                {
                    "engine": engine,
                    "size_ratio": large / small,
                    "time_ratio": round(ratio, 1),
                    "super_linear": ratio > QUADRATIC_RATIO * (large / small) / 10,
                }
            )
    return out


def markdown(doc: dict[str, Any]) -> str:
    lines = [
        "# Engine benchmark",
        "",
        f"guardrails {doc['tool_version']}, Python {doc['python']} on {doc['machine']}; best of "
        f"{doc['repeat']} runs; graphs replicate the enriched fixtures (every policy fires).",
        "Generated by `python -m benchmarks.bench_engines`.",
        "",
        "| Engine | Resources | Edges | Seconds | Resources/s | Findings |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in doc["results"]:
        lines.append(
            f"| {r['engine']} | {r['resources']:,} | {r['edges']:,} | {r['seconds']:.3f} | "
            f"{r['resources_per_second']:,} | {r['findings']:,} |"
        )
    if doc["scaling"]:
        lines += ["", "| Engine | Size ratio | Time ratio | Super-linear? |", "|---|---:|---:|---|"]
        for s in doc["scaling"]:
            verdict = "**yes — a bug**" if s["super_linear"] else "no"
            lines.append(
                f"| {s['engine']} | {s['size_ratio']:.0f}x | {s['time_ratio']}x | {verdict} |"
            )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    parser.add_argument("--opa-url", help="also time the remote engine against this OPA server")
    parser.add_argument(
        "--opa-test-server",
        action="store_true",
        help="also time the remote engine against the tests' OPA REST server (real OPA behind)",
    )
    args = parser.parse_args()
    if args.opa_test_server:
        from tests.engines.opa_server import OpaTestServer

        with OpaTestServer() as server:
            doc = run(args.sizes, args.repeat, server.url)
    else:
        doc = run(args.sizes, args.repeat, args.opa_url)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "engines.json").write_text(json.dumps(doc, indent=2) + "\n")
    (args.out / "engines.md").write_text(markdown(doc))
    print(f"wrote {args.out / 'engines.json'} and {args.out / 'engines.md'}")


if __name__ == "__main__":
    main()
