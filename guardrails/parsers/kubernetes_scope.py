"""Which Kubernetes kinds are cluster-scoped: their objects have no namespace.

Kubernetes ignores ``metadata.namespace`` on a cluster-scoped object, so its address is
``Kind/name``; every other object defaults to the ``default`` namespace. Kinds are matched by
name where the name is unambiguous, by API group where another project reuses the name for a
namespaced kind. A CustomResourceDefinition in the same input says its own ``spec.scope``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

#: Cluster-scoped kinds whose name no namespaced kind we know of shares.
CLUSTER_SCOPED = frozenset(
    {
        # Kubernetes
        "Namespace",
        "Node",
        "PersistentVolume",
        "StorageClass",
        "CSIDriver",
        "CSINode",
        "VolumeAttachment",
        "VolumeAttributesClass",
        "ClusterRole",
        "ClusterRoleBinding",
        "CustomResourceDefinition",
        "MutatingWebhookConfiguration",
        "ValidatingWebhookConfiguration",
        "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding",
        "MutatingAdmissionPolicy",
        "MutatingAdmissionPolicyBinding",
        "PriorityClass",
        "APIService",
        "IngressClass",
        "RuntimeClass",
        "CertificateSigningRequest",
        "ClusterTrustBundle",
        "FlowSchema",
        "PriorityLevelConfiguration",
        "PodSecurityPolicy",
        "DeviceClass",
        "ResourceSlice",
        "IPAddress",
        "ServiceCIDR",
        "GatewayClass",
        "VolumeSnapshotClass",
        "VolumeSnapshotContent",
        # Karpenter
        "NodePool",
        "NodeClaim",
        "EC2NodeClass",
        "AKSNodeClass",
        "AWSNodeTemplate",
        # Kueue
        "ClusterQueue",
        "ResourceFlavor",
        "WorkloadPriorityClass",
        "Cohort",
        "AdmissionCheck",
        "MultiKueueCluster",
        "MultiKueueConfig",
        "ProvisioningRequestConfig",
        # Volcano
        "Queue",
        "HyperNode",
        "Numatopology",
        # KServe
        "ClusterServingRuntime",
        "ClusterStorageContainer",
        "LocalModelCache",
        "LocalModelNode",
        "LocalModelNodeGroup",
        # Kubeflow Trainer, NVIDIA GPU Operator, Kyverno, Gatekeeper, cert-manager, others
        "ClusterTrainingRuntime",
        "ClusterPolicy",
        "NVIDIADriver",
        "ClusterCleanupPolicy",
        "ClusterPolicyReport",
        "ConstraintTemplate",
        "ClusterIssuer",
        "ClusterWorkflowTemplate",
        "ClusterSecretStore",
        "ClusterExternalSecret",
        "CiliumClusterwideNetworkPolicy",
        "GlobalNetworkPolicy",
        "GlobalNetworkSet",
        "NodeFeatureRule",
    }
)
#: Cluster-scoped kinds whose name is also a namespaced kind elsewhere, by API group.
CLUSTER_SCOPED_IN_GROUP = {
    "kubeflow.org": frozenset({"Profile"}),
    "kueue.x-k8s.io": frozenset({"Topology"}),
    "pkg.crossplane.io": frozenset({"Provider", "Configuration", "Function"}),
    "apiextensions.crossplane.io": frozenset({"Composition", "CompositeResourceDefinition"}),
}
_GATEKEEPER_CONSTRAINTS = "constraints.gatekeeper.sh"

#: (API group, kind) -> cluster-scoped, as CustomResourceDefinitions in the input declare it.
DeclaredScopes = Mapping[tuple[str, str], bool]


def api_group(api_version: Any) -> str:
    """``apps/v1`` -> ``apps``; ``v1`` (the core group) -> ``""``."""
    text = str(api_version or "")
    return text.rsplit("/", 1)[0] if "/" in text else ""


def declared_scopes(objects: Iterable[Mapping[str, Any]]) -> dict[tuple[str, str], bool]:
    """The scope each CustomResourceDefinition among ``objects`` gives its kind."""
    scopes: dict[tuple[str, str], bool] = {}
    for obj in objects:
        if obj.get("kind") != "CustomResourceDefinition":
            continue
        spec = obj.get("spec")
        names = spec.get("names") if isinstance(spec, Mapping) else None
        if not isinstance(names, Mapping) or not isinstance(spec, Mapping):
            continue
        kind, group, scope = names.get("kind"), spec.get("group"), spec.get("scope")
        if isinstance(kind, str) and isinstance(group, str) and scope in ("Cluster", "Namespaced"):
            scopes[(group, kind)] = scope == "Cluster"
    return scopes


def is_cluster_scoped(kind: str, api_version: Any, declared: DeclaredScopes | None = None) -> bool:
    """Whether objects of ``kind`` in ``api_version`` live outside any namespace."""
    group = api_group(api_version)
    if declared and (group, kind) in declared:
        return declared[(group, kind)]
    if group.startswith(_GATEKEEPER_CONSTRAINTS):
        return True
    return kind in CLUSTER_SCOPED or kind in CLUSTER_SCOPED_IN_GROUP.get(group, ())
