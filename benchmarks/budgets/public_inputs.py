"""`guardrails budgets compile` and `prove` on public NodePools and ClusterQueues (SOURCES.md).

The inputs are not in the repository: fetch them into a directory laid out as SOURCES.md names
them (default /work/budgets-data) and run
``python -m benchmarks.budgets.public_inputs [DATA_DIR]``. Per input: prove before, compile
(exit code and the first refusal), then the compiled objects applied in place of the scanned
ones and proven again. Writes benchmarks/results/budgets-public.md.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from guardrails.cli import main

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Case:
    name: str
    path: str
    budgets: dict[str, Any]
    note: str = ""
    declared: dict[str, list[str]] = field(default_factory=dict)


CASES = [
    Case("data-on-eks gpu", "nodepools/data-on-eks-gpu-g6.yaml", {"nodepool": {"gpu": 60000}}),
    Case(
        "auto-mode gpu-nodepool",
        "nodepools/automode-gpu.yaml",
        {"nodepool": {"gpu-nodepool": 60000}},
    ),
    Case(
        "auto-mode neuron-nodepool",
        "nodepools/automode-neuron.yaml",
        {"nodepool": {"neuron-nodepool": 60000}},
    ),
    Case(
        "karpenter large-instances",
        "nodepools/karpenter-large-instances.yaml",
        {"nodepool": {"large-instances": 60000}},
    ),
    Case("karpenter spot", "nodepools/karpenter-spot.yaml", {"nodepool": {"spot": 1000}}),
    Case(
        "karpenter limitcpu100",
        "nodepools/karpenter-100-cpu-limit.yaml",
        {"nodepool": {"limitcpu100": 1000}},
    ),
    Case(
        "kueue provisioning cluster-queue",
        "kueue/kueue-provisioning-setup.yaml",
        {"clusterqueue": {"cluster-queue": 20000}},
    ),
    Case(
        "kueue provisioning cluster-queue (flavor declared nvidia-l4)",
        "kueue/kueue-provisioning-setup.yaml",
        {"clusterqueue": {"cluster-queue": 20000}},
        "declaration assumed for the benchmark",
        {"default-flavor": ["nvidia-l4"]},
    ),
    Case(
        "kueue tas-cluster-queue",
        "kueue/kueue-tas-gpu-queues.yaml",
        {"clusterqueue": {"tas-cluster-queue": 20000}},
    ),
    Case(
        "kueue tas-cluster-queue (flavor declared p5.48xlarge)",
        "kueue/kueue-tas-gpu-queues.yaml",
        {"clusterqueue": {"tas-cluster-queue": 60000}},
        "declaration assumed for the benchmark",
        {"tas-flavor": ["p5.48xlarge"]},
    ),
    Case("kueue hami-queue", "kueue/kueue-hami.yaml", {"clusterqueue": {"hami-queue": 20000}}),
    Case(
        "GKE kueue-intro cluster-queue",
        "kueue/kes-kueue-intro",
        {"clusterqueue": {"cluster-queue": 20000}},
    ),
    Case(
        "GKE mix-train-and-inference cluster-queue (flavor declared nvidia-l4)",
        "kueue/kes-mix-train-inference",
        {"clusterqueue": {"cluster-queue": 20000}},
        "its jobs select cloud.google.com/gke-accelerator: nvidia-l4",
        {"default-flavor": ["nvidia-l4"]},
    ),
    Case(
        "GKE kueue-cohort (cq-team-a/b, spot-cq)",
        "kueue/kes-kueue-cohort",
        {"cohort": {"all-teams": 20000}},
    ),
    Case(
        "GKE tpu dynamic-slice cq",
        "kueue/kes-tpu-dynamic-slice.yaml",
        {"clusterqueue": {"cq": 20000}},
    ),
]


def _run(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(args)
    return code, out.getvalue(), err.getvalue()


def _prove(path: Path, config: Path) -> list[dict[str, Any]]:
    code, out, err = _run(["budgets", "prove", str(path), "-c", str(config), "-f", "json"])
    if code != 0:
        raise SystemExit(f"prove failed on {path}: {err}")
    pools: list[dict[str, Any]] = json.loads(out)["pools"]
    return [p for p in pools if p["budget"] is not None]


def _cell(pools: list[dict[str, Any]]) -> str:
    return "; ".join(
        f"{p['pool']}: {p['status']}, worst "
        + ("unknown" if p["monthly_usd_worst"] is None else f"${p['monthly_usd_worst']:,.0f}")
        + f" / ${p['budget']:,.0f}"
        for p in pools
    )


def _documents(path: Path) -> list[dict[str, Any]]:
    files = sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    return [d for f in files for d in yaml.safe_load_all(f.read_text()) if isinstance(d, dict)]


def run_case(case: Case, data: Path, work: Path) -> dict[str, str]:
    path = data / case.path
    config = work / "config.yaml"
    budgets: dict[str, Any] = dict(case.budgets)
    if case.declared:
        budgets["flavor_types"] = case.declared
    config.write_text(yaml.safe_dump({"budgets": budgets}))
    before = _prove(path, config)
    code, out, err = _run(["budgets", "compile", str(path), "-c", str(config), "--as", "objects"])
    row = {
        "input": case.name + (f" ({case.note})" if case.note else ""),
        "prove before": _cell(before),
        "compile": f"exit {code}" + (f": {err.strip().splitlines()[0]}" if code else ""),
        "prove after compile": "—",
    }
    if code == 0:
        compiled = [d for d in yaml.safe_load_all(out) if d]
        names = {(d["kind"], d["metadata"]["name"]) for d in compiled}
        rest = [
            d
            for d in _documents(path)
            if (d.get("kind"), d.get("metadata", {}).get("name")) not in names
        ]
        applied = work / "applied"
        applied.mkdir(exist_ok=True)
        (applied / "objects.yaml").write_text(yaml.safe_dump_all(compiled + rest))
        row["compile"] += (
            ": " + ", ".join(f"{d['kind']}/{d['metadata']['name']}" for d in compiled)
            if compiled
            else ": nothing to limit"
        )
        row["prove after compile"] = _cell(_prove(applied, config))
    return row


def main_bench(argv: list[str]) -> int:
    data = Path(argv[0] if argv else "/work/budgets-data")
    if not data.is_dir():
        print(f"{data}: no such directory (fetch the inputs of SOURCES.md first)", file=sys.stderr)
        return 2
    rows = []
    for case in CASES:
        with tempfile.TemporaryDirectory() as work:
            rows.append(run_case(case, data, Path(work)))
    columns = ["input", "prove before", "compile", "prove after compile"]
    lines = [
        "# budgets compile / prove on public NodePools and ClusterQueues",
        "",
        "Generated by `python -m benchmarks.budgets.public_inputs` (inputs: "
        "benchmarks/budgets/SOURCES.md; what a reviewer should expect: expected.md).",
        "",
        "| " + " | ".join(columns) + " |",
        "|" + "---|" * len(columns),
    ]
    lines += ["| " + " | ".join(r[c].replace("|", "\\|") for c in columns) + " |" for r in rows]
    target = ROOT / "benchmarks" / "results" / "budgets-public.md"
    target.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main_bench(sys.argv[1:]))
