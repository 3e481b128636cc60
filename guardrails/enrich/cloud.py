"""Sizing of cloud compute resources (Terraform and Pulumi), per gpu_catalog.md §6."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from guardrails.enrich.accelerators import tpu_config, tpu_machine, tpu_type
from guardrails.enrich.attrs import as_int, dig, is_unknown, items
from guardrails.enrich.catalog import GpuCatalog, is_gpu_family
from guardrails.enrich.sizing import Sizing, Unit, most_expensive
from guardrails.model import Resource

Attrs = Mapping[str, Any]
#: Resolves a resource the given one references, by type (e.g. an ASG's launch template).
Referenced = Callable[[Resource, tuple[str, ...]], Resource | None]


def _lower(value: Any) -> str:
    return str(value).strip().lower() if value is not None else ""


def _fixed(sizing: Sizing, desired: int | None, maximum: int | None = None) -> None:
    sizing.desired = desired
    sizing.max = desired if maximum is None else maximum


def _autoscale(sizing: Sizing, maximum: int | None, attribute: str, explicit: bool) -> None:
    sizing.autoscaling = {
        "enabled": True,
        "max": maximum,
        "explicit_max": explicit,
        "attribute": attribute,
    }


def _price_types(
    sizing: Sizing, catalog: GpuCatalog, resource: Resource, types: list[str], path: tuple[str, ...]
) -> None:
    """Price the priciest GPU type among ``types`` (the attribute at ``path``) as one unit."""
    unknown = is_unknown(resource, *path)
    spec, name = most_expensive(catalog, types)
    if spec is not None and name is not None:
        sizing.use_spec(spec)
        sizing.instance_type = name
        spot = sizing.capacity == "spot"
        sizing.units.append(Unit(spec, 1, spot, sizing.desired, sizing.max, name))
        return
    gpu_types = [t for t in types if is_gpu_family(t)]
    if gpu_types:
        sizing.is_gpu = True
        sizing.instance_type = gpu_types[0]
        sizing.price_problem = (f"instance type {gpu_types[0]} is not in the GPU catalog", None)
    elif unknown and not types:
        # The type is only known after apply: it may be a GPU type, so the price is unknown.
        sizing.is_gpu = True
        sizing.price_problem = (f"{unknown} is unknown until apply", unknown)


def _spot_market(attrs: Attrs) -> bool:
    return _lower(dig(attrs, "instance_market_options", "market_type")) == "spot"


def _capacity(sizing: Sizing, resource: Resource, spot: bool, *path: str) -> None:
    unknown = is_unknown(resource, *path) if path else None
    if spot:
        sizing.capacity = "spot"
    elif unknown:
        sizing.capacity, sizing.capacity_attribute = "unknown", unknown
    else:
        sizing.capacity = "on-demand"


def _aws_instance(r: Resource, a: Attrs, c: GpuCatalog, ref: Referenced, replicas: int) -> Sizing:
    s = Sizing()
    spot = r.type.endswith("spot_instance_request") or _spot_market(a)
    _capacity(s, r, spot, "instance_market_options", "market_type")
    _fixed(s, replicas)
    declared = dig(a, "instance_type")
    types = [str(declared)] if declared else []
    if not types and dig(a, "launch_template"):
        template = ref(r, ("aws_launch_template",))
        if template is not None and dig(template.attributes, "instance_type"):
            types = [str(dig(template.attributes, "instance_type"))]
            spot = spot or _spot_market(template.attributes)
            _capacity(s, r, spot)
    _price_types(s, c, r, types, ("instance_type",))
    return s


def aws_instance(r: Resource, a: Attrs, c: GpuCatalog, ref: Referenced) -> Sizing:
    return _aws_instance(r, a, c, ref, 1)


def aws_template(r: Resource, a: Attrs, c: GpuCatalog, ref: Referenced) -> Sizing:
    """Launch templates/configurations provision nothing themselves: priced at zero replicas."""
    return _aws_instance(r, a, c, ref, 0)


def aws_autoscaling_group(r: Resource, a: Attrs, c: GpuCatalog, ref: Referenced) -> Sizing:
    s = Sizing()
    minimum = as_int(dig(a, "min_size"))
    desired = as_int(dig(a, "desired_capacity"))
    maximum = as_int(dig(a, "max_size"))
    _fixed(s, desired if desired is not None else minimum, maximum)
    _autoscale(s, maximum, "max_size", dig(a, "max_size") is not None)
    mixed = dig(a, "mixed_instances_policy")
    distribution = dig(mixed, "instances_distribution") if mixed else None
    percentage = as_int(dig(distribution, "on_demand_percentage_above_base_capacity"))
    spot = mixed is not None and percentage is not None and percentage < 100
    types = [
        str(o.get("instance_type") or o.get("instanceType"))
        for o in items(dig(mixed, "launch_template", "override"))
        if isinstance(o, Mapping) and (o.get("instance_type") or o.get("instanceType"))
    ]
    template = ref(r, ("aws_launch_template", "aws_launch_configuration"))
    if template is not None:
        spot = spot or _spot_market(template.attributes)
        if not types and dig(template.attributes, "instance_type"):
            types = [str(dig(template.attributes, "instance_type"))]
    _capacity(s, r, spot, "mixed_instances_policy")
    _price_types(s, c, r, types, ("mixed_instances_policy",) if mixed else ("launch_template",))
    if not types and template is None and not s.is_gpu:
        s.price_problem = None
    return s


def aws_eks_node_group(r: Resource, a: Attrs, c: GpuCatalog, ref: Referenced) -> Sizing:
    s = Sizing()
    capacity_type = _lower(dig(a, "capacity_type"))
    _capacity(s, r, capacity_type == "spot", "capacity_type")
    desired = as_int(dig(a, "scaling_config", "desired_size"))
    maximum = as_int(dig(a, "scaling_config", "max_size"))
    _fixed(s, desired, maximum)
    _autoscale(s, maximum, "scaling_config.0.max_size", maximum is not None)
    types = [str(t) for t in items(dig(a, "instance_types")) if t]
    _price_types(s, c, r, types, ("instance_types",))
    ami = _lower(dig(a, "ami_type"))
    if not s.is_gpu and any(m in ami for m in ("nvidia", "gpu", "neuron")):
        s.is_gpu = True
        s.price_problem = s.price_problem or (
            f"GPU AMI {dig(a, 'ami_type')} without a catalog instance type",
            None,
        )
    return s


def aws_sagemaker_endpoint_configuration(
    r: Resource, a: Attrs, c: GpuCatalog, ref: Referenced
) -> Sizing:
    s = Sizing()
    _capacity(s, r, False)
    variants = [v for v in items(dig(a, "production_variants")) if isinstance(v, Mapping)]
    count = (
        sum(
            as_int(v.get("initial_instance_count") or v.get("initialInstanceCount")) or 1
            for v in variants
        )
        if variants
        else 1
    )
    _fixed(s, count)
    types = [
        str(v.get("instance_type") or v.get("instanceType"))
        for v in variants
        if v.get("instance_type") or v.get("instanceType")
    ]
    _price_types(s, c, r, types, ("production_variants",))
    return s


def aws_batch_compute_environment(r: Resource, a: Attrs, c: GpuCatalog, ref: Referenced) -> Sizing:
    s = Sizing()
    compute = dig(a, "compute_resources")
    _capacity(s, r, _lower(dig(compute, "type")) in ("spot", "fargate_spot"), "compute_resources")
    types = [str(t) for t in items(dig(compute, "instance_type")) if t]
    max_vcpus = as_int(dig(compute, "max_vcpus"))
    desired_vcpus = as_int(dig(compute, "desired_vcpus")) or 0
    vcpus = _vcpus(c, types)
    maximum = max_vcpus // vcpus if (max_vcpus is not None and vcpus) else None
    _fixed(s, desired_vcpus // vcpus if vcpus else 0, maximum)
    _autoscale(s, maximum, "compute_resources.0.max_vcpus", max_vcpus is not None)
    _price_types(s, c, r, types, ("compute_resources", "instance_type"))
    return s


def _vcpus(catalog: GpuCatalog, types: list[str]) -> int | None:
    spec, _ = most_expensive(catalog, types)
    return int(spec.vcpus) if spec is not None and spec.vcpus else None


def _gcp_scheduling(s: Sizing, r: Resource, scheduling: Any, *path: str) -> None:
    model = _lower(dig(scheduling, "provisioning_model"))
    preemptible = dig(scheduling, "preemptible") is True
    _capacity(s, r, model == "spot" or preemptible, *path)


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
    _fixed(s, 0 if r.type.endswith("template") else 1)
    _gcp_machine(s, r, c, dig(a, "machine_type"), dig(a, "guest_accelerator"), ())
    return s


def google_instance_group_manager(r: Resource, a: Attrs, c: GpuCatalog, ref: Referenced) -> Sizing:
    s = Sizing()
    size = as_int(dig(a, "target_size"))
    _fixed(s, size)
    template = ref(
        r, ("google_compute_instance_template", "google_compute_region_instance_template")
    )
    if template is None:
        _capacity(s, r, False)
        return s
    t = template.attributes
    _gcp_scheduling(s, r, dig(t, "scheduling"))
    _gcp_machine(s, template, c, dig(t, "machine_type"), dig(t, "guest_accelerator"), ())
    return s


def google_container_node_pool(r: Resource, a: Attrs, c: GpuCatalog, ref: Referenced) -> Sizing:
    s = Sizing()
    config = dig(a, "node_config")
    spot = dig(config, "spot") is True or dig(config, "preemptible") is True
    _capacity(s, r, spot, "node_config")
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
        _autoscale(s, maximum, "autoscaling.0.max_node_count", maximum is not None)
    _fixed(s, count, maximum)
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
    _fixed(s, 1)
    setup = dig(a, "gce_setup")
    prefix: tuple[str, ...] = ("gce_setup",) if setup is not None else ()
    block = setup if setup is not None else a
    _capacity(s, r, False)
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
    _fixed(s, 1)
    _capacity(s, r, False)
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
    _capacity(s, r, spot, "scheduling_config")
    _fixed(s, 1)
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
    return _roll_up(s, gpu_pools, counted)


def azure_vm(r: Resource, a: Attrs, c: GpuCatalog, ref: Referenced) -> Sizing:
    s = Sizing()
    _capacity(s, r, _lower(dig(a, "priority")) == "spot", "priority")
    _fixed(s, 1)
    size = dig(a, "size") or dig(a, "vm_size")
    _price_types(s, c, r, [str(size)] if size else [], ("size",))
    return s


def azure_ml_compute_instance(r: Resource, a: Attrs, c: GpuCatalog, ref: Referenced) -> Sizing:
    """An Azure ML compute instance: one VM of ``virtual_machine_size``."""
    s = Sizing()
    _capacity(s, r, False)
    _fixed(s, 1)
    size = dig(a, "virtual_machine_size")
    _price_types(s, c, r, [str(size)] if size else [], ("virtual_machine_size",))
    return s


def azure_scale_set(r: Resource, a: Attrs, c: GpuCatalog, ref: Referenced) -> Sizing:
    s = Sizing()
    _capacity(s, r, _lower(dig(a, "priority")) == "spot", "priority")
    _fixed(s, as_int(dig(a, "instances")))
    sku = dig(a, "sku") or dig(a, "sku_name")
    if isinstance(sku, Mapping):
        sku = sku.get("name")
    _price_types(s, c, r, [str(sku)] if sku else [], ("sku",))
    return s


def azure_node_pool(r: Resource, a: Attrs, c: GpuCatalog, ref: Referenced) -> Sizing:
    s = Sizing()
    _capacity(s, r, _lower(dig(a, "priority")) == "spot", "priority")
    count = as_int(dig(a, "node_count"))
    auto = dig(a, "enable_auto_scaling") is True or dig(a, "auto_scaling_enabled") is True
    maximum = as_int(dig(a, "max_count"))
    if auto:
        _autoscale(s, maximum, "max_count", maximum is not None)
        _fixed(s, count if count is not None else as_int(dig(a, "min_count")), maximum)
        s.max = maximum
    else:
        _fixed(s, count)
    size = dig(a, "vm_size")
    _price_types(s, c, r, [str(size)] if size else [], ("vm_size",))
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
    spot = _lower(_first(pool, "priority", "scale_set_priority")) == "spot"
    key = path.split(".")[0]  # unknown paths are matched without list indexes
    _capacity(s, r, spot, key, "priority")
    count = as_int(_first(pool, "node_count", "count"))
    maximum = as_int(pool.get("max_count"))
    if _first(pool, "auto_scaling_enabled", "enable_auto_scaling") is True:
        _autoscale(s, maximum, f"{path}.max_count", maximum is not None)
        _fixed(s, count if count is not None else as_int(pool.get("min_count")), maximum)
        s.max = maximum
    else:
        _fixed(s, count)
    size = pool.get("vm_size")
    _price_types(s, c, r, [str(size)] if size else [], (key, "vm_size"))
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
    return _roll_up(s, gpu_pools, counted)


def _roll_up(s: Sizing, gpu_pools: list[Sizing], counted: list[Sizing]) -> Sizing:
    """A cluster's price problem, capacity, replicas and autoscaling from its pools: the first
    GPU pool's price problem; spot when any counted pool is; replicas summed over ``counted``."""
    s.price_problem = next((p.price_problem for p in gpu_pools if p.price_problem), None)
    capacities = {p.capacity for p in counted}
    s.capacity = (
        "spot" if "spot" in capacities else ("unknown" if "unknown" in capacities else "on-demand")
    )
    s.capacity_attribute = next(
        (p.capacity_attribute for p in counted if p.capacity_attribute), None
    )
    s.desired = _sum(p.desired for p in counted) if counted else 0
    s.max = _sum(p.max for p in counted) if counted else 0
    scaling = [p.autoscaling for p in counted if p.autoscaling["enabled"]]
    if scaling:
        open_ended = [x for x in scaling if not x["explicit_max"]]
        _autoscale(s, s.max, (open_ended or scaling)[0]["attribute"], not open_ended)
    return s


def _sum(values: Iterable[int | None]) -> int | None:
    listed = list(values)
    return None if any(v is None for v in listed) else sum(v for v in listed if v is not None)


def azure_ml_compute_cluster(r: Resource, a: Attrs, c: GpuCatalog, ref: Referenced) -> Sizing:
    s = Sizing()
    _capacity(s, r, _lower(dig(a, "vm_priority")) == "lowpriority", "vm_priority")
    minimum = as_int(dig(a, "scale_settings", "min_node_count")) or 0
    maximum = as_int(dig(a, "scale_settings", "max_node_count"))
    _fixed(s, minimum, maximum)
    _autoscale(s, maximum, "scale_settings.0.max_node_count", maximum is not None)
    size = dig(a, "vm_size")
    _price_types(s, c, r, [str(size)] if size else [], ("vm_size",))
    return s


SizingFunction = Callable[[Resource, Attrs, GpuCatalog, Referenced], Sizing]

CLOUD_SIZERS: dict[str, SizingFunction] = {
    "aws_instance": aws_instance,
    "aws_spot_instance_request": aws_instance,
    "aws_launch_template": aws_template,
    "aws_launch_configuration": aws_template,
    "aws_autoscaling_group": aws_autoscaling_group,
    "aws_eks_node_group": aws_eks_node_group,
    "aws_sagemaker_endpoint_configuration": aws_sagemaker_endpoint_configuration,
    "aws_sagemaker_notebook_instance": aws_instance,
    "aws_batch_compute_environment": aws_batch_compute_environment,
    "google_compute_instance": google_compute_instance,
    "google_compute_instance_template": google_compute_instance,
    "google_compute_region_instance_template": google_compute_instance,
    "google_compute_instance_group_manager": google_instance_group_manager,
    "google_compute_region_instance_group_manager": google_instance_group_manager,
    "google_container_node_pool": google_container_node_pool,
    "google_container_cluster": google_container_cluster,
    "google_workbench_instance": google_workbench_instance,
    "google_notebooks_instance": google_workbench_instance,
    "google_notebooks_runtime": google_notebooks_runtime,
    "google_tpu_v2_vm": google_tpu_vm,
    "google_tpu_node": google_tpu_vm,
    "azurerm_linux_virtual_machine": azure_vm,
    "azurerm_windows_virtual_machine": azure_vm,
    "azurerm_virtual_machine": azure_vm,
    "azurerm_linux_virtual_machine_scale_set": azure_scale_set,
    "azurerm_windows_virtual_machine_scale_set": azure_scale_set,
    "azurerm_orchestrated_virtual_machine_scale_set": azure_scale_set,
    "azurerm_kubernetes_cluster_node_pool": azure_node_pool,
    "azurerm_kubernetes_cluster": azure_kubernetes_cluster,
    "azurerm_machine_learning_compute_cluster": azure_ml_compute_cluster,
    "azurerm_machine_learning_compute_instance": azure_ml_compute_instance,
}
