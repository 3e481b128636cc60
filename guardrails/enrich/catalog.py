"""The bundled GPU catalog: instance types, per-GPU accelerator prices and model names."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Any

from guardrails.bundled import gpu_catalog_path

HOURS_PER_MONTH = 730

#: Families that carry accelerators even when a size is missing from the catalog.
_GPU_FAMILY = re.compile(
    r"^(?:ml\.)?(?:g\d+[a-z]*|gr\d+|p\d+[a-z]*|inf\d+|trn\d+[a-z]*|dl\d+[a-z]*)\.|"  # AWS
    r"^(?:a\d+|g\d+)-(?:high|mega|ultra|standard|edge)|"  # GCP a2/a3/a4/g2
    r"^ct\d+[a-z]*-|"  # GCP Cloud TPU machine types (ct5lp-hightpu-4t, ct6e-standard-8t)
    r"^standard_n[cdvg]",  # Azure N-series
    re.IGNORECASE,
)
_MODEL_TOKENS = (
    "GB300",
    "GB200",
    "B300",
    "B200",
    "H200",
    "H100",
    "A100",
    "A10G",
    "A10",
    "L40S",
    "L40",
    "L4",
    "T4G",
    "T4",
    "V100",
    "P100",
    "P4",
    "K80",
    "M60",
    "MI300X",
    "MI250",
    "MI25",
    "V520",
    "INFERENTIA2",
    "INFERENTIA",
    "TRAINIUM2",
    "TRAINIUM",
    "TPU",
)
_CANONICAL = {
    "INFERENTIA2": "Inferentia2",
    "INFERENTIA": "Inferentia",
    "TRAINIUM2": "Trainium2",
    "TRAINIUM": "Trainium",
}


@dataclass(frozen=True)
class InstanceSpec:
    """One catalog row: a priced instance type or a per-GPU accelerator."""

    instance_type: str
    gpu_model: str
    gpu_model_full: str
    gpu_vendor: str | None
    gpu_count: float
    gpu_memory_gib: float | None
    vcpus: float | None
    on_demand: float | None
    spot: float | None
    #: Where the price comes from and its date (the catalog row's ``source`` and ``as_of``).
    source: str | None = None
    as_of: str | None = None
    #: True when the price is the configured ``default_gpu_hourly_usd``, not a catalog row.
    assumed: bool = False

    @staticmethod
    def from_row(row: dict[str, Any]) -> InstanceSpec:
        return InstanceSpec(
            instance_type=row["instance_type"],
            gpu_model=row["gpu_model"],
            gpu_model_full=row["gpu_model_full"],
            gpu_vendor=row["gpu_vendor"],
            gpu_count=row["gpu_count"],
            gpu_memory_gib=row["gpu_memory_gib"],
            vcpus=row["vcpus"],
            on_demand=row["on_demand_usd_per_hour"],
            spot=row["spot_usd_per_hour"],
            source=row.get("source"),
            as_of=row.get("as_of"),
        )


@dataclass(frozen=True)
class GpuCatalog:
    """Lookups over the bundled catalog."""

    instances: dict[str, InstanceSpec]
    accelerators: dict[str, InstanceSpec]

    def instance(self, instance_type: str) -> InstanceSpec | None:
        """The row for an instance type / VM size / machine type (``ml.`` prefix ignored)."""
        key = instance_type.strip().lower()
        return self.instances.get(key) or self.instances.get(key.removeprefix("ml."))

    def accelerator(self, name: str) -> InstanceSpec | None:
        """The per-GPU row for a GCP accelerator type (``nvidia-tesla-t4``) or a short model."""
        key = name.strip().lower()
        if key in self.accelerators:
            return self.accelerators[key]
        model = model_from_text(name)
        return self.per_gpu(model) if model else None

    def per_gpu(self, model: str) -> InstanceSpec | None:
        """The cheapest whole-GPU row for ``model``, priced per GPU (a conservative floor)."""
        return self._per_gpu_rows.get(model.upper())

    @cached_property
    def _per_gpu_rows(self) -> dict[str, InstanceSpec]:
        return _per_gpu_rows(self)


def _per_gpu_rows(catalog: GpuCatalog) -> dict[str, InstanceSpec]:
    best: dict[str, InstanceSpec] = {}
    for spec in [*catalog.instances.values(), *catalog.accelerators.values()]:
        if spec.on_demand is None or spec.gpu_count < 1:
            continue
        per = InstanceSpec(
            instance_type=f"per-GPU {spec.gpu_model}",
            gpu_model=spec.gpu_model,
            gpu_model_full=spec.gpu_model_full,
            gpu_vendor=spec.gpu_vendor,
            gpu_count=1,
            gpu_memory_gib=(spec.gpu_memory_gib / spec.gpu_count) if spec.gpu_memory_gib else None,
            vcpus=None,
            on_demand=round(spec.on_demand / spec.gpu_count, 5),
            spot=round(spec.spot / spec.gpu_count, 5) if spec.spot else None,
            source=f"{spec.instance_type} / {_clean_count(spec.gpu_count)} GPUs: {spec.source}",
            as_of=spec.as_of,
        )
        key = spec.gpu_model.upper()
        if key not in best or (per.on_demand or 0) < (best[key].on_demand or 0):
            best[key] = per
    return best


def _clean_count(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def is_gpu_family(instance_type: str) -> bool:
    """Whether an instance type belongs to an accelerator family (priced or not)."""
    return bool(_GPU_FAMILY.match(instance_type.strip()))


def model_from_text(text: str) -> str | None:
    """A short GPU model from a label value: ``NVIDIA-A100-SXM4-80GB`` → ``A100``."""
    tokens = re.split(r"[-_\s./]+", text.upper())
    for candidate in _MODEL_TOKENS:
        if candidate in tokens:
            return _CANONICAL.get(candidate, candidate)
    return None


@cache
def load_gpu_catalog() -> GpuCatalog:
    """The bundled catalog (cached for the process)."""
    document = json.loads(gpu_catalog_path().read_text(encoding="utf-8"))
    return GpuCatalog(
        instances={k: InstanceSpec.from_row(v) for k, v in document["instances"].items()},
        accelerators={k: InstanceSpec.from_row(v) for k, v in document["accelerators"].items()},
    )
