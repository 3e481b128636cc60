"""Helpers shared by parsers: provider names, label maps, taggable types."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from guardrails.parsers.taggable_types import TAGGABLE_TYPES

#: Taggable types that carry spend, for HCL where an unwritten `tags` argument is absent.
KNOWN_TAGGABLE = TAGGABLE_TYPES


def provider_from_terraform(provider_name: str | None, resource_type: str) -> str:
    """``registry.terraform.io/hashicorp/aws`` or ``aws`` or a type prefix -> ``aws``."""
    if provider_name:
        return provider_name.rstrip("/").rsplit("/", 1)[-1]
    return resource_type.split("_", 1)[0]


def string_map(value: Any) -> dict[str, str]:
    """Tags/labels as a string map; non-string values are rendered, lists of {key,value} folded."""
    if type(value) is dict:
        # Parsed tags and labels are almost always str -> str: kept as they are (parsed values
        # are never changed in place), not copied for every resource and pod template.
        if all(type(k) is str and type(v) is str for k, v in value.items()):
            return value
        return {str(k): _scalar(v) for k, v in value.items() if v is not None}
    if value is None:
        return {}
    if isinstance(value, Mapping):
        return {str(k): _scalar(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        out: dict[str, str] = {}
        for item in value:
            if isinstance(item, Mapping) and "key" in item:
                out[str(item["key"])] = _scalar(item.get("value"))
        return out
    return {}


#: Where each cloud keeps the labels cost attribution reads, in order (later keys win).
_LABEL_KEYS = ("tags_all", "tags", "labels", "resource_labels", "tag")
#: GKE: a pool's billing labels are node_config.resource_labels, its Kubernetes labels
#: node_config.labels; both say what the nodes are for.
_NODE_CONFIG_TYPES = ("google_container_node_pool", "google_container_cluster")


def resource_labels(resource_type: str, attributes: Mapping[str, Any]) -> dict[str, str]:
    """A Terraform resource's tags/labels as one string map (plan and HCL alike).

    ``tag`` is aws_autoscaling_group's block form.
    """
    labels: dict[str, str] = {}
    for key in _LABEL_KEYS:
        value = attributes.get(key)
        if value is not None:
            labels.update(string_map(value))
    if resource_type in _NODE_CONFIG_TYPES:
        configs = attributes.get("node_config")
        for config in configs if isinstance(configs, list) else [configs]:
            if isinstance(config, Mapping):
                labels.update(string_map(config.get("labels")))
                labels.update(string_map(config.get("resource_labels")))
    return labels


def _scalar(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return "" if v is None else str(v)
