"""Build policies/data/gpu_catalog.json and .md from the reference CSV (every row keeps source
and date).

Usage: python tools/build_gpu_catalog.py [CSV] [--extra tools/gpu_catalog_extra.csv]
[-o policies/data/gpu_catalog.json]

The reference CSV (../shared/reference) is read-only here; rows this repository sourced itself
(each with its own source and date) live in ``tools/gpu_catalog_extra.csv`` and are added to it.
A row in both is an error: one instance type has one price. The price key is (provider, SKU):
an instance type names one cloud; ``gpu:<accelerator>`` (GCP per-GPU) and ``tpu:<name>`` (GCP
per-chip) rows are accelerators of their provider. The Markdown beside the JSON is the reference
notes plus a table of the rows added here, with their source and date.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CSV = ROOT.parent / "shared" / "reference" / "gpu_catalog.csv"
DEFAULT_OUT = ROOT / "policies" / "data" / "gpu_catalog.json"
DEFAULT_EXTRA = ROOT / "tools" / "gpu_catalog_extra.csv"

_VENDORS = (
    ("NVIDIA ", "nvidia"),
    ("AMD Radeon Pro ", "amd"),
    ("AMD Radeon Instinct ", "amd"),
    ("AWS ", "aws"),
    ("Habana ", "habana"),
    ("Google ", "google"),
)
#: Row prefixes of per-accelerator rows (priced per GPU or per chip, not per instance).
_ACCELERATOR_PREFIXES = ("gpu:", "tpu:")


def short_model(full: str) -> tuple[str, str | None]:
    """``NVIDIA A100 80GB PCIe`` → (``A100``, ``nvidia``); RTX PRO models keep their number."""
    vendor = None
    rest = full
    for prefix, name in _VENDORS:
        if full.startswith(prefix):
            vendor, rest = name, full[len(prefix) :]
            break
    rest = re.sub(r"\s*\(.*\)$", "", rest)
    if rest.startswith("RTX PRO "):
        return " ".join(rest.split()[:3]), vendor
    if rest.startswith("TPU "):  # the generation is the model: TPU v5e, TPU v6e
        return " ".join(rest.split()[:2]), vendor
    return rest.split()[0], vendor


def _number(text: str) -> float | None:
    return float(text) if text.strip() else None


def _count(text: str) -> float | int:
    value = float(text)
    return int(value) if value.is_integer() else value


def _rows(paths: list[Path]) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    seen: dict[str, Path] = {}
    for path in paths:
        with path.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                key = row["instance_type"].lower()
                if key in seen:
                    raise SystemExit(f"{path}: {row['instance_type']} is already in {seen[key]}")
                seen[key] = path
                rows.append(row)
    return rows


def build(csv_path: Path, extra: Path | None = None) -> dict[str, Any]:
    """The catalog document: instance rows keyed by lower-case type, per-GPU rows by accelerator."""
    instances: dict[str, Any] = {}
    accelerators: dict[str, Any] = {}
    for row in _rows([csv_path, *([extra] if extra else [])]):
        model, vendor = short_model(row["gpu_model"])
        entry = {
            "provider": row["provider"],
            "instance_type": row["instance_type"],
            "gpu_model": model,
            "gpu_model_full": row["gpu_model"],
            "gpu_vendor": vendor,
            "gpu_count": _count(row["gpu_count"]),
            "gpu_memory_gib": _number(row["gpu_memory_gib"]),
            "vcpus": _number(row["vcpus"]),
            "memory_gib": _number(row["memory_gib"]),
            "region": row["region"],
            "on_demand_usd_per_hour": _number(row["on_demand_usd_per_hour"]),
            "spot_usd_per_hour": _number(row["spot_usd_per_hour"]),
            "source": row["source"],
            "as_of": row["as_of"],
        }
        if row["instance_type"].startswith(_ACCELERATOR_PREFIXES):
            accelerators[row["instance_type"][4:].lower()] = entry
        else:
            instances[row["instance_type"].lower()] = entry
    return {
        "description": "GPU instance prices (USD/hour, Linux list price) with source and date per "
        "row, keyed by (provider, SKU); see gpu_catalog.md for sources and caveats.",
        "reference_regions": {"aws": "us-east-1", "gcp": "us-central1", "azure": "eastus"},
        "hours_per_month": 730,
        "instances": dict(sorted(instances.items())),
        "accelerators": dict(sorted(accelerators.items())),
    }


def notes(reference_md: Path, extra: Path | None) -> str:
    """The reference notes plus a table of the rows this repository added (source and date)."""
    text = reference_md.read_text(encoding="utf-8").rstrip("\n") + "\n"
    if extra is None or not extra.exists():
        return text
    with extra.open(newline="", encoding="utf-8") as handle:
        added = list(csv.DictReader(handle))
    lines = [
        "",
        "## 8. Rows added in this repository (`tools/gpu_catalog_extra.csv`)",
        "",
        "Generated by `tools/build_gpu_catalog.py`. Same conventions as §1 (reference regions",
        "us-east-1 / us-central1 / eastus, another region only where the SKU has none there).",
        "`tpu:` rows are per chip-hour; TPU prices include the host VM. SkyPilot snapshots carry",
        "no date inside them, so their rows are `undated` with the commit that was read.",
        "",
        "| provider | SKU | accelerator | count | region | on-demand $/h | spot $/h | source "
        "| as of |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in added:
        cells = [
            row["provider"],
            f"`{row['instance_type']}`",
            row["gpu_model"],
            row["gpu_count"],
            row["region"],
            row["on_demand_usd_per_hour"] or "-",
            row["spot_usd_per_hour"] or "-",
            row["source"].replace("|", "/"),
            row["as_of"],
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return text + "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("csv", nargs="?", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--extra", type=Path, default=DEFAULT_EXTRA)
    parser.add_argument("-o", "--output", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    document = build(args.csv, args.extra)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(document, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    reference_md = args.csv.with_suffix(".md")
    if reference_md.exists():
        args.output.with_suffix(".md").write_text(notes(reference_md, args.extra), encoding="utf-8")
    print(
        f"{args.output}: {len(document['instances'])} instances, "
        f"{len(document['accelerators'])} accelerators"
    )


if __name__ == "__main__":
    main()
