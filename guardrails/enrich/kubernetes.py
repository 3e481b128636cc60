"""Sizing of Kubernetes workloads and Karpenter NodePools from pod templates and node labels."""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from guardrails.bundled import shared_data
from guardrails.enrich import accelerators, clouds
from guardrails.enrich.attrs import as_int, is_mapping, items
from guardrails.enrich.catalog import GpuCatalog, InstanceSpec
from guardrails.enrich.ray_auth import RAY_KINDS
from guardrails.enrich.sizing import Sizing, Unit, most_expensive
from guardrails.model import Resource

#: Whole-device accelerator names a NodePool's ``spec.limits`` can cap.
GPU_RESOURCES = tuple(accelerators.WHOLE_DEVICES)
#: Node label keys whose value selects spot capacity (gpu_catalog.md §5; policies/data/spot.json).
SPOT_LABELS: Mapping[str, str] = shared_data("spot")["node_labels"]
_TYPE_LABEL = "node.kubernetes.io/instance-type"


#: The largest GPU count a pod is taken to ask for (2**53: exact as a float and in JSON).
_MAX_QUANTITY = float(2**53)


def quantity(value: Any) -> float | None:
    """A GPU quantity as a number (clamped), None when it is not one."""
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    # float() also reads "inf", "nan" and "1e999": none of them is a number of GPUs.
    if not math.isfinite(number) or number < 0:
        return None
    # "1e300" is finite, but times the replicas the cost is not: clamp (still absurd, still
    # priced and judged as huge, never silently dropped).
    return min(number, _MAX_QUANTITY)


def gpus_per_pod(template: Mapping[str, Any]) -> tuple[float, str | None]:
    """GPUs one pod asks for (requests, else limits; init containers run alone) and the resource."""
    regular, init, name = 0.0, 0.0, None
    for container in items(template.get("containers")):
        if not is_mapping(container):
            continue
        resources = container.get("resources") or {}
        requests = resources.get("requests") or {}
        limits = resources.get("limits") or {}
        names = [str(n) for n in [*requests, *limits] if accelerators.is_accelerator(str(n))]
        for resource_name in dict.fromkeys(names):
            if name is not None and resource_name != name:
                continue  # one accelerator kind per pod; a second kind is not priced twice
            raw = requests.get(resource_name, limits.get(resource_name))
            count = quantity(raw) if raw is not None else None
            if not count:
                continue
            name = name or resource_name
            if container.get("init"):
                init = max(init, count)
            else:
                regular += count
    return max(regular, init), name


def node_requirements(template: Mapping[str, Any]) -> dict[str, list[str]]:
    """Node label key → values the pod requires (nodeSelector and required node affinity)."""
    wanted: dict[str, list[str]] = {}
    for key, value in (template.get("node_selector") or {}).items():
        wanted.setdefault(str(key).lower(), []).append(str(value))
    affinity = template.get("affinity") or {}
    node_affinity = affinity.get("nodeAffinity") if is_mapping(affinity) else None
    required = (node_affinity or {}).get("requiredDuringSchedulingIgnoredDuringExecution") or {}
    terms = required.get("nodeSelectorTerms") if is_mapping(required) else None
    for term in items(terms):
        if not is_mapping(term):
            continue
        for expression in items(term.get("matchExpressions")):
            if is_mapping(expression) and expression.get("operator") == "In":
                key = str(expression.get("key", "")).lower()
                wanted.setdefault(key, []).extend(str(v) for v in items(expression.get("values")))
    return wanted


def selects_spot(requirements: Mapping[str, list[str]]) -> bool:
    for key, spot in SPOT_LABELS.items():
        values = requirements.get(key)
        if values and any(value.lower() == spot for value in values):
            return True
    return False


#: Node labels naming the GPU model, and the cloud whose rows price them (None: the pod's).
_MODEL_LABEL_CLOUDS: dict[str, str | None] = {
    "cloud.google.com/gke-tpu-accelerator": clouds.GCP,
    "cloud.google.com/gke-accelerator": clouds.GCP,
    "karpenter.k8s.aws/instance-gpu-name": clouds.AWS,
    "karpenter.azure.com/sku-gpu-name": clouds.AZURE,
    "nvidia.com/gpu.product": None,
}


def gpu_spec(
    catalog: GpuCatalog,
    requirements: Mapping[str, list[str]],
    cloud: str | None = None,
    gpus: float | None = None,
) -> tuple[InstanceSpec | None, str | None]:
    """A per-GPU catalog row on ``cloud`` for what the pod selects, and the instance type if
    named. An instance type names its own cloud; a model label is priced on the cloud the label
    belongs to, else on ``cloud``, else (nothing names one) on another cloud, marked assumed.
    ``gpus``: what one pod asks for (a machine family is priced by a machine that holds it)."""
    spec, name = most_expensive(catalog, requirements.get(_TYPE_LABEL, []))
    if spec is not None:
        if spec.on_demand is not None and spec.gpu_count:
            return _scaled(spec), name
        return catalog.per_gpu(spec.gpu_model, spec.provider), name
    for key, label_cloud in _MODEL_LABEL_CLOUDS.items():
        for value in requirements.get(key, []):
            row = catalog.accelerator(value, label_cloud or cloud, gpus)
            if row is not None:
                return row, None
    return None, None


def pod_cloud(
    template: Mapping[str, Any],
    resource_name: str | None,
    catalog: GpuCatalog,
    requirements: Mapping[str, list[str]] | None = None,
) -> clouds.CloudEvidence | None:
    """The cloud a pod template runs on, from its node instance type, node labels, tolerations
    or accelerator resource name (None: nothing says). ``requirements``: the template's
    :func:`node_requirements` when the caller has them."""
    if requirements is None:
        requirements = node_requirements(template)
    for instance_type in requirements.get(_TYPE_LABEL, []):
        row = catalog.instance(instance_type)
        found = clouds.of_instance_type(instance_type, row.provider if row else None)
        if found is not None:
            return found
    found = clouds.of_template(template)
    if found is None and resource_name:
        found = clouds.of_resource_name(resource_name)
    return found


def _scaled(spec: InstanceSpec) -> InstanceSpec:
    """The instance row expressed per GPU (pods ask for GPUs, not whole nodes)."""
    count = spec.gpu_count or 1
    return InstanceSpec(
        instance_type=spec.instance_type,
        gpu_model=spec.gpu_model,
        gpu_model_full=spec.gpu_model_full,
        gpu_vendor=spec.gpu_vendor,
        gpu_count=1,
        gpu_memory_gib=(spec.gpu_memory_gib / count) if spec.gpu_memory_gib else None,
        vcpus=None,
        on_demand=round(spec.on_demand / count, 5) if spec.on_demand else None,
        spot=round(spec.spot / count, 5) if spec.spot else None,
        source=spec.source if count == 1 else f"{spec.instance_type} / {count:g}: {spec.source}",
        as_of=spec.as_of,
    )


@lru_cache(maxsize=256)
def default_spec(hourly: float, resource_name: str) -> InstanceSpec:
    """The configured per-GPU price, marked as an assumption (no catalog row matched)."""
    return InstanceSpec(
        instance_type=resource_name,
        gpu_model="unknown",
        gpu_model_full="unknown",
        gpu_vendor=None,
        gpu_count=1,
        gpu_memory_gib=None,
        vcpus=None,
        on_demand=hourly,
        spot=None,
        source="default_gpu_hourly_usd (configuration): no catalog price for this accelerator",
        assumed=True,
    )


def size_workload(
    resource: Resource, catalog: GpuCatalog, default_gpu_hourly: float, scaler_max: int | None
) -> Sizing:
    """Sizing summed over a workload's pod templates (``scaler_max``: an HPA's maxReplicas)."""
    s = Sizing()
    templates = [t for t in items((resource.workload or {}).get("pod_templates")) if is_mapping(t)]
    desired_total: int | None = 0
    max_total: int | None = 0
    groups_total: int | None = 0
    any_spot = False
    # A coordinating head (Ray) is not a worker replica unless it is all the workload runs.
    only_heads = all(t.get("head") for t in templates)
    for template in templates:
        replicas = template.get("replicas") or {}
        desired = as_int(replicas.get("desired"))
        maximum = as_int(replicas.get("max"))
        if scaler_max is not None:
            maximum = _scaled_max(resource, desired, maximum, scaler_max, len(templates))
        if maximum is None:
            maximum = desired if not _autoscales(resource) else None
        if only_heads or not template.get("head"):
            desired_total = (
                None if desired is None or desired_total is None else desired_total + desired
            )
            max_total = None if maximum is None or max_total is None else max_total + maximum
            if not template.get("group_member"):
                groups_total = (
                    None if desired is None or groups_total is None else groups_total + desired
                )
        requirements = node_requirements(template)
        spot = selects_spot(requirements)
        any_spot = any_spot or spot
        quantity, resource_name = gpus_per_pod(template)
        if not quantity or resource_name is None:
            continue
        found = pod_cloud(template, resource_name, catalog, requirements)
        s.cloud = s.cloud or found
        cloud = found.cloud if found else None
        spec, instance_type = gpu_spec(catalog, requirements, cloud, quantity)
        wanted = accelerators.request(
            resource_name, quantity, accelerators.cores_per_chip(spec.gpu_model if spec else None)
        )
        if spec is None and wanted.model is not None:
            spec = catalog.per_gpu(wanted.model, cloud)
        count = wanted.devices
        s.is_gpu = True
        s.gpu_resource_name = s.gpu_resource_name or resource_name
        s.gpu_vendor = s.gpu_vendor or wanted.vendor
        if (s.gpu_count or 0) < count:
            s.gpu_count = int(count) if float(count).is_integer() else round(count, 4)
        if spec is not None:
            s.gpu_model, s.gpu_model_full = spec.gpu_model, spec.gpu_model_full
            s.gpu_vendor = spec.gpu_vendor or s.gpu_vendor
            s.gpu_memory_gib = spec.gpu_memory_gib * count if spec.gpu_memory_gib else None
            s.instance_type = s.instance_type or instance_type
        else:
            s.gpu_model = s.gpu_model or accelerators.tpu_model(requirements)
            spec = default_spec(default_gpu_hourly, resource_name)
        if wanted.unpriceable is not None:
            s.price_problem = (wanted.unpriceable, None)
        name = f"{resource_name} on {instance_type}" if instance_type else resource_name
        s.units.append(Unit(spec, count, spot, desired, maximum, name))
        if desired is None:
            role = template.get("role", "pod")
            s.price_problem = (f"replica count of {role} pods is not known", None)
    s.desired, s.max, s.groups = desired_total, max_total, groups_total
    s.capacity = "spot" if any_spot else "on-demand"
    return s


def _scaled_max(
    resource: Resource, desired: int | None, maximum: int | None, scaler_max: int, templates: int
) -> int | None:
    """A pod template's max when an HPA/KEDA scaler sets the target's scale (``spec.replicas``,
    the field a scale subresource writes) to at most ``scaler_max``.

    Every template whose pods are a whole multiple of the scale (a LeaderWorkerSet's leaders
    and ``size - 1`` workers per group, a Deployment's pods, a CRD's replicas) grows with it;
    a template that does not follow the scale keeps its own max.
    """
    if templates == 1:
        return scaler_max
    spec = resource.attributes.get("spec") if is_mapping(resource.attributes) else None
    scale = as_int(spec.get("replicas", 1)) if is_mapping(spec) else None
    if desired is None or not scale or desired % scale:
        return maximum
    return desired // scale * scaler_max


def _autoscales(resource: Resource) -> bool:
    spec = resource.attributes.get("spec") if is_mapping(resource.attributes) else None
    if resource.type == "InferenceService":
        # KServe scales between minReplicas and maxReplicas (unbounded when unset), except a
        # multi-node predictor (workerSpec) or autoscalerClass "none": those run minReplicas.
        return not _kserve_fixed(resource)
    if resource.type in RAY_KINDS and is_mapping(spec):
        cluster = spec.get("rayClusterSpec") or spec.get("rayClusterConfig") or spec
        return is_mapping(cluster) and cluster.get("enableInTreeAutoscaling") is True
    return False


def workload_autoscaling(resource: Resource, scaler: Resource | None) -> dict[str, Any]:
    """The autoscaling fact for a workload, from an HPA targeting it or its own spec."""
    if scaler is not None:
        spec = scaler.attributes.get("spec") or {}
        spec = spec if is_mapping(spec) else {}
        if scaler.type == "ScaledObject":
            # KEDA caps at maxReplicaCount, 100 when unset; its minimum defaults to 0.
            maximum = as_int(spec.get("maxReplicaCount", 100))
            minimum = as_int(spec.get("minReplicaCount", 0))
            field = "spec.maxReplicaCount"
        else:
            maximum = as_int(spec.get("maxReplicas"))
            minimum = as_int(spec.get("minReplicas", 1))  # the HPA's default minimum
            field = "spec.maxReplicas"
        return {
            "enabled": True,
            "max": maximum,
            "min": minimum,
            "explicit_max": maximum is not None,
            "attribute": f"{scaler.address}: {field}",
        }
    if not _autoscales(resource):
        return {"enabled": False, "max": None, "explicit_max": False, "attribute": None}
    templates = [t for t in items((resource.workload or {}).get("pod_templates")) if is_mapping(t)]
    explicit = _explicit_maxima(resource)
    maxima = [as_int((t.get("replicas") or {}).get("max")) for t in templates]
    total = None if not explicit or any(m is None for m in maxima) else sum(m or 0 for m in maxima)
    path = (
        "spec.predictor.maxReplicas"
        if resource.type == "InferenceService"
        else ("spec.workerGroupSpecs[].maxReplicas")
    )
    return {
        "enabled": True,
        "max": total,
        "min": _kserve_min(resource),
        "explicit_max": explicit,
        "attribute": path,
    }


def _kserve_fixed(resource: Resource) -> bool:
    meta = resource.attributes.get("metadata") if is_mapping(resource.attributes) else None
    annotations = meta.get("annotations") if is_mapping(meta) else None
    if is_mapping(annotations) and (annotations.get("serving.kserve.io/autoscalerClass") == "none"):
        return True
    spec = resource.attributes.get("spec") if is_mapping(resource.attributes) else None
    predictor = spec.get("predictor") if is_mapping(spec) else None
    return is_mapping(predictor) and isinstance(predictor.get("workerSpec"), Mapping)


def _kserve_min(resource: Resource) -> int | None:
    """KServe's predictor minReplicas (1 when unset); None for other kinds."""
    spec = resource.attributes.get("spec") if is_mapping(resource.attributes) else None
    if resource.type != "InferenceService" or not is_mapping(spec):
        return None
    predictor = spec.get("predictor")
    if not is_mapping(predictor):
        return None
    return as_int(predictor.get("minReplicas", 1))


def _explicit_maxima(resource: Resource) -> bool:
    spec = resource.attributes.get("spec") if is_mapping(resource.attributes) else None
    if not is_mapping(spec):
        return False
    if resource.type == "InferenceService":
        predictor = spec.get("predictor")
        return is_mapping(predictor) and predictor.get("maxReplicas") is not None
    cluster = spec.get("rayClusterSpec") or spec.get("rayClusterConfig") or spec
    groups = cluster.get("workerGroupSpecs") if is_mapping(cluster) else None
    return bool(groups) and all(
        is_mapping(g) and g.get("maxReplicas") is not None for g in items(groups)
    )


def size_node_pool(resource: Resource, catalog: GpuCatalog) -> Sizing:
    """Karpenter NodePool: GPU types it allows, spot if allowed, its GPU limit as the max."""
    s = Sizing()
    spec = resource.attributes.get("spec") or {}
    template = spec.get("template") if is_mapping(spec) else None
    template_spec = template.get("spec") if is_mapping(template) else None
    requirements: dict[str, list[str]] = {}
    for requirement in items(
        template_spec.get("requirements") if is_mapping(template_spec) else None
    ):
        if is_mapping(requirement) and requirement.get("operator") == "In":
            requirements.setdefault(str(requirement.get("key", "")).lower(), []).extend(
                str(v) for v in items(requirement.get("values"))
            )
    s.capacity = "spot" if selects_spot(requirements) else "on-demand"
    limits = spec.get("limits") if is_mapping(spec) else None
    gpu_limit = None
    if is_mapping(limits):
        for name in GPU_RESOURCES:
            if name in limits:
                gpu_limit = quantity(limits[name])
                s.gpu_resource_name = name
    s.cloud = _node_pool_cloud(spec if is_mapping(spec) else {}, requirements, catalog)
    row, instance_type = gpu_spec(catalog, requirements, s.cloud.cloud if s.cloud else None)
    gpu_hint = (
        any(
            k.startswith(("karpenter.k8s.aws/instance-gpu", "karpenter.azure.com/sku-gpu"))
            for k in requirements
        )
        # A GPU limit, even one that is no number (then the max is unknown), caps GPU nodes.
        or s.gpu_resource_name is not None
    )
    if row is None and not gpu_hint:
        return s
    s.is_gpu = True
    s.instance_type = instance_type
    maximum = int(gpu_limit) if gpu_limit is not None else None
    s.desired, s.max = 0, maximum
    s.autoscaling = {
        "enabled": True,
        "max": maximum,
        "explicit_max": gpu_limit is not None,
        "attribute": "spec.limits",
    }
    if row is not None:
        s.gpu_model, s.gpu_model_full, s.gpu_vendor = (
            row.gpu_model,
            row.gpu_model_full,
            row.gpu_vendor,
        )
        s.gpu_count = 1
        name = instance_type or s.gpu_resource_name or f"per-GPU {row.gpu_model}"
        s.units.append(Unit(row, 1, s.capacity == "spot", 0, maximum, name))
    else:
        s.price_problem = ("the NodePool allows GPU instance types the catalog cannot price", None)
    return s


def _node_pool_cloud(
    spec: Mapping[str, Any], requirements: Mapping[str, list[str]], catalog: GpuCatalog
) -> clouds.CloudEvidence | None:
    """A Karpenter NodePool's cloud: its NodeClass kind, an instance type it allows, or a
    cloud-specific requirement key (``karpenter.k8s.aws/instance-gpu-name``)."""
    found = clouds.of_node_class(spec)
    if found is not None:
        return found
    for instance_type in requirements.get(_TYPE_LABEL, []):
        row = catalog.instance(instance_type)
        found = clouds.of_instance_type(instance_type, row.provider if row else None)
        if found is not None:
            return found
    return clouds.of_label_keys(requirements, "requirement")
