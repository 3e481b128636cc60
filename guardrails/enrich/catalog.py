"""The bundled GPU catalog: instance types, per-GPU accelerator prices and model names.

Prices are keyed by (cloud, SKU): an instance type names its cloud; a GPU model alone is priced
per GPU on the cloud the resource runs on (enrich.clouds), and only when nothing names that
cloud is another cloud's price taken, marked as an assumption (``InstanceSpec.assumption``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from functools import cache, cached_property
from typing import Any

from guardrails.bundled import gpu_catalog_path
from guardrails.enrich.clouds import DISPLAY
from guardrails.lazy_regex import LazyPattern

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
#: GKE/GCE accelerator names whose GPUs come only inside one machine family: a GPU there is
#: priced at that family's per-GPU rate (``nvidia-h100-80gb`` → a3-highgpu, not any H100;
#: ``nvidia-l4`` → g2-standard, not the bare L4 accelerator row without its host machine).
GCP_ACCELERATOR_FAMILIES = {
    "nvidia-h100-80gb": "a3-highgpu-",
    "nvidia-h100-mega-80gb": "a3-megagpu-",
    "nvidia-h200-141gb": "a3-ultragpu-",
    "nvidia-a100-80gb": "a2-ultragpu-",
    "nvidia-tesla-a100": "a2-highgpu-",
    "nvidia-l4": "g2-standard-",
}
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
    #: The cloud the row prices (``aws``, ``gcp``, ``azure``); None for the configured default.
    provider: str | None = None
    #: The catalog row a per-GPU price was derived from (``p5.48xlarge``); None for rows.
    sku: str | None = None
    #: Why this price is an assumption, as reports say it (the default $/GPU-hour, or another
    #: cloud's row because nothing names the resource's cloud); None when the input says so.
    assumption: str | None = None
    #: Instance memory in GiB (NodePool memory limits are bounded with it); None: not known.
    memory_gib: float | None = None

    @staticmethod
    def from_row(row: dict[str, Any]) -> InstanceSpec:
        return InstanceSpec(
            provider=row.get("provider"),
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
            memory_gib=row.get("memory_gib"),
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

    def accelerator(
        self, name: str, cloud: str | None = None, gpus: float | None = None
    ) -> InstanceSpec | None:
        """The per-GPU (per-chip) row for an accelerator name on ``cloud``: the machine family a
        GKE/GCE accelerator only comes in (``nvidia-h100-80gb`` → a3-highgpu, ``nvidia-l4`` →
        g2-standard), else a GCP accelerator row (``nvidia-tesla-t4``, ``tpu-v5e``), else the
        short model priced on ``cloud``.

        ``gpus``: the GPUs one pod or VM asks for. They sit on one machine, so a family is
        priced at the cheapest per-GPU rate among its machines carrying at least that many
        (2 L4 → g2-standard-24, not twice g2-standard-4)."""
        key = name.strip().lower()
        family = GCP_ACCELERATOR_FAMILIES.get(key)
        # The family first: a bare accelerator row for such a GPU (skypilot lists one for
        # nvidia-l4) excludes the host machine the GPU cannot be had without.
        if family is not None and cloud in (None, "gcp"):
            rows = [s for t, s in self.instances.items() if t.startswith(family)]
            most = max((s.gpu_count for s in rows), default=0)
            fits = [s for s in rows if s.gpu_count >= min(gpus or 0, most)]
            found = _cheapest_per_gpu(fits)
            if found is not None:
                return found
        if key in self.accelerators and cloud in (None, self.accelerators[key].provider):
            return self.accelerators[key]
        model = model_from_text(name)
        return (
            self.per_gpu(model, cloud if cloud else ("gcp" if family else None)) if model else None
        )

    def per_gpu(self, model: str, cloud: str | None = None) -> InstanceSpec | None:
        """The cheapest whole-GPU row for ``model`` on ``cloud``, priced per GPU (a floor).

        ``cloud`` None: the cheapest on any cloud; when several clouds offer the model that
        choice is an assumption, and the row says so (``assumption``)."""
        if cloud is not None:
            return self._per_gpu_rows.get((model.upper(), cloud))
        row = self._per_gpu_rows.get((model.upper(), None))
        if row is None or len(self.clouds_offering(model)) < 2:
            return row
        return replace(row, assumption=cloud_assumption(row))

    def clouds_offering(self, model: str) -> list[str]:
        """The clouds with a priced row for ``model``."""
        return sorted(c for (m, c) in self._per_gpu_rows if m == model.upper() and c is not None)

    def lookup(self, cloud: str | None, sku_or_accelerator: str) -> InstanceSpec | None:
        """The row that prices ``sku_or_accelerator`` on ``cloud``: an instance type (which
        names its own cloud), an accelerator name or a GPU model (per GPU). None: no price."""
        row = self.instance(sku_or_accelerator)
        if row is not None:
            return row
        return self.accelerator(sku_or_accelerator, cloud)

    @cached_property
    def _per_gpu_rows(self) -> dict[tuple[str, str | None], InstanceSpec]:
        return _per_gpu_rows(self)


def cloud_assumption(row: InstanceSpec) -> str:
    """How reports name a price taken from another cloud because none is named."""
    cloud = DISPLAY.get(row.provider or "", row.provider or "another cloud")
    source = row.sku or row.instance_type
    per = "chip" if row.gpu_model.startswith("TPU") else "GPU"
    return (
        f"assumed {cloud} price, {source} at ${row.on_demand or 0:,.2f}/{per}-hour: "
        "nothing names the cloud"
    )


def price_for(
    cloud: str | None, sku_or_accelerator: str, count: float = 1, spot: bool = False
) -> float | None:
    """USD per hour of ``count`` units of ``sku_or_accelerator`` on ``cloud`` (instances, or
    GPUs/chips for an accelerator or model), at the spot price when ``spot`` and one is known.
    None when the catalog has no price for it."""
    row = load_gpu_catalog().lookup(cloud, sku_or_accelerator)
    if row is None:
        return None
    hourly = row.spot if spot and row.spot is not None else row.on_demand
    return None if hourly is None else hourly * count


def _cheapest_per_gpu(rows: list[InstanceSpec]) -> InstanceSpec | None:
    best: InstanceSpec | None = None
    for spec in rows:
        per = _per_gpu(spec)
        if per is not None and (best is None or (per.on_demand or 0) < (best.on_demand or 0)):
            best = per
    return best


def _per_gpu_rows(catalog: GpuCatalog) -> dict[tuple[str, str | None], InstanceSpec]:
    best: dict[tuple[str, str | None], InstanceSpec] = {}
    for spec in [*catalog.instances.values(), *catalog.accelerators.values()]:
        per = _per_gpu(spec)
        if per is None:
            continue
        for key in ((spec.gpu_model.upper(), spec.provider), (spec.gpu_model.upper(), None)):
            if key not in best or (per.on_demand or 0) < (best[key].on_demand or 0):
                best[key] = per
    return best


def _per_gpu(spec: InstanceSpec) -> InstanceSpec | None:
    """``spec`` priced per GPU (None: no on-demand price, or a fraction of a GPU)."""
    if spec.on_demand is None or spec.gpu_count < 1:
        return None
    return InstanceSpec(
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
        provider=spec.provider,
        sku=spec.instance_type,
    )


def _clean_count(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def is_gpu_family(instance_type: str) -> bool:
    """Whether an instance type belongs to an accelerator family (priced or not)."""
    return bool(_GPU_FAMILY.match(instance_type.strip()))


#: TPU generations as GKE labels, TPU VM accelerator types and catalog rows write them:
#: ``tpu-v5-lite-podslice``, ``v5litepod-8``, ``tpu-v5p-slice``, ``v6e-8``, ``TPU v6e``, ``tpu7x``.
_TPU = LazyPattern(
    r"^(?:tpu[-_\s]*)?(v\d+)(p|e|litepod|-lite)?(?:[-_\s]|$)|^tpu[-_\s]*(\d+x?)$", re.IGNORECASE
)


def tpu_model_from_text(text: str) -> str | None:
    """``TPU v5e`` from a TPU label value or accelerator type, else None."""
    if "tpu" not in text.lower() and not re.match(r"^v\d+(?:p|e|litepod)-\d+$", text, re.I):
        return None
    found = _TPU.match(text.strip())
    if found is None:
        return None
    if found.group(3):
        return f"TPU{found.group(3).lower()}"
    suffix = (found.group(2) or "").lower()
    return f"TPU {found.group(1).lower()}{'e' if 'lite' in suffix else suffix}"


def model_from_text(text: str) -> str | None:
    """A short GPU model from a label value: ``NVIDIA-A100-SXM4-80GB`` → ``A100``,
    ``tpu-v5-lite-podslice`` → ``TPU v5e``."""
    tpu = tpu_model_from_text(text)
    if tpu is not None:
        return tpu
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
