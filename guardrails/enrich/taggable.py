"""Which resources carry tags or labels natively (the ones tagging policies apply to)."""

from __future__ import annotations

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
_KUBERNETES_TAGGABLE = {"Service", "NodePool", "Namespace"}


def is_taggable(resource: Resource) -> bool:
    """A managed cloud resource with tags/labels in its schema, or a Kubernetes workload."""
    if resource.mode != "managed":
        return False
    if resource.is_kubernetes_object:
        return resource.workload is not None or resource.type in _KUBERNETES_TAGGABLE
    if resource.provider in _UNTAGGED_PROVIDERS:
        return False
    attributes = resource.attributes or {}
    return any(key in attributes for key in _TAG_KEYS) or kind(resource) in KNOWN_TAGGABLE
