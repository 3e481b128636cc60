"""What carries spend, and so must carry cost tags: the one rule every tagging policy reads.

A resource carries spend when it provisions or runs billable capacity *and* can carry tags or
labels natively:

* a managed cloud resource whose provider schema has ``tags``/``labels`` (the attribute is
  present, even empty; a GKE node pool's ``node_config.labels``/``resource_labels`` count:
  they are its billing labels), or a type known to have them and carry spend
  (parsers/taggable_types.py: HCL leaves an unwritten argument out);
* a Kubernetes object that runs pods (a workload with pod templates, from a manifest, Pulumi
  or a Terraform ``kubernetes_*`` resource) or provisions nodes (a Karpenter NodePool).

Services, Namespaces, ConfigMaps, quotas and other Kubernetes objects run nothing billed by
themselves; data sources, module nodes and Terraform-only providers (null, random, local,
tls, time, ...) are never taggable.
"""

from __future__ import annotations

from collections.abc import Mapping

from guardrails.enrich.attrs import kind
from guardrails.model import Resource
from guardrails.parsers.ids import KNOWN_TAGGABLE

#: Terraform providers whose resources exist only in state and have no tags.
_UNTAGGED_PROVIDERS = {
    "null",
    "random",
    "local",
    "tls",
    "time",
    "terraform",
    "archive",
    "external",
    "http",
    "template",
    "cloudinit",
    "helm",
    "kubernetes",
    "pulumi",
}
_TAG_KEYS = ("tags", "labels", "tags_all", "tag", "resource_labels")
#: Kubernetes kinds that provision nodes (and so spend) without pod templates.
_KUBERNETES_PROVISIONERS = {"NodePool"}
#: Blocks whose labels are the resource's billing labels (GKE node pools and default pools).
_NODE_CONFIG_LABELS = ("labels", "resource_labels")


def _node_config_labels(attributes: Mapping[str, object]) -> bool:
    configs = attributes.get("node_config")
    for config in configs if isinstance(configs, list) else [configs]:
        if isinstance(config, Mapping) and any(key in config for key in _NODE_CONFIG_LABELS):
            return True
    return False


def is_taggable(resource: Resource, kubernetes: bool | None = None) -> bool:
    """Whether the resource carries spend and tags (see the module docstring).

    ``kubernetes``: ``resource.is_kubernetes_object`` when the caller has it."""
    if resource.mode != "managed":
        return False
    if resource.is_kubernetes_object if kubernetes is None else kubernetes:
        return resource.workload is not None or resource.type in _KUBERNETES_PROVISIONERS
    if resource.provider in _UNTAGGED_PROVIDERS:
        return False
    attributes = resource.attributes or {}
    return (
        not attributes.keys().isdisjoint(_TAG_KEYS)
        or _node_config_labels(attributes)
        or kind(resource) in KNOWN_TAGGABLE
    )
