"""Sizing of GCP compute: Compute Engine instances, templates and groups, GKE node pools and
clusters, Vertex AI Workbench and notebooks, Cloud TPU VMs (gpu_catalog.md §6)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from guardrails.enrich.accelerators import tpu_config, tpu_machine, tpu_type
from guardrails.enrich.attrs import as_int, dig, is_unknown, items
from guardrails.enrich.catalog import GpuCatalog, is_gpu_family
from guardrails.enrich.cloud.common import (
    Attrs,
    Referenced,
    autoscale,
    capacity,
    fixed,
    lowered,
    roll_up,
)
from guardrails.enrich.sizing import Sizing, Unit
from guardrails.model import Resource


def _gcp_scheduling(s: Sizing, r: Resource, scheduling: Any, *path: str) -> None:
    model = lowered(dig(scheduling, "provisioning_model"))
    preemptible = dig(scheduling, "preemptible") is True
    capacity(s, r, model == "spot" or preemptible, *path)


def _gcp_machine(
    s: Sizing, r: Resource, c: GpuCatalog, machine: Any, accelerators: Any, prefix: tuple[str, ...]
) -> None:
    spot = s.capacity == "spot"
    if machine:
        spec = c.instance(str(machine))
        if spec is not None:
            s.use_spec(spec)
            s.instance_type = str(machine)
            s.units.append(Unit(spec, 1, spot, s.desired, s.max, str(machine)))
        elif tpu_machine(str(machine)) is not None:
            _tpu(s, c, str(machine), *(tpu_machine(str(machine)) or ("", 0)))
        elif is_gpu_family(str(machine)):
            s.is_gpu, s.instance_type = True, str(machine)
            s.price_problem = (f"machine type {machine} is not in the GPU catalog", None)
        else:
            s.instance_type = str(machine)
    elif is_unknown(r, *prefix, "machine_type"):
        unknown = is_unknown(r, *prefix, "machine_type")
        s.is_gpu = True
        s.price_problem = (f"{unknown} is unknown until apply", unknown)
    if s.units and s.gpu_count:
        # a2/a3/g2 machine types come with their GPUs: a guest accelerator written beside one
        # names those same GPUs (Workbench asks for it), it adds none.
        return
    for accel in items(accelerators):
        if not isinstance(accel, Mapping):
            continue
        name, count = accel.get("type"), as_int(accel.get("count"))
        if not name or count is None:
            unknown = is_unknown(r, *prefix, "guest_accelerator")
            s.is_gpu = True
            s.price_problem = (f"{unknown or 'guest_accelerator'} is unknown until apply", unknown)
            continue
        spec = c.accelerator(str(name).rsplit("/", 1)[-1], "gcp", count)
        s.is_gpu = True
        s.gpu_count = (s.gpu_count or 0) + count if s.gpu_model else count
        if spec is None:
            s.price_problem = (f"accelerator {name} is not in the GPU catalog", None)
            continue
        s.gpu_model, s.gpu_model_full, s.gpu_vendor = (
            spec.gpu_model,
            spec.gpu_model_full,
            spec.gpu_vendor,
        )
        s.gpu_memory_gib = (spec.gpu_memory_gib or 0) * count or None
        # The N1 host VM is billed separately and is not in the catalog: GPUs only (a floor).
        s.units.append(Unit(spec, count, spot, s.desired, s.max, str(name)))


def _tpu(s: Sizing, c: GpuCatalog, name: str, model: str, chips: int | None) -> None:
    """A TPU VM/slice of ``chips`` chips of ``model``, priced per chip when the catalog has it
    (else unpriced: recognised, never $0)."""
    s.is_gpu, s.instance_type = True, name
    s.gpu_model = s.gpu_model_full = model
    s.gpu_vendor, s.gpu_count, s.gpu_resource_name = "google", chips, "google.com/tpu"
    row = c.per_gpu(model)
    if chips is None:
        s.price_problem = (f"the number of TPU chips of {name} is not known", None)
    elif row is None:
        s.price_problem = (f"{model} ({name}) has no price in the GPU catalog", None)
    else:
        s.units.append(Unit(row, chips, s.capacity == "spot", s.desired, s.max, name))


def google_compute_instance(r: Resource, a: Attrs, c: GpuCatalog, ref: Referenced) -> Sizing:
    s = Sizing()
    _gcp_scheduling(s, r, dig(a, "scheduling"), "scheduling")
    fixed(s, 0 if r.type.endswith("template") else 1)
    _gcp_machine(s, r, c, dig(a, "machine_type"), dig(a, "guest_accelerator"), ())
    return s


def google_instance_group_manager(r: Resource, a: Attrs, c: GpuCatalog, ref: Referenced) -> Sizing:
    s = Sizing()
    size = as_int(dig(a, "target_size"))
    fixed(s, size)
    template = ref(
        r, ("google_compute_instance_template", "google_compute_region_instance_template")
    )
    if template is None:
        capacity(s, r, False)
        return s
    t = template.attributes
    _gcp_scheduling(s, r, dig(t, "scheduling"))
    _gcp_machine(s, template, c, dig(t, "machine_type"), dig(t, "guest_accelerator"), ())
    return s


def google_container_node_pool(r: Resource, a: Attrs, c: GpuCatalog, ref: Referenced) -> Sizing:
    s = Sizing()
    config = dig(a, "node_config")
    spot = dig(config, "spot") is True or dig(config, "preemptible") is True
    capacity(s, r, spot, "node_config")
    count = as_int(dig(a, "node_count"))
    if count is None:
        count = as_int(dig(a, "initial_node_count"))
    # `autoscaling: []` is how a plan writes an absent block: a fixed-size pool.
    autoscaling = dig(a, "autoscaling") or None
    maximum = None
    if autoscaling is not None:
        maximum = as_int(dig(autoscaling, "max_node_count")) or as_int(
            dig(autoscaling, "total_max_node_count")
        )
        autoscale(s, maximum, "autoscaling.0.max_node_count", maximum is not None)
    fixed(s, count, maximum)
    if autoscaling is not None:
        s.max = maximum
    _gcp_machine(
        s, r, c, dig(config, "machine_type"), dig(config, "guest_accelerator"), ("node_config",)
    )
    return s


def google_container_cluster(r: Resource, a: Attrs, c: GpuCatalog, ref: Referenced) -> Sizing:
    """A GKE cluster's own node pools: the default pool (``node_config`` with
    ``initial_node_count``) unless ``remove_default_node_pool`` is set, and every inline
    ``node_pool`` block, each sized like a ``google_container_node_pool``."""
    pools: list[Sizing] = []
    inline = [p for p in items(dig(a, "node_pool")) if isinstance(p, Mapping)]
    # Inline node pools replace the default pool; so does remove_default_node_pool.
    kept = not inline and dig(a, "remove_default_node_pool") is not True
    if kept and dig(a, "enable_autopilot") is not True:
        default = {"node_config": dig(a, "node_config"), "node_count": dig(a, "node_count")}
        default["initial_node_count"] = dig(a, "initial_node_count")
        pools.append(google_container_node_pool(r, default, c, ref))
    for pool in inline:
        pools.append(google_container_node_pool(r, pool, c, ref))
    return _sum_pools(pools)


def google_workbench_instance(r: Resource, a: Attrs, c: GpuCatalog, ref: Referenced) -> Sizing:
    """Vertex AI Workbench: ``gce_setup.machine_type`` and ``accelerator_configs``
    (``type``, ``core_count``); a legacy notebooks instance: ``accelerator_config``."""
    s = Sizing()
    fixed(s, 1)
    setup = dig(a, "gce_setup")
    prefix: tuple[str, ...] = ("gce_setup",) if setup is not None else ()
    block = setup if setup is not None else a
    capacity(s, r, False)
    configs = dig(block, "accelerator_configs") or dig(block, "accelerator_config")
    accelerators = [
        {"type": x.get("type"), "count": x.get("core_count", x.get("coreCount"))}
        for x in items(configs)
        if isinstance(x, Mapping)
    ]
    _gcp_machine(s, r, c, dig(block, "machine_type"), accelerators, prefix)
    return s


def google_notebooks_runtime(r: Resource, a: Attrs, c: GpuCatalog, ref: Referenced) -> Sizing:
    """A managed Vertex AI notebooks runtime: ``virtual_machine.virtual_machine_config``."""
    s = Sizing()
    fixed(s, 1)
    capacity(s, r, False)
    prefix = ("virtual_machine", "virtual_machine_config")
    config = dig(a, *prefix)
    accelerators = [
        {"type": x.get("type"), "count": x.get("core_count", x.get("coreCount"))}
        for x in items(dig(config, "accelerator_config"))
        if isinstance(x, Mapping)
    ]
    _gcp_machine(s, r, c, dig(config, "machine_type"), accelerators, prefix)
    return s


def google_tpu_vm(r: Resource, a: Attrs, c: GpuCatalog, ref: Referenced) -> Sizing:
    """A Cloud TPU VM or node: ``accelerator_type`` (``v5litepod-8``) or ``accelerator_config``
    (``type`` and ``topology``); spot/preemptible scheduling."""
    s = Sizing()
    scheduling = dig(a, "scheduling_config")
    spot = dig(scheduling, "spot") is True or dig(scheduling, "preemptible") is True
    capacity(s, r, spot, "scheduling_config")
    fixed(s, 1)
    name = dig(a, "accelerator_type")
    config = dig(a, "accelerator_config")
    found: tuple[str, int | None] | None = tpu_type(str(name)) if name else None
    if found is None and config is not None:
        found = tpu_config(str(dig(config, "type") or ""), str(dig(config, "topology") or ""))
        name = f"{dig(config, 'type')} {dig(config, 'topology')}"
    if found is not None:
        _tpu(s, c, str(name), *found)
        return s
    s.is_gpu, s.instance_type = True, str(name) if name else None
    unknown = is_unknown(r, "accelerator_type") or is_unknown(r, "accelerator_config")
    s.gpu_vendor, s.gpu_model = "google", "TPU"
    s.price_problem = (
        (f"{unknown} is unknown until apply", unknown)
        if unknown
        else (f"TPU accelerator type {name or 'not given'} is not recognised", None)
    )
    return s


def _sum_pools(pools: list[Sizing]) -> Sizing:
    """Several node pools of one cluster as one resource: the priciest GPU pool's identity,
    replicas and capacity summed over the GPU pools (all pools when none has GPUs)."""
    gpu_pools = [p for p in pools if p.is_gpu]
    counted = gpu_pools or pools
    s = Sizing()
    for pool in pools:
        s.units += pool.units
    priced = [p for p in gpu_pools if p.units]
    top = max(priced, key=lambda p: p.units[0].spec.on_demand or 0) if priced else None
    first = top or (gpu_pools[0] if gpu_pools else None)
    if first is not None:
        s.is_gpu, s.instance_type = True, first.instance_type
        s.gpu_model, s.gpu_model_full = first.gpu_model, first.gpu_model_full
        s.gpu_vendor, s.gpu_count = first.gpu_vendor, first.gpu_count
        s.gpu_memory_gib, s.gpu_resource_name = first.gpu_memory_gib, first.gpu_resource_name
    return roll_up(s, gpu_pools, counted)
