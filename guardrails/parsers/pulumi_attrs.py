"""Pulumi inputs in the Terraform attribute shape policies read.

Bridged providers name properties in camelCase and pluralise repeated blocks
(``guestAccelerators`` for Terraform's ``guest_accelerator`` blocks); keys become snake case and
the plurals policies read get their Terraform name back. Free-form maps (tags, labels, metadata)
keep their keys as written. ``azure-native`` resources are ARM-shaped: the attributes policies
and pricing read (VM size, priority, eviction policy, counts, public access) are lifted to the
azurerm names, the rest is kept in snake case.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from guardrails.parsers.pulumi_types import snake

#: Maps whose keys are data (tag names, label keys), never property names.
FREE_FORM = frozenset(
    {
        "tags",
        "tags_all",
        "labels",
        "resource_labels",
        "effective_labels",
        "metadata",
        "node_labels",
        "annotations",
        "user_labels",
        "environment",
        "variables",
        "parameters",
        "triggers",
        "keepers",
        "node_selector",
        "default_tags",
    }
)
#: Pulumi's plural names of repeated Terraform blocks -> the Terraform block name.
PLURAL_BLOCKS = {
    "guest_accelerators": "guest_accelerator",
    "allows": "allow",
    "denies": "deny",
    "security_rules": "security_rule",
    "overrides": "override",
    "ebs_block_devices": "ebs_block_device",
    "ephemeral_block_devices": "ephemeral_block_device",
    "access_configs": "access_config",
    "network_interfaces": "network_interface",
    "attached_disks": "attached_disk",
    "scratch_disks": "scratch_disk",
    "disks": "disk",
    "node_pools": "node_pool",
    "taints": "taint",
}
#: Per type: blocks whose Terraform name is itself plural, or differs from the rule.
TYPE_RENAMES: dict[str, dict[str, str]] = {
    "aws_launch_template": {"network_interfaces": "network_interfaces"},
    "aws_autoscaling_group": {"tags": "tag"},
}


@functools.lru_cache(maxsize=4096)
def _key(name: str) -> str:
    return name if name.startswith("__") or "-" in name or "." in name else snake(name)


def normalize(value: Any, rtype: str) -> Any:
    """Snake-case property names (outside free-form maps); plural block names to Terraform's."""
    if isinstance(value, list):
        return [normalize(v, rtype) for v in value]
    if not isinstance(value, Mapping):
        return value
    renames = TYPE_RENAMES.get(rtype, {})
    out: dict[str, Any] = {}
    for raw_key, item in value.items():
        key = _key(str(raw_key))
        is_block_list = isinstance(item, list) and all(isinstance(i, Mapping) for i in item)
        if key in renames and (is_block_list or key != "tags"):
            key = renames[key]
        elif is_block_list and key in PLURAL_BLOCKS:
            key = PLURAL_BLOCKS[key]
        out[key] = item if key in FREE_FORM else normalize(item, rtype)
    return out


def _get(value: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def _lower(value: Any) -> str | None:
    return value.lower() if isinstance(value, str) else None


def _os_type(profile: Any) -> str:
    """linux or windows, from an ARM osProfile/storageProfile (Linux unless it says Windows)."""
    windows = _get(profile, "osProfile", "windowsConfiguration") is not None
    os_type = _lower(_get(profile, "storageProfile", "osDisk", "osType"))
    return "windows" if windows or os_type == "windows" else "linux"


def _vm(inputs: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    attrs = {
        "size": _get(inputs, "hardwareProfile", "vmSize"),
        "priority": inputs.get("priority"),
        "eviction_policy": inputs.get("evictionPolicy"),
        "max_bid_price": _get(inputs, "billingProfile", "maxPrice"),
    }
    return f"azurerm_{_os_type(inputs)}_virtual_machine", attrs


def _scale_set(inputs: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    profile = inputs.get("virtualMachineProfile")
    attrs = {
        "sku": _get(inputs, "sku", "name"),
        "instances": _get(inputs, "sku", "capacity"),
        "priority": _get(profile, "priority"),
        "eviction_policy": _get(profile, "evictionPolicy"),
        "max_bid_price": _get(profile, "billingProfile", "maxPrice"),
    }
    if _lower(inputs.get("orchestrationMode")) == "flexible":
        return "azurerm_orchestrated_virtual_machine_scale_set", attrs
    return f"azurerm_{_os_type(profile)}_virtual_machine_scale_set", attrs


def _agent_pool(inputs: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    attrs = {
        "vm_size": inputs.get("vmSize"),
        "node_count": inputs.get("count"),
        "enable_auto_scaling": inputs.get("enableAutoScaling"),
        "min_count": inputs.get("minCount"),
        "max_count": inputs.get("maxCount"),
        "priority": inputs.get("scaleSetPriority"),
        "eviction_policy": inputs.get("scaleSetEvictionPolicy"),
        "spot_max_price": inputs.get("spotMaxPrice"),
        "node_labels": inputs.get("nodeLabels"),
        "node_taints": inputs.get("nodeTaints"),
    }
    return "azurerm_kubernetes_cluster_node_pool", attrs


def _storage_account(inputs: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    return "azurerm_storage_account", {
        "allow_nested_items_to_be_public": inputs.get("allowBlobPublicAccess"),
    }


def _blob_container(inputs: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    access = _lower(inputs.get("publicAccess"))
    return "azurerm_storage_container", {"container_access_type": access or "private"}


_AZURE_NATIVE_SHAPES = {
    "azurerm_virtual_machine": _vm,
    "azurerm_orchestrated_virtual_machine_scale_set": _scale_set,
    "azurerm_kubernetes_cluster_node_pool": _agent_pool,
    "azurerm_storage_account": _storage_account,
    "azurerm_storage_container": _blob_container,
}


def azure_native(rtype: str, inputs: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """The azurerm type and attributes of an azure-native resource already mapped to ``rtype``."""
    shaped = normalize(inputs, rtype)
    shape = _AZURE_NATIVE_SHAPES.get(rtype)
    if shape is None:
        return rtype, shaped
    canonical, lifted = shape(inputs)
    return canonical, {**shaped, **{k: v for k, v in lifted.items() if v is not None}}
