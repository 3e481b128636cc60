"""Which cloud a resource runs on, and what in the input says so (the first half of the price key).

A price is keyed by (cloud, SKU), never by the GPU model alone: an H100 on GKE costs GCP's
a3-highgpu rate, not AWS p5's. The cloud comes from what the input itself names: the Terraform
resource type's provider, an instance/VM/machine type's naming, Kubernetes node labels a pod
selects or tolerates (``cloud.google.com/*``, ``eks.amazonaws.com/*``, ``karpenter.k8s.aws/*``,
``kubernetes.azure.com/*``), cloud-specific accelerator resources (``google.com/tpu``,
``aws.amazon.com/neuron*``) and Karpenter NodeClass kinds. Nothing found: None, and the price
is an assumption that every report says (enrich.catalog).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from guardrails.enrich.attrs import is_mapping
from guardrails.lazy_regex import LazyPattern
from guardrails.model.contract import CloudFact

AWS, GCP, AZURE = "aws", "gcp", "azure"
#: How reports name each cloud.
DISPLAY = {AWS: "AWS", GCP: "GCP", AZURE: "Azure"}

#: Node label / selector key prefixes only one cloud's nodes carry (gpu_catalog.md §5).
_LABEL_PREFIXES = (
    ("cloud.google.com/", GCP),
    ("topology.gke.io/", GCP),
    ("eks.amazonaws.com/", AWS),
    ("karpenter.k8s.aws/", AWS),
    ("k8s.amazonaws.com/", AWS),
    ("kubernetes.azure.com/", AZURE),
    ("karpenter.azure.com/", AZURE),
)
#: Container resource names only one cloud offers.
_RESOURCE_PREFIXES = (("google.com/tpu", GCP), ("aws.amazon.com/", AWS))
#: Terraform/Pulumi resource type prefixes (Pulumi tokens are mapped to these by the parsers).
_TYPE_PREFIXES = (("aws_", AWS), ("google_", GCP), ("azurerm_", AZURE), ("azapi_", AZURE))
#: Karpenter NodeClass kinds a NodePool's ``nodeClassRef`` names.
NODE_CLASS_KINDS = {"ec2nodeclass": AWS, "aksnodeclass": AZURE, "gcenodeclass": GCP}
#: Instance type naming when the catalog has no row: p5.48xlarge, a3-highgpu-8g, Standard_NC...
_TYPE_NAMES = (
    (LazyPattern(r"^standard_", re.IGNORECASE), AZURE),
    (
        LazyPattern(
            r"^(?:ml\.)?[a-z][a-z0-9-]*\.(?:\d*x?large|metal|medium|small|micro|nano)", re.I
        ),
        AWS,
    ),
    (LazyPattern(r"^[a-z]\d+[a-z]?-[a-z]+(?:-\d+[a-z]*)?$|^ct\d", re.IGNORECASE), GCP),
)


@dataclass(frozen=True)
class CloudEvidence:
    """A cloud and what in the input names it (``node selector cloud.google.com/gke-spot``)."""

    cloud: str
    source: str


def of_type(resource_type: str) -> CloudEvidence | None:
    """The provider of a Terraform/Pulumi resource type (``google_container_node_pool`` → GCP)."""
    for prefix, cloud in _TYPE_PREFIXES:
        if resource_type.startswith(prefix):
            return CloudEvidence(cloud, f"resource type {resource_type}")
    return None


def of_instance_type(name: str, provider: str | None = None) -> CloudEvidence | None:
    """The cloud an instance/VM/machine type belongs to: its catalog row's ``provider`` when
    known, else its naming convention."""
    if provider:
        return CloudEvidence(provider, f"instance type {name}")
    for pattern, cloud in _TYPE_NAMES:
        if pattern.match(name.strip()):
            return CloudEvidence(cloud, f"instance type {name}")
    return None


def of_label_keys(keys: Iterable[str], where: str) -> CloudEvidence | None:
    """The cloud the first cloud-specific label key names (``where``: how the pod names it)."""
    for key in sorted(str(k).lower() for k in keys):
        for prefix, cloud in _LABEL_PREFIXES:
            if key.startswith(prefix):
                return CloudEvidence(cloud, f"{where} {key}")
    return None


def of_resource_name(name: str) -> CloudEvidence | None:
    """The cloud a container resource name implies (``google.com/tpu`` → GCP)."""
    for prefix, cloud in _RESOURCE_PREFIXES:
        if name.startswith(prefix):
            return CloudEvidence(cloud, f"resource {name}")
    return None


def of_template(template: Mapping[str, Any]) -> CloudEvidence | None:
    """What a pod template says about its cloud: node selector and required affinity keys,
    then tolerated taint keys (a pod tolerating ``kubernetes.azure.com/scalesetpriority``
    runs on AKS)."""
    selector = template.get("node_selector")
    keys = list(selector) if is_mapping(selector) else []
    found = of_label_keys(keys, "node selector")
    if found is not None:
        return found
    found = of_label_keys(_affinity_keys(template.get("affinity")), "node affinity")
    if found is not None:
        return found
    tolerations = template.get("tolerations")
    toleration_keys = [
        str(t.get("key"))
        for t in (tolerations if isinstance(tolerations, list) else [])
        if is_mapping(t) and t.get("key")
    ]
    return of_label_keys(toleration_keys, "toleration")


def _affinity_keys(affinity: Any) -> list[str]:
    if not is_mapping(affinity):
        return []
    node = affinity.get("nodeAffinity")
    if not is_mapping(node):
        return []
    keys: list[str] = []
    required = node.get("requiredDuringSchedulingIgnoredDuringExecution")
    terms = required.get("nodeSelectorTerms") if is_mapping(required) else None
    preferred = node.get("preferredDuringSchedulingIgnoredDuringExecution")
    for term in [
        *(terms if isinstance(terms, list) else []),
        *(
            p.get("preference")
            for p in (preferred if isinstance(preferred, list) else [])
            if is_mapping(p)
        ),
    ]:
        if not is_mapping(term):
            continue
        expressions = term.get("matchExpressions")
        for expression in expressions if isinstance(expressions, list) else []:
            if is_mapping(expression) and expression.get("key"):
                keys.append(str(expression["key"]))
    return keys


def of_node_class(spec: Mapping[str, Any]) -> CloudEvidence | None:
    """A Karpenter NodePool's cloud from ``spec.template.spec.nodeClassRef.kind``."""
    template = spec.get("template")
    template_spec = template.get("spec") if is_mapping(template) else None
    ref = template_spec.get("nodeClassRef") if is_mapping(template_spec) else None
    kind = str(ref.get("kind", "")) if is_mapping(ref) else ""
    cloud = NODE_CLASS_KINDS.get(kind.lower())
    return CloudEvidence(cloud, f"nodeClassRef kind {kind}") if cloud else None


def fact(evidence: CloudEvidence | None, assumed: str | None = None) -> CloudFact:
    """``facts.cloud``: ``{name, source, assumed}``; ``assumed`` names the cloud a price was
    assumed on when nothing in the resource says which cloud it runs on."""
    if evidence is not None:
        return {"name": evidence.cloud, "source": evidence.source, "assumed": None}
    return {"name": None, "source": None, "assumed": assumed}
