"""What a resource provisions: GPU units to price, capacity, replicas and autoscaling."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from guardrails.enrich.catalog import GpuCatalog, InstanceSpec
from guardrails.enrich.clouds import CloudEvidence
from guardrails.model.contract import GpuFact


@dataclass(frozen=True)
class Unit:
    """``count`` catalog rows of ``spec`` per replica (per-GPU rows: GPUs per pod)."""

    spec: InstanceSpec
    count: float
    spot: bool
    desired: int | None
    max: int | None
    #: What is priced, as the input names it: instance/VM/machine type or GPU resource name.
    name: str = ""


@dataclass
class Sizing:
    """Everything enrichment learned about a resource's compute before pricing it."""

    is_gpu: bool = False
    units: list[Unit] = field(default_factory=list)
    instance_type: str | None = None
    gpu_model: str | None = None
    gpu_count: float | None = None
    gpu_vendor: str | None = None
    gpu_memory_gib: float | None = None
    gpu_model_full: str | None = None
    gpu_resource_name: str | None = None
    capacity: str = "unknown"
    capacity_attribute: str | None = None
    desired: int | None = None
    max: int | None = None
    #: Replicas that each hold a whole copy of the workload (multi-node group pods count once);
    #: None: the same as ``desired``.
    groups: int | None = None
    autoscaling: dict[str, Any] = field(
        default_factory=lambda: {
            "enabled": False,
            "max": None,
            "explicit_max": False,
            "attribute": None,
        }
    )
    #: Why the GPU cost cannot be determined: (reason, unknown attribute or None).
    price_problem: tuple[str, str | None] | None = None
    #: Why accelerators the resource may hold are not counted at all (a DRA claim or a
    #: training runtime not in the scan): ``facts.accelerator_unknown``, GR-INPUT-001.
    accelerator_unknown: str | None = None
    #: The cloud the resource runs on and what says so (None: nothing in it names one).
    cloud: CloudEvidence | None = None

    def gpu_total(self) -> dict[str, float | None]:
        """GPUs scheduled in all: each unit's GPUs times its replicas, desired and max."""
        totals: dict[str, float | None] = {"desired": 0, "max": 0}
        for unit in self.units:
            per_replica = unit.count * (unit.spec.gpu_count or 0)
            for key, replicas in (("desired", unit.desired), ("max", unit.max)):
                current = totals[key]
                totals[key] = (
                    None
                    if current is None or replicas is None
                    else current + per_replica * replicas
                )
        if self.price_problem is not None or not self.units:
            return {"desired": None, "max": None}
        return {k: _clean(v) if v is not None else None for k, v in totals.items()}

    def gpu_fact(self) -> GpuFact | None:
        if not self.is_gpu:
            return None
        return {
            "total": self.gpu_total(),
            "count": self.gpu_count,
            "model": self.gpu_model,
            "model_full": self.gpu_model_full,
            "memory_gib": self.gpu_memory_gib,
            "vendor": self.gpu_vendor,
            "resource_name": self.gpu_resource_name,
        }

    def use_spec(self, spec: InstanceSpec, per_replica: float = 1) -> None:
        """Record the GPU identity of ``spec`` (``per_replica`` rows per instance/pod)."""
        self.is_gpu = True
        self.gpu_model = spec.gpu_model
        self.gpu_model_full = spec.gpu_model_full
        self.gpu_vendor = spec.gpu_vendor
        self.gpu_count = _clean(spec.gpu_count * per_replica)
        self.gpu_memory_gib = (
            _clean(spec.gpu_memory_gib * per_replica) if spec.gpu_memory_gib else None
        )


def _clean(value: float) -> float:
    return int(value) if float(value).is_integer() else round(value, 4)


def most_expensive(catalog: GpuCatalog, types: list[str]) -> tuple[InstanceSpec | None, str | None]:
    """The priciest catalog row among ``types`` and the type it came from (ceilings use the top)."""
    best: tuple[InstanceSpec | None, str | None] = (None, None)
    for name in types:
        spec = catalog.instance(name)
        if spec is None:
            continue
        if best[0] is None or (spec.on_demand or 0) > (best[0].on_demand or 0):
            best = (spec, name)
    return best
