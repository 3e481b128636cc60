"""Dynamic Resource Allocation: the accelerators a pod gets through its ``resourceClaims``.

A pod names a ``ResourceClaim`` (one allocation, shared by every pod and container naming it)
or a ``ResourceClaimTemplate`` (each pod gets its own claim). A claim asks for devices of a
``DeviceClass`` (``gpu.nvidia.com``): ``count`` of them (1 by default), or with
``allocationMode: All`` every matching device on the node, which the scan cannot know.
resource.k8s.io v1beta1 writes ``spec.devices.requests[].{deviceClassName, count,
allocationMode}``; v1beta2 and v1 move them under ``exactly`` or list ``firstAvailable``
alternatives (counted at the largest accelerator alternative, the conservative ceiling).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from guardrails.enrich.attrs import as_int, items
from guardrails.lazy_regex import LazyPattern
from guardrails.model import Resource

CLAIM_KINDS = ("ResourceClaim", "ResourceClaimTemplate")
#: A device class whose name says it hands out accelerators (``gpu.nvidia.com``,
#: ``mig.nvidia.com``, ``tpu.google.com``, ``neuron.aws.com``, ``gaudi.habana.ai``).
_ACCELERATOR_CLASS = LazyPattern(
    r"(?:^|[.\-])(?:gpu|mig|tpu|neuron|neuroncore|gaudi|accelerator|xpu)(?:[.\-]|$)",
    re.IGNORECASE,
)
_VENDORS = ("nvidia", "amd", "intel", "google", "habana", "aws")


def is_accelerator_class(name: str) -> bool:
    """Whether a DeviceClass name hands out accelerators."""
    return bool(_ACCELERATOR_CLASS.search(name))


def class_vendor(name: str) -> str | None:
    lowered = name.lower()
    return next((v for v in _VENDORS if v in lowered), None)


@dataclass(frozen=True)
class ClaimDevices:
    """Accelerators one claim allocates: the device class and how many (None: unknown)."""

    device_class: str
    count: int | None
    #: A ResourceClaim every pod naming it shares (one allocation for the whole workload).
    shared: bool
    #: ``ResourceClaim ns/name``: how the pod names it, for messages.
    source: str


class ClaimIndex:
    """ResourceClaims and ResourceClaimTemplates of the scan by (namespace, name)."""

    def __init__(self, resources: Iterable[Resource]) -> None:
        self._by_key: dict[tuple[str, str | None, str], Mapping[str, Any]] = {}
        for r in resources:
            if r.type in CLAIM_KINDS and r.is_kubernetes_object:
                self._by_key[(r.type, r.namespace, r.name)] = r.attributes

    def __bool__(self) -> bool:
        return bool(self._by_key)

    def find(self, kind: str, namespace: str | None, name: str) -> Mapping[str, Any] | None:
        return self._by_key.get((kind, namespace, name)) or self._by_key.get((kind, None, name))


def _spec(obj: Mapping[str, Any], kind: str) -> Mapping[str, Any]:
    spec = obj.get("spec")
    spec = spec if isinstance(spec, Mapping) else {}
    if kind == "ResourceClaimTemplate":  # the claim spec is spec.spec
        inner = spec.get("spec")
        spec = inner if isinstance(inner, Mapping) else {}
    return spec


def _exact(request: Mapping[str, Any]) -> tuple[str | None, int | None]:
    """(device class, count) of one exact request; count None for ``allocationMode: All``."""
    name = request.get("deviceClassName")
    if request.get("allocationMode") == "All":
        return (str(name) if name else None), None
    count = as_int(request.get("count", 1))
    return (str(name) if name else None), count


def claim_devices(
    obj: Mapping[str, Any], kind: str, shared: bool, source: str
) -> list[ClaimDevices]:
    """The accelerator requests of a claim or claim template (other devices are left out)."""
    devices = _spec(obj, kind).get("devices")
    requests = devices.get("requests") if isinstance(devices, Mapping) else None
    found = []
    for request in items(requests):
        if not isinstance(request, Mapping):
            continue
        exactly = request.get("exactly")
        alternatives = items(request.get("firstAvailable"))
        options = [exactly] if isinstance(exactly, Mapping) else alternatives or [request]
        best: tuple[str, int | None] | None = None
        for option in options:
            if not isinstance(option, Mapping):
                continue
            name, count = _exact(option)
            if name is None or not is_accelerator_class(name):
                continue
            if best is None or count is None or (best[1] is not None and count > best[1]):
                best = (name, count)
        if best is not None:
            found.append(ClaimDevices(best[0], best[1], shared, source))
    return found


def pod_claims(
    template: Mapping[str, Any], namespace: str | None, index: ClaimIndex
) -> tuple[list[ClaimDevices], list[str]]:
    """The accelerators a pod template's claims allocate, and the claims not in the scan."""
    devices: list[ClaimDevices] = []
    missing: list[str] = []
    for claim in items(template.get("resource_claims")):
        if not isinstance(claim, Mapping):
            continue
        if claim.get("claim"):
            kind, name, shared = "ResourceClaim", str(claim["claim"]), True
        elif claim.get("template"):
            kind, name, shared = "ResourceClaimTemplate", str(claim["template"]), False
        else:
            continue
        source = f"{kind} {namespace + '/' if namespace else ''}{name}"
        obj = index.find(kind, namespace, name)
        if obj is None:
            missing.append(source)
            continue
        devices += claim_devices(obj, kind, shared, source)
    return devices, missing
