"""Accuracy of guardrails on hand-labelled public files (issue #19).

Run (from the repository root)::

    python -m benchmarks.accuracy --data /work/realeval-data \
        --labels benchmarks/accuracy/labels.yaml

For every case in the labels file the scorer runs ``guardrails check --format json --fail-on never``
and ``guardrails graph`` on the case's paths (relative to the data dir) and compares the result with
the hand labels (benchmarks/accuracy/README.md describes the format):

- Findings are matched to labels by (policy id, resource, outcome). A label's resource may be a glob
  and stand for ``count`` findings; ``Kind/name`` matches a Kubernetes object in any namespace;
  outcome ``any`` accepts fail and unknown. Every actual finding matched by an ``expected`` label
  (up to its count) is a true positive; an ``expected`` label left short is a false negative;
  findings matched by an ``optional`` label count neither way; every other finding on the case —
  including findings on resources the labels never mention — is a false positive.
- GPU recall: a labelled GPU resource is *seen* when a graph resource matching it has
  ``facts.is_gpu`` true, or a GR-INPUT-001 ``unknown`` finding names it.
- Cost: where the label gives a monthly figure, the resource's ``facts.monthly_usd.desired`` must be
  within +-25 % of it (an unpriced resource is a miss).

Writes a Markdown table per case plus a summary (and the same data as JSON next to it).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

COST_TOLERANCE = 0.25
CATEGORIES = {"COST": "cost", "SPOT": "spot", "TAG": "tagging", "SEC": "security", "INPUT": "input"}


@dataclass(frozen=True)
class Label:
    """One labelled finding: policy, resource pattern, outcome, how many findings it stands for."""

    policy: str
    resource: str
    outcome: str = "fail"
    count: int = 1


@dataclass(frozen=True)
class Finding:
    """The part of an actual finding the scorer compares."""

    policy: str
    resource: str
    outcome: str
    message: str = ""


@dataclass
class Match:
    """Result of matching one case's findings against its labels."""

    tp: list[tuple[Label, Finding]] = field(default_factory=list)
    fn: list[tuple[Label, int]] = field(
        default_factory=list
    )  # label, how many findings were missing
    fp: list[Finding] = field(default_factory=list)
    optional: list[Finding] = field(default_factory=list)


def category(policy: str) -> str:
    """Policy category from its id (GR-COST-001 -> cost)."""
    parts = policy.split("-")
    return CATEGORIES.get(parts[1], "other") if len(parts) > 2 else "other"


def _glob(pattern: str, text: str) -> bool:
    # Only `*` is a wildcard: Terraform addresses use [ ] literally (`x[0]`).
    regex = ".*".join(re.escape(part) for part in pattern.split("*"))
    return re.fullmatch(regex, text) is not None


def resource_matches(pattern: str, actual: str) -> bool:
    """True when an actual resource address matches a label pattern (`*` is a wildcard).

    ``Kind/name`` (one slash, no dot before it) matches ``Kind/<any namespace>/name``.
    """
    if _glob(pattern, actual):
        return True
    pat, act = pattern.split("/"), actual.split("/")
    if len(pat) == 2 and len(act) == 3 and "." not in pat[0]:
        return _glob(pattern, f"{act[0]}/{act[2]}")
    return False


def _fits(label: Label, finding: Finding) -> bool:
    outcome_ok = label.outcome == "any" or label.outcome == finding.outcome
    return (
        label.policy == finding.policy
        and outcome_ok
        and resource_matches(label.resource, finding.resource)
    )


def match(expected: list[Label], optional: list[Label], findings: list[Finding]) -> Match:
    """Assign each finding to at most one label; expected labels first, then optional ones."""
    result = Match()
    left = list(findings)
    for label in expected:
        hits = [f for f in left if _fits(label, f)][: label.count]
        for hit in hits:
            left.remove(hit)
            result.tp.append((label, hit))
        if len(hits) < label.count:
            result.fn.append((label, label.count - len(hits)))
    for label in optional:
        hits = [f for f in left if _fits(label, f)][: label.count]
        for hit in hits:
            left.remove(hit)
            result.optional.append(hit)
    result.fp = left
    return result


def ratio(num: int, den: int) -> float | None:
    """num/den, or None when there is nothing to divide."""
    return num / den if den else None


def _labels(items: Any) -> list[Label]:
    return [
        Label(
            str(i["policy"]),
            str(i["resource"]),
            str(i.get("outcome", "fail")),
            int(i.get("count", 1)),
        )
        for i in items or []
    ]


def _guardrails(args: list[str], cwd: Path) -> tuple[dict[str, Any], str]:
    """Run the CLI; a run that writes no document (input rejected) scores as no findings."""
    cmd = [sys.executable, "-m", "guardrails", *args]
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=600, check=False)
    if not proc.stdout.strip():
        error = f"{args[0]}: exit {proc.returncode}, no report: {proc.stderr.strip()[:200]}"
        return {"findings": [], "resources": [], "summary": {}}, error
    doc: dict[str, Any] = json.loads(proc.stdout)
    return doc, ""


def gpu_seen(pattern: str, resources: list[dict[str, Any]], findings: list[Finding]) -> int:
    """Resources matching the pattern with GPU facts, or named by a GR-INPUT-001 unknown."""
    seen = {
        r["address"]
        for r in resources
        if resource_matches(pattern, r["address"]) and r["facts"].get("is_gpu")
    }
    for f in findings:
        if f.policy == "GR-INPUT-001" and f.outcome == "unknown":
            if resource_matches(pattern, f.resource):
                seen.add(f.resource)
            elif "*" not in pattern and pattern in f.message:
                seen.add(pattern)
    return len(seen)


def _scale(label: dict[str, Any], matched: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Labelled GPUs in all (per replica x replicas, desired and max) against facts.gpu.total."""
    per, reps = label.get("per_replica"), label.get("replicas")
    if label.get("seen_as") == "unknown" or not isinstance(per, int) or not isinstance(reps, dict):
        return None
    if not all(isinstance(reps.get(k), int) for k in ("desired", "max")):
        return None
    want = {k: per * reps[k] for k in ("desired", "max")}
    actual = [
        {k: ((r["facts"].get("gpu") or {}).get("total") or {}).get(k) for k in want}
        for r in matched
    ]
    return {"label": want, "actual": actual, "ok": bool(actual) and all(a == want for a in actual)}


def score_case(case: dict[str, Any], data: Path) -> dict[str, Any]:
    """Run guardrails on one case and score it against its labels."""
    paths = [str(p) for p in case["paths"]]
    report, error = _guardrails(["check", *paths, "--format", "json", "--fail-on", "never"], data)
    graph, _ = _guardrails(["graph", *paths], data)
    findings = [
        Finding(f["policy"], f["resource"], f["outcome"], f.get("message", ""))
        for f in report["findings"]
    ]
    m = match(_labels(case.get("expected")), _labels(case.get("optional")), findings)
    gpus = []
    for g in case.get("gpu") or []:
        want = int(g.get("count", 1))
        matched = [
            r for r in graph["resources"] if resource_matches(str(g["resource"]), r["address"])
        ]
        cost = None
        if isinstance(g.get("monthly_usd"), int | float):
            actual = [
                (
                    (r["facts"].get("monthly_usd") or {}).get("desired"),
                    r["facts"].get("price_basis"),
                )
                for r in matched
            ]
            label = float(g["monthly_usd"])
            ok = [a is not None and abs(a - label) <= COST_TOLERANCE * label for a, _ in actual]
            cost = {"label": label, "actual": actual, "within": bool(ok) and all(ok)}
        gpus.append(
            {
                "resource": g["resource"],
                "scale": _scale(g, matched),
                "want": want,
                "seen": min(want, gpu_seen(str(g["resource"]), graph["resources"], findings)),
                "cost": cost,
            }
        )
    return {
        "id": case["id"],
        "shape": case.get("shape", ""),
        "match": m,
        "gpus": gpus,
        "error": error,
        "invalid_input": bool(case.get("invalid_input")),
    }


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f} %"


def summarize(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Per-category and overall precision/recall, GPU recall and cost accuracy."""
    cats: dict[str, dict[str, int]] = {}
    for res in results:
        m: Match = res["match"]
        for label, _ in m.tp:
            cats.setdefault(category(label.policy), {"tp": 0, "fp": 0, "fn": 0})["tp"] += 1
        for label, n in m.fn:
            cats.setdefault(category(label.policy), {"tp": 0, "fp": 0, "fn": 0})["fn"] += n
        for f in m.fp:
            cats.setdefault(category(f.policy), {"tp": 0, "fp": 0, "fn": 0})["fp"] += 1
    total = {k: sum(c[k] for c in cats.values()) for k in ("tp", "fp", "fn")}
    gpu_want = sum(g["want"] for r in results for g in r["gpus"])
    gpu_seen_n = sum(g["seen"] for r in results for g in r["gpus"])
    costs = [g["cost"] for r in results for g in r["gpus"] if g["cost"]]
    invalid = [r for r in results if r["invalid_input"]]
    scales = [g["scale"] for r in results for g in r["gpus"] if g["scale"]]
    return {
        "categories": {
            k: {
                **v,
                "precision": ratio(v["tp"], v["tp"] + v["fp"]),
                "recall": ratio(v["tp"], v["tp"] + v["fn"]),
            }
            for k, v in sorted(cats.items())
        },
        "overall": {
            **total,
            "precision": ratio(total["tp"], total["tp"] + total["fp"]),
            "recall": ratio(total["tp"], total["tp"] + total["fn"]),
        },
        "gpu": {"labelled": gpu_want, "seen": gpu_seen_n, "recall": ratio(gpu_seen_n, gpu_want)},
        "cost": {"labelled": len(costs), "within": sum(1 for c in costs if c["within"])},
        "scale": {"labelled": len(scales), "right": sum(1 for x in scales if x["ok"])},
        "invalid_inputs": {
            "labelled": len(invalid),
            "rejected": sum(1 for r in invalid if r["error"]),
        },
    }


def _money(x: Any) -> str:
    return "unpriced" if x is None else f"${x:,.0f}"


def _row(*cells: object) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def _cost_cell(cost: dict[str, Any]) -> str:
    actual = [
        _money(a) + (" (assumed)" if basis == "assumed" else "") for a, basis in cost["actual"]
    ]
    mark = "" if cost["within"] else " ✗"
    return f"{_money(cost['label'])} -> {', '.join(actual) or 'not found'}{mark}"


def render(results: list[dict[str, Any]], summary: dict[str, Any]) -> str:
    """The Markdown report: summary, a row per case, then every miss."""
    o = summary["overall"]
    lines = [
        "# Accuracy on hand-labelled public files (issue #19)",
        "",
        "Generated by `python -m benchmarks.accuracy`; labels: `benchmarks/accuracy/labels.yaml`",
        "(committed before the first run).",
        "A finding the labels do not list (expected or optional) is a false positive.",
        "",
        "| category | TP | FP | FN | precision | recall |",
        "|---|---|---|---|---|---|",
    ]
    for name, c in summary["categories"].items():
        lines.append(_row(name, c["tp"], c["fp"], c["fn"], _fmt(c["precision"]), _fmt(c["recall"])))
    lines.append(
        _row("**overall**", o["tp"], o["fp"], o["fn"], _fmt(o["precision"]), _fmt(o["recall"]))
    )
    g, c = summary["gpu"], summary["cost"]
    lines += [
        "",
        f"GPU resources seen (GPU facts or GR-INPUT-001 unknown): **{g['seen']}/{g['labelled']}**"
        f" ({_fmt(g['recall'])}).",
        "Monthly cost within +-25 % of the label where the file determines it:"
        f" **{c['within']}/{c['labelled']}**.",
        "",
        "GPUs in all (desired and max, per replica x replicas) as labelled:"
        f" **{summary['scale']['right']}/{summary['scale']['labelled']}**.",
        "",
        "Inputs labelled invalid (the right answer is exit 2 naming the file) that were rejected:"
        f" **{summary['invalid_inputs']['rejected']}/{summary['invalid_inputs']['labelled']}**.",
        "",
        "| case | shape | TP | FP | FN | GPU seen | cost label -> actual |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        m: Match = r["match"]
        seen = (
            "/".join(str(sum(x[k] for x in r["gpus"])) for k in ("seen", "want"))
            if r["gpus"]
            else "-"
        )
        costs = "; ".join(_cost_cell(x["cost"]) for x in r["gpus"] if x["cost"]) or "-"
        fn = sum(n for _, n in m.fn)
        lines.append(
            f"| {r['id']} | {r['shape']} | {len(m.tp)} | {len(m.fp)} | {fn} | {seen} | {costs} |"
        )
    lines += ["", "## Misses", ""]
    for r in results:
        m = r["match"]
        misses = [f"- no report: {r['error']}"] if r["error"] and not r["invalid_input"] else []
        if r["invalid_input"] and not r["error"]:
            misses.append("- invalid input accepted: expected exit 2 naming the file")
        misses += [f"- FN {lab.policy} {lab.resource} ({lab.outcome}) x{n}" for lab, n in m.fn]
        misses += [f"- FP {f.policy} {f.resource} ({f.outcome})" for f in m.fp]
        misses += [
            f"- GPU not seen: {x['resource']} ({x['seen']}/{x['want']})"
            for x in r["gpus"]
            if x["seen"] < x["want"]
        ]
        misses += [
            f"- cost off: {x['resource']}"
            for x in r["gpus"]
            if x["cost"] and not x["cost"]["within"]
        ]
        misses += [
            f"- scale off: {x['resource']} {x['scale']['label']} -> {x['scale']['actual']}"
            for x in r["gpus"]
            if x["scale"] and not x["scale"]["ok"]
        ]
        if misses:
            lines += [f"### {r['id']}", "", *misses, ""]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Score every case and write the Markdown and JSON results."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", type=Path, required=True, help="directory holding the fetched files")
    p.add_argument("--labels", type=Path, default=Path("benchmarks/accuracy/labels.yaml"))
    p.add_argument("--out", type=Path, default=Path("benchmarks/results/accuracy.md"))
    args = p.parse_args(argv)
    cases = yaml.safe_load(args.labels.read_text())["cases"]
    results = [score_case(c, args.data.resolve()) for c in cases]
    summary = summarize(results)
    args.out.write_text(render(results, summary))
    raw = [
        {
            "id": r["id"],
            "error": r["error"],
            "tp": [[lab.policy, f.resource, f.outcome] for lab, f in r["match"].tp],
            "fn": [[lab.policy, lab.resource, lab.outcome, n] for lab, n in r["match"].fn],
            "fp": [[f.policy, f.resource, f.outcome, f.message] for f in r["match"].fp],
            "optional": [[f.policy, f.resource, f.outcome] for f in r["match"].optional],
            "gpus": r["gpus"],
        }
        for r in results
    ]
    args.out.with_suffix(".json").write_text(
        json.dumps({"summary": summary, "cases": raw}, indent=1) + "\n"
    )
    o = summary["overall"]
    print(
        f"precision {_fmt(o['precision'])} recall {_fmt(o['recall'])}"
        f" GPU seen {summary['gpu']['seen']}/{summary['gpu']['labelled']}"
        f" cost {summary['cost']['within']}/{summary['cost']['labelled']} -> {args.out}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
