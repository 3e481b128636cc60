"""Accelerators a Kubernetes workload holds without an extended-resource request.

Two shapes the container ``resources`` do not show:

* **Dynamic Resource Allocation** (enrich.dra): devices the pod's ``resourceClaims``
  allocate. A claim template gives each pod its own devices (times replicas); a ResourceClaim is
  one allocation every pod naming it shares (counted once). A claim the scan does not hold
  makes the pod's accelerators unknown (GR-INPUT-001), never 0.
* **Pinned to GPU nodes**: a pod whose nodeSelector or required node affinity only allows GPU
  or TPU nodes (a GPU instance type or machine family, an accelerator node label) but asks for
  no accelerator still occupies those nodes. How many of its pods share a node is not in the
  manifest, so the workload is a GPU workload whose cost is unknown (unpriced: GR-COST-001
  says ``unknown``), never a silent $0. A DaemonSet is exempt: it follows the nodes that
  exist and never brings one up.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from guardrails.enrich import accelerators
from guardrails.enrich.attrs import as_int, items
from guardrails.enrich.catalog import GpuCatalog, is_gpu_family, model_from_text
from guardrails.enrich.dra import ClaimDevices, ClaimIndex, class_vendor, pod_claims
from guardrails.enrich.kubernetes import (
    default_spec,
    gpu_spec,
    node_requirements,
    pod_cloud,
    quantity,
    selects_spot,
)
from guardrails.enrich.sizing import Sizing, Unit
from guardrails.lazy_regex import LazyPattern
from guardrails.model import Resource

_INSTANCE_TYPE_KEYS = ("node.kubernetes.io/instance-type", "beta.kubernetes.io/instance-type")
#: Node labels only accelerator nodes carry (any value, or ``Exists``, selects one).
_ACCELERATOR_KEYS = (
    "cloud.google.com/gke-accelerator",
    "cloud.google.com/gke-tpu-accelerator",
    "cloud.google.com/gke-tpu-topology",
    "kubernetes.azure.com/accelerator",
    "nvidia.com/gpu.product",
    "nvidia.com/gpu.count",
    "nvidia.com/gpu.memory",
    "karpenter.k8s.aws/instance-gpu-name",
    "karpenter.k8s.aws/instance-gpu-manufacturer",
    "karpenter.k8s.aws/instance-gpu-count",
    "karpenter.k8s.aws/instance-accelerator-name",
    "karpenter.azure.com/sku-gpu-name",
    "karpenter.azure.com/sku-gpu-count",
    "aws.amazon.com/neuron.present",
    "habana.ai/gaudi.present",
)
#: Node labels whose value is true on accelerator nodes only.
_PRESENT_KEYS = (
    "nvidia.com/gpu.present",
    "feature.node.kubernetes.io/pci-10de.present",  # NVIDIA's PCI vendor id (NFD)
    "feature.node.kubernetes.io/pci-1002.present",  # AMD
)
_AWS_FAMILY = LazyPattern(r"^(?:p\d+[a-z]*|g\d+[a-z]*|gr\d+|inf\d+|trn\d+[a-z]*|dl\d+[a-z]*)$")
_GCP_FAMILY = LazyPattern(r"^(?:a\d+|g\d+|ct\d+[a-z]*)$")


def _term_requirements(template: Mapping[str, Any]) -> list[dict[str, list[str]]]:
    """What each alternative required node selector term asks of a node: the nodeSelector
    plus the term's ``In`` values and ``Exists`` keys (an empty value list). A pod is pinned
    only when every alternative is."""
    selector = {str(k).lower(): [str(v)] for k, v in (template.get("node_selector") or {}).items()}
    affinity = template.get("affinity") or {}
    node_affinity = affinity.get("nodeAffinity") if isinstance(affinity, Mapping) else None
    required = (node_affinity or {}).get("requiredDuringSchedulingIgnoredDuringExecution") or {}
    terms = required.get("nodeSelectorTerms") if isinstance(required, Mapping) else None
    alternatives = []
    for term in items(terms):
        wanted = {k: list(v) for k, v in selector.items()}
        for expression in items(term.get("matchExpressions") if isinstance(term, Mapping) else []):
            if not isinstance(expression, Mapping):
                continue
            key = str(expression.get("key", "")).lower()
            if expression.get("operator") == "In":
                wanted.setdefault(key, []).extend(str(v) for v in items(expression.get("values")))
            elif expression.get("operator") == "Exists":
                wanted.setdefault(key, [])
        alternatives.append(wanted)
    return alternatives or [selector]


def _gpu_type(catalog: GpuCatalog, value: str) -> bool:
    spec = catalog.instance(value)
    return bool(spec is not None and spec.gpu_count) or is_gpu_family(value)


def pinned_by(catalog: GpuCatalog, requirements: Mapping[str, list[str]]) -> str | None:
    """``key=value`` of the node requirement that only accelerator nodes satisfy, else None."""
    for key in _INSTANCE_TYPE_KEYS:
        values = requirements.get(key)
        if values and all(_gpu_type(catalog, v) for v in values):
            return f"{key}={'|'.join(values)}"
    families = requirements.get("karpenter.k8s.aws/instance-family")
    if families and all(_AWS_FAMILY.match(v.lower()) for v in families):
        return f"karpenter.k8s.aws/instance-family={'|'.join(families)}"
    families = requirements.get("cloud.google.com/machine-family")
    if families and all(_GCP_FAMILY.match(v.lower()) for v in families):
        return f"cloud.google.com/machine-family={'|'.join(families)}"
    for key in _ACCELERATOR_KEYS:
        if key in requirements:
            return f"{key}={'|'.join(requirements[key])}" if requirements[key] else key
    for key in _PRESENT_KEYS:
        if key in requirements and all(v.lower() == "true" for v in requirements[key]):
            return f"{key}=true" if requirements[key] else key
    return None


def add_pinned(sizing: Sizing, resource: Resource, catalog: GpuCatalog) -> None:
    """Mark a workload pinned to accelerator nodes without asking for one (see module doc)."""
    if sizing.is_gpu or resource.type == "DaemonSet":
        return
    for template in items((resource.workload or {}).get("pod_templates")):
        if not isinstance(template, Mapping):
            continue
        alternatives = _term_requirements(template)
        pins = [pinned_by(catalog, wanted) for wanted in alternatives]
        if any(pin is None for pin in pins):
            continue
        via = " or ".join(dict.fromkeys(p for p in pins if p))
        requirements = node_requirements(template)
        found = pod_cloud(template, None, catalog, requirements)
        sizing.cloud = sizing.cloud or found
        spec, instance_type = gpu_spec(catalog, requirements, found.cloud if found else None)
        sizing.is_gpu = True
        sizing.instance_type = instance_type
        if spec is not None:
            sizing.gpu_model, sizing.gpu_model_full = spec.gpu_model, spec.gpu_model_full
            sizing.gpu_vendor = spec.gpu_vendor
        else:
            sizing.gpu_model = accelerators.tpu_model(requirements) or next(
                (
                    model_from_text(v)
                    for vs in requirements.values()
                    for v in vs
                    if model_from_text(v)
                ),
                None,
            )
        role = str(template.get("role") or "pod")
        whose = "its pods" if role == "pod" else f"its {role} pods"
        sizing.price_problem = (
            f"{whose} are pinned to accelerator nodes ({via}) without requesting an "
            "accelerator: how many of them share a node, and so the cost, is unknown",
            None,
        )
        return


def add_unreadable(sizing: Sizing, resource: Resource) -> None:
    """A container that names an accelerator with a quantity that is no number (``'²'``, a
    template placeholder) asks for an unknown number of them: a GPU workload, unpriced."""
    if sizing.is_gpu:
        return
    for template in items((resource.workload or {}).get("pod_templates")):
        for container in items(template.get("containers") if isinstance(template, Mapping) else []):
            resources = container.get("resources") if isinstance(container, Mapping) else None
            for kind in ("requests", "limits"):
                values = resources.get(kind) if isinstance(resources, Mapping) else None
                for name, value in (values or {}).items():
                    if accelerators.is_accelerator(str(name)) and quantity(value) is None:
                        sizing.is_gpu = True
                        sizing.gpu_resource_name = str(name)
                        sizing.price_problem = (
                            f"the {name} {kind[:-1]} of a container is not a number",
                            None,
                        )
                        return


def add_claims(
    sizing: Sizing,
    resource: Resource,
    index: ClaimIndex,
    catalog: GpuCatalog,
    default_hourly: float,
) -> str | None:
    """Add the accelerators a workload's DRA claims allocate to ``sizing``; return why they are
    unknown (a claim not in the scan), else None."""
    missing: list[str] = []
    shared_seen: set[str] = set()
    for template in items((resource.workload or {}).get("pod_templates")):
        if not isinstance(template, Mapping) or not template.get("resource_claims"):
            continue
        devices, absent = pod_claims(template, resource.namespace, index)
        missing += absent
        replicas = template.get("replicas") or {}
        requirements = node_requirements(template)
        spot = selects_spot(requirements)
        found = pod_cloud(template, None, catalog, requirements)
        sizing.cloud = sizing.cloud or found
        cloud = found.cloud if found else None
        for device in devices:
            if device.shared:
                if device.source in shared_seen:
                    continue
                shared_seen.add(device.source)
            desired = 1 if device.shared else as_int(replicas.get("desired"))
            maximum = 1 if device.shared else as_int(replicas.get("max"))
            scale = (desired, desired if maximum is None else maximum)
            _add_device(sizing, catalog, default_hourly, (requirements, cloud), spot, device, scale)
    if not missing:
        return None
    listed = ", ".join(dict.fromkeys(missing))
    return (
        f"allocates devices through {listed}, which the scan "
        "does not hold: its accelerators (possibly GPUs) are not counted or priced"
    )


def _add_device(
    sizing: Sizing,
    catalog: GpuCatalog,
    default_hourly: float,
    where: tuple[Mapping[str, list[str]], str | None],
    spot: bool,
    device: ClaimDevices,
    scale: tuple[int | None, int | None],
) -> None:
    desired, maximum = scale
    sizing.is_gpu = True
    name = f"{device.device_class} ({device.source})"
    sizing.gpu_resource_name = sizing.gpu_resource_name or device.device_class
    sizing.gpu_vendor = sizing.gpu_vendor or class_vendor(device.device_class)
    if device.count is None:
        sizing.gpu_count = None
        sizing.price_problem = (
            f"{device.source} asks for every {device.device_class} device on the node "
            "(allocationMode: All): the number of devices is unknown",
            None,
        )
        return
    if device.device_class.lower().startswith("mig."):
        sizing.price_problem = (
            f"{device.source} asks for MIG slices ({device.device_class}) whose size its "
            "selectors set: not priced",
            None,
        )
    requirements, cloud = where  # the pod's node requirements and the cloud they name
    spec, _ = gpu_spec(catalog, requirements, cloud)
    if spec is not None:
        sizing.gpu_model, sizing.gpu_model_full = spec.gpu_model, spec.gpu_model_full
    else:
        spec = default_spec(default_hourly, device.device_class)
    if (sizing.gpu_count or 0) < device.count:
        sizing.gpu_count = device.count
    sizing.units.append(Unit(spec, device.count, spot, desired, maximum, name))
    if desired is None:
        sizing.price_problem = sizing.price_problem or ("the replica count is not known", None)
