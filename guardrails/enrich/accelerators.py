"""Kubernetes accelerator resource names and how one request maps onto catalog GPUs.

A pod asks for ``nvidia.com/gpu``, a MIG slice (``nvidia.com/mig-3g.40gb``), Neuron devices or
cores, TPU chips or Gaudi cards. Pricing needs the number of *whole* accelerators that request
stands for (a 3g MIG slice is 3/7 of its GPU; two NeuronCores are one Inferentia2/Trainium
chip) and, where the pod says so, the model. A time-sliced GPU share has no price of its own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from guardrails.bundled import shared_data

#: Whole-device resource names and their vendor (policies/data/accelerators.json, which the
#: policies read as ``data.guardrails.accelerators``).
WHOLE_DEVICES: Mapping[str, str] = shared_data("accelerators")["whole_devices"]
NEURON_CORES = "aws.amazon.com/neuroncore"
#: GPU Operator time-slicing with ``renameByDefault``: a share of a GPU other pods also use.
SHARED_GPUS = ("nvidia.com/gpu.shared",)
_MIG = re.compile(r"^nvidia\.com/mig-(\d+)g\.(\d+)gb$")
#: Compute slices of a MIG-capable GPU (A100, H100, H200 all have seven).
MIG_SLICES = 7
#: Profiles that exist only on the A100 40GB (80 GB-class GPUs share the others).
_A100_40GB_PROFILES = {(1, 5), (2, 10), (3, 20), (4, 20), (7, 40)}
#: Node label naming the TPU generation on GKE, and the short model for each value.
TPU_LABEL = "cloud.google.com/gke-tpu-accelerator"
_TPU_MODELS = {
    "tpu-v4-podslice": "TPU v4",
    "tpu-v5-lite-device": "TPU v5e",
    "tpu-v5-lite-podslice": "TPU v5e",
    "tpu-v5p-slice": "TPU v5p",
    "tpu-v6e-slice": "TPU v6e",
    "tpu7x": "TPU7x",
}


@dataclass(frozen=True)
class Request:
    """One accelerator request: the resource name, how many, and what that is in whole devices."""

    resource_name: str
    quantity: float
    #: Whole accelerators the request stands for (MIG: slices/7; NeuronCores: cores per chip).
    devices: float
    vendor: str | None
    #: A model the resource name itself implies (an A100-only MIG profile), else None.
    model: str | None = None
    #: Why the request cannot be priced at all (a time-sliced share), else None.
    unpriceable: str | None = None


@lru_cache(maxsize=1024)
def is_accelerator(name: str) -> bool:
    """Whether a container resource name is an accelerator guardrails prices or reports."""
    return (
        name in WHOLE_DEVICES
        or name == NEURON_CORES
        or name in SHARED_GPUS
        or bool(_MIG.match(name))
    )


def request(name: str, quantity: float, cores_per_chip: int = 2) -> Request:
    """What ``quantity`` of resource ``name`` is in whole accelerators."""
    mig = _MIG.match(name)
    if mig:
        slices, memory = int(mig.group(1)), int(mig.group(2))
        model = "A100" if (slices, memory) in _A100_40GB_PROFILES else None
        devices = quantity * min(slices, MIG_SLICES) / MIG_SLICES
        return Request(name, quantity, devices, "nvidia", model)
    if name == NEURON_CORES:
        return Request(name, quantity, quantity / cores_per_chip, "aws")
    if name in SHARED_GPUS:
        return Request(
            name,
            quantity,
            quantity,
            "nvidia",
            unpriceable=f"{name} is a time-sliced share of a GPU; its cost depends on how many "
            "pods share it",
        )
    return Request(name, quantity, quantity, WHOLE_DEVICES.get(name))


def tpu_model(requirements: Mapping[str, list[str]]) -> str | None:
    """``TPU v5e`` from the GKE TPU node label the pod selects, else None."""
    for value in requirements.get(TPU_LABEL, []):
        model = _TPU_MODELS.get(value.strip().lower())
        if model:
            return model
    return None


def cores_per_chip(model: str | None) -> int:
    """NeuronCores per chip: 8 on Trainium2, 2 on Inferentia2 and Trainium (gpu_catalog.md §1)."""
    return 8 if model == "Trainium2" else 2


#: GKE TPU machine types: ``ct5lp-hightpu-4t`` is a TPU v5e VM with 4 chips.
_TPU_MACHINE = re.compile(r"^ct(\d+[a-z]*)-[a-z]+-(\d+)t$")
_TPU_MACHINE_MODELS = {"4p": "TPU v4", "5lp": "TPU v5e", "5p": "TPU v5p", "6e": "TPU v6e"}
#: Cloud TPU accelerator types (``v5litepod-16``, ``v4-32``) and whether the number counts
#: TensorCores (two per chip: v2, v3, v4, v5p) or chips (v5e, v6e).
_TPU_TYPE = re.compile(r"^(v2|v3|v4|v5p|v5litepod|v5e|v6e)-(\d+)$")
_TPU_TYPE_MODELS = {
    "v2": ("TPU v2", 2),
    "v3": ("TPU v3", 2),
    "v4": ("TPU v4", 2),
    "v5p": ("TPU v5p", 2),
    "v5litepod": ("TPU v5e", 1),
    "v5e": ("TPU v5e", 1),
    "v6e": ("TPU v6e", 1),
}
#: ``accelerator_config.type`` of a google_tpu_v2_vm and the model it names.
_TPU_CONFIG_MODELS = {
    "V2": "TPU v2",
    "V3": "TPU v3",
    "V4": "TPU v4",
    "V5P": "TPU v5p",
    "V5LITE_POD": "TPU v5e",
    "V6E": "TPU v6e",
}


def tpu_machine(machine_type: str) -> tuple[str, int] | None:
    """(model, chips per VM) of a GKE TPU machine type such as ``ct5lp-hightpu-4t``."""
    found = _TPU_MACHINE.match(machine_type.strip().lower())
    if found is None:
        return None
    model = _TPU_MACHINE_MODELS.get(found.group(1), f"TPU {found.group(1)}")
    return model, int(found.group(2))


def tpu_type(accelerator_type: str) -> tuple[str, int] | None:
    """(model, chips) of a Cloud TPU accelerator type: ``v5litepod-16`` is 16 v5e chips,
    ``v4-32`` 32 TensorCores, so 16 chips."""
    found = _TPU_TYPE.match(accelerator_type.strip().lower())
    if found is None:
        return None
    model, per_chip = _TPU_TYPE_MODELS[found.group(1)]
    return model, max(int(found.group(2)) // per_chip, 1)


def tpu_config(config_type: str, topology: str) -> tuple[str, int | None] | None:
    """(model, chips) of a TPU ``accelerator_config``: chips are the topology's product
    (``2x2x1`` is 4); None chips when the topology is not a product of numbers."""
    model = _TPU_CONFIG_MODELS.get(config_type.strip().upper())
    if model is None:
        return None
    dims = topology.strip().lower().split("x")
    if not all(d.isascii() and d.isdigit() and len(d) <= 4 for d in dims):
        return model, None
    chips = 1
    for d in dims:
        chips *= int(d)
    return model, chips
