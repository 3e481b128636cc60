"""What a scaling object lets the cluster buy: the GPU instance types a Karpenter NodePool's
requirements or a Kueue ResourceFlavor's node labels allow, and the priciest of them per GPU,
per vCPU, per GiB and per node (the ceilings a worst case is computed from).

The universe is the bundled catalog's rows of the object's cloud (for AWS, every GPU type in
Karpenter's instance-type reference). Requirement keys this module does not model (arch, zone,
hypervisor, ...) are ignored: that can only widen the allowed set, never hide a pricier type. A
named family or instance type with no catalog row, or a row with no on-demand list price, is
*unpriced*: the worst case cannot be computed and callers refuse rather than guess.

Spot capacity is bounded at the on-demand price: a spot price moves, clouds cap it at on-demand,
and the catalog's spot figure is a snapshot, never a ceiling (gpu_catalog.md §4).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from guardrails.enrich import accelerators
from guardrails.enrich.attrs import items
from guardrails.enrich.catalog import (
    GCP_ACCELERATOR_FAMILIES,
    GpuCatalog,
    InstanceSpec,
    is_gpu_family,
)

#: Label prefixes Karpenter on AWS (and EKS Auto Mode) uses for instance attributes.
_AWS_PREFIXES = ("karpenter.k8s.aws/", "eks.amazonaws.com/")
_TYPE = "node.kubernetes.io/instance-type"
_CAPACITY = "karpenter.sh/capacity-type"
#: Device resource a catalog row's accelerators are exposed as, by vendor.
_DEVICE = {"nvidia": "nvidia.com/gpu", "amd": "amd.com/gpu", "aws": "aws.amazon.com/neuron"}
_NUMERIC = {"instance-gpu-count", "instance-cpu", "instance-memory", "instance-generation"}


@dataclass(frozen=True)
class Ceiling:
    """The priciest allowed choice per unit, on-demand USD/hour, and the type it comes from."""

    per_gpu: float
    per_gpu_type: str
    per_node: float
    per_node_type: str
    per_cpu: float | None
    per_gib: float | None
    #: Device resource every allowed type exposes (``nvidia.com/gpu``), None when they differ.
    device: str | None
    source: str
    as_of: str

    def per(self, resource: str) -> float | None:
        """USD/hour per unit of a NodePool limit (``cpu``, ``memory`` in GiB, a device)."""
        if resource == "cpu":
            return self.per_cpu
        if resource == "memory":
            return self.per_gib
        if resource == "nodes":
            return self.per_node
        return self.per_gpu if resource == self.device else None


@dataclass(frozen=True)
class Allowed:
    """The GPU types an object allows: priced rows, unpriced names and the capacity types."""

    rows: tuple[InstanceSpec, ...]
    unpriced: tuple[str, ...]
    capacity: tuple[str, ...]
    #: Why nothing prices it at all (a flavor with no GPU-naming label), None when rows decide.
    unknown: str | None = None

    @property
    def any_gpu(self) -> bool:
        return bool(self.rows or self.unpriced or self.unknown)

    def ceiling(self) -> Ceiling | None:
        """The ceilings over the priced rows (None: no priced GPU type)."""
        rows = [r for r in self.rows if r.on_demand is not None and r.gpu_count > 0]
        if not rows:
            return None
        gpu = max(rows, key=lambda r: (r.on_demand or 0) / r.gpu_count)
        node = max(rows, key=lambda r: r.on_demand or 0)
        cpus = [r for r in rows if r.vcpus]
        gibs = [r for r in rows if _memory(r)]
        cpu = max(cpus, key=lambda r: (r.on_demand or 0) / (r.vcpus or 1)) if cpus else None
        gib = max(gibs, key=lambda r: (r.on_demand or 0) / (_memory(r) or 1)) if gibs else None
        devices = {_DEVICE.get(r.gpu_vendor or "") for r in rows}
        dates = sorted({r.as_of or "undated" for r in rows})
        return Ceiling(
            per_gpu=(gpu.on_demand or 0) / gpu.gpu_count,
            per_gpu_type=gpu.instance_type,
            per_node=node.on_demand or 0,
            per_node_type=node.instance_type,
            per_cpu=None
            if cpu is None or len(cpus) < len(rows)
            else (cpu.on_demand or 0) / (cpu.vcpus or 1),
            per_gib=(
                None
                if gib is None or len(gibs) < len(rows)
                else (gib.on_demand or 0) / (_memory(gib) or 1)
            ),
            device=devices.pop() if len(devices) == 1 else None,
            source=_source(gpu),
            as_of=", ".join(dates),
        )


def _memory(row: InstanceSpec) -> float | None:
    return row.memory_gib


def _source(row: InstanceSpec) -> str:
    text = row.source or "bundled GPU catalog"
    # The on-demand part only: a ceiling never rests on the spot snapshot the row also names.
    return text.split(" ; ")[0].split(" | spot:")[0]


def _family(instance_type: str) -> str:
    return instance_type.split(".", 1)[0].lower()


def _category(family: str) -> str:
    found = re.match(r"[a-z]+", family)
    return found.group(0) if found else family


def _generation(family: str) -> int | None:
    found = re.search(r"\d+", family)
    return int(found.group(0)) if found else None


def _aws_value(row: InstanceSpec, key: str) -> str | float | None:
    """The value Karpenter's label ``key`` (without prefix) has on nodes of ``row``."""
    family = _family(row.instance_type)
    vendor = (row.gpu_vendor or "").lower()
    gpu = vendor in ("nvidia", "amd")
    values: dict[str, Callable[[], str | float | None]] = {
        "instance-family": lambda: family,
        "instance-category": lambda: _category(family),
        "instance-generation": lambda: _generation(family),
        "instance-size": lambda: row.instance_type.split(".", 1)[1].lower(),
        "instance-gpu-name": lambda: row.gpu_model.lower() if gpu else None,
        "instance-gpu-manufacturer": lambda: vendor if gpu else None,
        "instance-gpu-count": lambda: row.gpu_count if gpu else None,
        "instance-accelerator-count": lambda: None if gpu else row.gpu_count,
        "instance-accelerator-manufacturer": lambda: None if gpu else vendor,
        "instance-cpu": lambda: row.vcpus,
        "instance-memory": lambda: (_memory(row) or 0) * 1024 or None,
    }
    getter = values.get(key)
    return getter() if getter is not None else _MISSING


#: A requirement key this module does not model: ignored (it can only narrow the set).
_MISSING = "\0unmodelled"


def _matches(value: str | float | None, operator: str, values: frozenset[str] | list[str]) -> bool:
    if value == _MISSING:
        return True
    if operator == "In":
        return value is not None and _text(value) in values
    if operator == "NotIn":
        return value is None or _text(value) not in values
    if operator == "Exists":
        return value is not None
    if operator == "DoesNotExist":
        return value is None
    if operator in ("Gt", "Lt") and values:  # Karpenter requires exactly one value
        try:
            bound = float(next(iter(values)))
        except ValueError:
            return True
        if not isinstance(value, int | float):
            return False
        return value > bound if operator == "Gt" else value < bound
    return True


def _text(value: str | float) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).lower()


#: NodePool requirements read (the CRD's maxItems): more can only narrow the set, so ignoring
#: them keeps the ceiling sound and bounds the time a hostile NodePool can take.
MAX_REQUIREMENTS = 100


@dataclass(frozen=True)
class Requirement:
    key: str
    operator: str
    values: list[str]

    @cached_property
    def value_set(self) -> frozenset[str]:
        return frozenset(self.values)


def requirements_of(raw: Iterable[Any]) -> list[Requirement]:
    """NodePool ``spec.template.spec.requirements`` as Requirement rows (keys lower-cased)."""
    out: list[Requirement] = []
    for item in list(raw)[:MAX_REQUIREMENTS]:
        if isinstance(item, Mapping) and isinstance(item.get("key"), str):
            out.append(
                Requirement(
                    item["key"].strip().lower(),
                    str(item.get("operator", "")),
                    [str(v).strip().lower() for v in items(item.get("values"))],
                )
            )
    return out


def _aws_key(key: str) -> str | None:
    for prefix in _AWS_PREFIXES:
        if key.startswith(prefix):
            return key.removeprefix(prefix)
    return None


def allowed_by_requirements(
    requirements: list[Requirement], catalog: GpuCatalog, cloud: str | None
) -> Allowed:
    """The GPU types a NodePool's requirements allow on ``cloud`` (catalog rows of that cloud)."""
    universe = [r for r in catalog.instances.values() if cloud is None or r.provider == cloud]
    rows = []
    for row in universe:
        if all(_row_matches(row, req) for req in requirements):
            rows.append(row)
    unpriced = [r.instance_type for r in rows if r.on_demand is None]
    unpriced += _unknown_names(requirements, catalog)
    return Allowed(
        rows=tuple(r for r in rows if r.on_demand is not None),
        unpriced=tuple(dict.fromkeys(unpriced)),
        capacity=_capacity(requirements),
    )


def _row_matches(row: InstanceSpec, req: Requirement) -> bool:
    if req.key == _TYPE:
        return _matches(row.instance_type.lower(), req.operator, req.value_set)
    aws = _aws_key(req.key)
    if aws is None or row.provider != "aws":
        return True
    return _matches(_aws_value(row, aws), req.operator, req.value_set)


def _unknown_names(requirements: list[Requirement], catalog: GpuCatalog) -> list[str]:
    """Families and instance types a requirement names (``In``) that the catalog cannot price
    but that are GPU families, unless another requirement rules them out."""
    families = {_family(t) for t in catalog.instances}
    out = []
    for req in requirements:
        if req.operator != "In":
            continue
        if req.key == _TYPE:
            out += [v for v in req.values if catalog.instance(v) is None and is_gpu_family(v)]
        elif _aws_key(req.key) == "instance-family":
            for family in req.values:
                if family in families or not is_gpu_family(f"{family}.x"):
                    continue
                if _family_allowed(family, requirements):
                    out.append(f"family {family}")
    return out


def _family_allowed(family: str, requirements: list[Requirement]) -> bool:
    """Whether the category/generation requirements leave an unlisted family possible."""
    for req in requirements:
        key = _aws_key(req.key)
        if key == "instance-category" and not _matches(_category(family), req.operator, req.values):
            return False
        if key == "instance-generation" and not _matches(
            _generation(family), req.operator, req.values
        ):
            return False
    return True


def _capacity(requirements: list[Requirement]) -> tuple[str, ...]:
    for req in requirements:
        if req.key == _CAPACITY and req.operator == "In":
            return tuple(req.values)
    return ("on-demand",)  # Karpenter's default when the requirement is absent


def allowed_by_labels(
    labels: Mapping[str, Any],
    catalog: GpuCatalog,
    declared: list[str] | None = None,
    nodepools: Mapping[str, Allowed] | None = None,
) -> Allowed:
    """The GPU types a Kueue ResourceFlavor's ``nodeLabels`` (or the operator's declaration of
    what the flavor's nodes are) allow."""
    lowered = {str(k).strip().lower(): str(v).strip().lower() for k, v in labels.items()}
    if declared:
        return _declared(declared, catalog)
    pool = lowered.get("karpenter.sh/nodepool")
    if pool is not None and nodepools and pool in nodepools:
        return nodepools[pool]
    if _TYPE in lowered:
        row = catalog.instance(lowered[_TYPE])
        if row is None or row.on_demand is None:
            return Allowed((), (lowered[_TYPE],), ())
        return Allowed((row,), (), ())
    accelerator = lowered.get("cloud.google.com/gke-accelerator") or lowered.get(
        "cloud.google.com/gke-tpu-accelerator"
    )
    if accelerator is not None:
        return _gcp_accelerator(accelerator, catalog)
    if any(_aws_key(k) for k in lowered):
        reqs = [Requirement(k, "In", [v]) for k, v in lowered.items()]
        return allowed_by_requirements(reqs, catalog, "aws")
    named = ", ".join(f"{k}={v}" for k, v in sorted(lowered.items())) or "none"
    return Allowed(
        (),
        (),
        (),
        unknown=(
            f"its nodeLabels ({named}) name no instance type or GPU: declare the flavor's GPU "
            "in budgets.flavor_types"
        ),
    )


def _declared(names: list[str], catalog: GpuCatalog) -> Allowed:
    rows: list[InstanceSpec] = []
    unpriced: list[str] = []
    for name in names:
        found = catalog.instance(name)
        if found is not None and found.on_demand is not None:
            rows.append(found)
            continue
        family = _gcp_accelerator(name, catalog)
        if family.rows:
            rows += family.rows
        else:
            unpriced.append(name)
    return Allowed(tuple(rows), tuple(unpriced), ())


def _gcp_accelerator(name: str, catalog: GpuCatalog) -> Allowed:
    """Every machine a GKE accelerator comes in (its family), else its accelerator row."""
    key = name.strip().lower()
    prefix = GCP_ACCELERATOR_FAMILIES.get(key)
    if prefix is not None:
        rows = tuple(
            r for t, r in catalog.instances.items() if t.startswith(prefix) and r.on_demand
        )
        if rows:
            return Allowed(rows, (), ())
    row = catalog.accelerators.get(key)
    if row is not None and row.on_demand is not None:
        return Allowed((row,), (), ())
    return Allowed((), (name,), ())


def monthly(hourly: float) -> float:
    """USD/hour to USD/month (730 hours), cents rounded up so a ceiling stays a ceiling."""
    return math.ceil(hourly * 730 * 100) / 100


def device_of(resource_name: str) -> bool:
    """Whether a limit/quota key is a whole accelerator device (``nvidia.com/gpu``, ...)."""
    return resource_name in accelerators.WHOLE_DEVICES
