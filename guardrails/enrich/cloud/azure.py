"""Sizing of Azure compute: virtual machines and scale sets, AKS clusters and node pools,
Azure ML compute instances and clusters (gpu_catalog.md §6)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from guardrails.enrich.attrs import as_int, dig, items
from guardrails.enrich.catalog import GpuCatalog
from guardrails.enrich.cloud.common import (
    Attrs,
    Referenced,
    autoscale,
    capacity,
    fixed,
    lowered,
    price_types,
    roll_up,
)
from guardrails.enrich.sizing import Sizing
from guardrails.model import Resource


def azure_vm(r: Resource, a: Attrs, c: GpuCatalog, ref: Referenced) -> Sizing:
    s = Sizing()
    capacity(s, r, lowered(dig(a, "priority")) == "spot", "priority")
    fixed(s, 1)
    size = dig(a, "size") or dig(a, "vm_size")
    price_types(s, c, r, [str(size)] if size else [], ("size",))
    return s


def azure_ml_compute_instance(r: Resource, a: Attrs, c: GpuCatalog, ref: Referenced) -> Sizing:
    """An Azure ML compute instance: one VM of ``virtual_machine_size``."""
    s = Sizing()
    capacity(s, r, False)
    fixed(s, 1)
    size = dig(a, "virtual_machine_size")
    price_types(s, c, r, [str(size)] if size else [], ("virtual_machine_size",))
    return s


def azure_scale_set(r: Resource, a: Attrs, c: GpuCatalog, ref: Referenced) -> Sizing:
    s = Sizing()
    capacity(s, r, lowered(dig(a, "priority")) == "spot", "priority")
    fixed(s, as_int(dig(a, "instances")))
    sku = dig(a, "sku") or dig(a, "sku_name")
    if isinstance(sku, Mapping):
        sku = sku.get("name")
    price_types(s, c, r, [str(sku)] if sku else [], ("sku",))
    return s


def azure_node_pool(r: Resource, a: Attrs, c: GpuCatalog, ref: Referenced) -> Sizing:
    s = Sizing()
    capacity(s, r, lowered(dig(a, "priority")) == "spot", "priority")
    count = as_int(dig(a, "node_count"))
    auto = dig(a, "enable_auto_scaling") is True or dig(a, "auto_scaling_enabled") is True
    maximum = as_int(dig(a, "max_count"))
    if auto:
        autoscale(s, maximum, "max_count", maximum is not None)
        fixed(s, count if count is not None else as_int(dig(a, "min_count")), maximum)
        s.max = maximum
    else:
        fixed(s, count)
    size = dig(a, "vm_size")
    price_types(s, c, r, [str(size)] if size else [], ("vm_size",))
    return s


def _first(pool: Attrs, *keys: str) -> Any:
    return next((pool[k] for k in keys if pool.get(k) is not None), None)


def _aks_pools(attrs: Attrs) -> list[tuple[str, Attrs]]:
    """(attribute path, pool) of the node pools an AKS cluster declares itself."""
    pools = []
    for key in ("default_node_pool", "agent_pool_profiles"):
        for index, pool in enumerate(items(dig(attrs, key))):
            if isinstance(pool, Mapping):
                pools.append((f"{key}.{index}", pool))
    return pools


def _aks_pool(r: Resource, c: GpuCatalog, path: str, pool: Attrs) -> Sizing:
    """One AKS pool sized like an ``azurerm_kubernetes_cluster_node_pool``."""
    s = Sizing()
    spot = lowered(_first(pool, "priority", "scale_set_priority")) == "spot"
    key = path.split(".")[0]  # unknown paths are matched without list indexes
    capacity(s, r, spot, key, "priority")
    count = as_int(_first(pool, "node_count", "count"))
    maximum = as_int(pool.get("max_count"))
    if _first(pool, "auto_scaling_enabled", "enable_auto_scaling") is True:
        autoscale(s, maximum, f"{path}.max_count", maximum is not None)
        fixed(s, count if count is not None else as_int(pool.get("min_count")), maximum)
        s.max = maximum
    else:
        fixed(s, count)
    size = pool.get("vm_size")
    price_types(s, c, r, [str(size)] if size else [], (key, "vm_size"))
    return s


def azure_kubernetes_cluster(r: Resource, a: Attrs, c: GpuCatalog, ref: Referenced) -> Sizing:
    """An AKS cluster's own node pools: Terraform's ``default_node_pool`` and the
    ``agentPoolProfiles`` of an azure-native ManagedCluster, each priced like a node pool.

    The cluster's GPU facts are its priciest GPU pool's; replicas, capacity and autoscaling
    sum its GPU pools (all pools when none has GPUs)."""
    pools = [_aks_pool(r, c, path, pool) for path, pool in _aks_pools(a)]
    gpu_pools = [p for p in pools if p.is_gpu]
    counted = gpu_pools or pools
    s = Sizing()
    for pool in pools:
        s.units += pool.units
    priced = [p for p in gpu_pools if p.units]
    if priced:
        top = max(priced, key=lambda p: p.units[0].spec.on_demand or 0)
        s.use_spec(top.units[0].spec)
        s.instance_type = top.instance_type
    elif gpu_pools:
        s.is_gpu, s.instance_type = True, gpu_pools[0].instance_type
    return roll_up(s, gpu_pools, counted)


def azure_ml_compute_cluster(r: Resource, a: Attrs, c: GpuCatalog, ref: Referenced) -> Sizing:
    s = Sizing()
    capacity(s, r, lowered(dig(a, "vm_priority")) == "lowpriority", "vm_priority")
    minimum = as_int(dig(a, "scale_settings", "min_node_count")) or 0
    maximum = as_int(dig(a, "scale_settings", "max_node_count"))
    fixed(s, minimum, maximum)
    autoscale(s, maximum, "scale_settings.0.max_node_count", maximum is not None)
    size = dig(a, "vm_size")
    price_types(s, c, r, [str(size)] if size else [], ("vm_size",))
    return s
