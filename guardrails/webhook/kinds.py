"""The kinds the webhook judges: the single list the server and deploy/ rules both follow."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AdmittedKind:
    """One API resource the webhook is registered for."""

    kind: str
    group: str
    versions: tuple[str, ...]
    resource: str
    #: Judged whatever it requests (AI CRDs, node pools, autoscalers); core workloads reach the
    #: webhook only when they request accelerators (the CEL matchConditions in deploy/).
    always: bool


def _core(kind: str, group: str, resource: str) -> AdmittedKind:
    return AdmittedKind(kind, group, ("v1",), resource, always=False)


ADMITTED_KINDS: tuple[AdmittedKind, ...] = (
    _core("Pod", "", "pods"),
    _core("Deployment", "apps", "deployments"),
    _core("StatefulSet", "apps", "statefulsets"),
    _core("DaemonSet", "apps", "daemonsets"),
    _core("ReplicaSet", "apps", "replicasets"),
    _core("Job", "batch", "jobs"),
    _core("CronJob", "batch", "cronjobs"),
    AdmittedKind("RayCluster", "ray.io", ("v1", "v1alpha1"), "rayclusters", True),
    AdmittedKind("RayJob", "ray.io", ("v1", "v1alpha1"), "rayjobs", True),
    AdmittedKind("RayService", "ray.io", ("v1", "v1alpha1"), "rayservices", True),
    AdmittedKind("PyTorchJob", "kubeflow.org", ("v1",), "pytorchjobs", True),
    AdmittedKind("TFJob", "kubeflow.org", ("v1",), "tfjobs", True),
    AdmittedKind("MPIJob", "kubeflow.org", ("v1", "v2beta1"), "mpijobs", True),
    AdmittedKind("InferenceService", "serving.kserve.io", ("v1beta1",), "inferenceservices", True),
    AdmittedKind(
        "LLMInferenceService", "serving.kserve.io", ("v1alpha1",), "llminferenceservices", True
    ),
    AdmittedKind("Job", "batch.volcano.sh", ("v1alpha1",), "jobs", True),
    AdmittedKind("JobSet", "jobset.x-k8s.io", ("v1alpha2",), "jobsets", True),
    AdmittedKind("NodePool", "karpenter.sh", ("v1", "v1beta1"), "nodepools", True),
    AdmittedKind(
        "HorizontalPodAutoscaler", "autoscaling", ("v1", "v2"), "horizontalpodautoscalers", True
    ),
)

_BY_GROUP_KIND = {(k.group, k.kind): k for k in ADMITTED_KINDS}


def admitted_kind(group: str, kind: str) -> AdmittedKind | None:
    """The registered kind for an AdmissionRequest's ``kind`` (None: not judged)."""
    return _BY_GROUP_KIND.get((group, kind))


def label(group: str, kind: str) -> str:
    """``Job`` for batch/v1, ``Job.batch.volcano.sh`` for Volcano; ``other`` for any kind the
    webhook is not registered for (a metrics label, so from a closed set)."""
    if admitted_kind(group, kind) is None:
        return "other"
    return kind if group in ("", "apps", "batch", "autoscaling") else f"{kind}.{group}"
