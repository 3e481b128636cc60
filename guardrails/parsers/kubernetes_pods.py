"""Pod templates of Kubernetes workloads and AI CRDs, in the one shape policies read.

This module picks the reader for a kind; the template shape is kubernetes_podspec.py, batch
and training kinds kubernetes_batch.py, KServe kubernetes_kserve.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from guardrails.parsers.kubernetes_batch import cron_job, job, job_set, train_job
from guardrails.parsers.kubernetes_kserve import inference_service, llm_inference_service
from guardrails.parsers.kubernetes_podspec import (
    Object,
    Template,
    from_template,
    group_members,
    pod_template,
)
from guardrails.parsers.kubernetes_values import as_count, as_list, as_map, count_or_default


def _replicated(spec: Object, default: int = 1) -> tuple[int | None, int | None]:
    replicas = spec.get("replicas", default)
    count = as_count(replicas)
    return count, count


def _pod(obj: Object) -> list[Template]:
    return [pod_template(obj.get("spec"), "pod", 1, 1, obj.get("metadata"))]


def _replica_set(obj: Object) -> list[Template]:
    spec = as_map(obj.get("spec"))
    desired, maximum = _replicated(spec)
    return [from_template(spec.get("template"), "pod", desired, maximum)]


def _daemon_set(obj: Object) -> list[Template]:
    spec = as_map(obj.get("spec"))
    return [from_template(spec.get("template"), "pod", None, None)]  # one per matching node


def _ray_cluster(cluster: Any, backoff: int | None = None) -> list[Template]:
    spec = as_map(cluster)
    # With the autoscaler on, a group without maxReplicas may grow without bound (KubeRay's
    # default is 2147483647); without it, a group runs its replicas.
    autoscaling = spec.get("enableInTreeAutoscaling") is True
    head = as_map(spec.get("headGroupSpec"))
    templates = [from_template(head.get("template"), "head", 1, 1, backoff, head=True)]
    for group in as_list(spec.get("workerGroupSpecs")):
        group = as_map(group)
        hosts = as_count(group.get("numOfHosts", 1)) or 1
        minimum = as_count(group.get("minReplicas"))
        desired = as_count(group.get("replicas")) if "replicas" in group else minimum
        if desired is None and "replicas" not in group:
            desired = 1 if minimum is None else minimum
        if "maxReplicas" in group:
            maximum = as_count(group.get("maxReplicas"))
        else:
            maximum = None if autoscaling else desired
        templates.append(
            from_template(
                group.get("template"),
                str(group.get("groupName") or "workers"),
                desired * hosts if desired is not None else None,
                maximum * hosts if maximum is not None else None,
                backoff,
            )
        )
    return templates


def _ray(obj: Object) -> list[Template]:
    spec = as_map(obj.get("spec"))
    if obj.get("kind") == "RayCluster":
        return _ray_cluster(spec)
    if obj.get("kind") == "RayJob":
        return _ray_cluster(spec.get("rayClusterSpec"), as_count(spec.get("backoffLimit")))
    return _ray_cluster(spec.get("rayClusterConfig"))


def _kubeflow(obj: Object) -> list[Template]:
    spec = as_map(obj.get("spec"))
    run_policy = as_map(spec.get("runPolicy"))
    backoff = as_count(run_policy.get("backoffLimit", spec.get("backoffLimit")))
    elastic_max = as_count(as_map(spec.get("elasticPolicy")).get("maxReplicas"))
    templates = []
    for key, replica_specs in spec.items():
        if not str(key).endswith("ReplicaSpecs"):
            continue
        for role, replica in as_map(replica_specs).items():
            replica = as_map(replica)
            count = as_count(replica.get("replicas", 1))
            maximum = elastic_max if (elastic_max is not None and role == "Worker") else count
            templates.append(
                from_template(replica.get("template"), str(role), count, maximum, backoff)
            )
    return templates


def _leader_worker_set(obj: Object) -> list[Template]:
    """``replicas`` groups of ``size`` pods: one leader (leaderTemplate, else workerTemplate)."""
    spec = as_map(obj.get("spec"))
    replicas = count_or_default(spec, "replicas")
    group = as_map(spec.get("leaderWorkerTemplate"))
    size = count_or_default(group, "size")
    worker = group.get("workerTemplate")
    leader = (
        group.get("leaderTemplate") if isinstance(group.get("leaderTemplate"), Mapping) else worker
    )
    workers = replicas * max(size - 1, 0) if replicas is not None and size is not None else None
    return [
        from_template(leader, "leader", replicas, replicas),
        group_members(from_template(worker, "worker", workers, workers)),
    ]


def _notebook(obj: Object) -> list[Template]:
    spec = as_map(obj.get("spec"))
    return [from_template(spec.get("template"), "notebook", 1, 1)]


POD_TEMPLATES: dict[str, Callable[[Object], list[Template]]] = {
    "Pod": _pod,
    "Deployment": _replica_set,
    "StatefulSet": _replica_set,
    "ReplicaSet": _replica_set,
    "ReplicationController": _replica_set,
    "DaemonSet": _daemon_set,
    "Job": job,
    "CronJob": cron_job,
    "RayCluster": _ray,
    "RayJob": _ray,
    "RayService": _ray,
    "PyTorchJob": _kubeflow,
    "TFJob": _kubeflow,
    "MPIJob": _kubeflow,
    "XGBoostJob": _kubeflow,
    "PaddleJob": _kubeflow,
    "JAXJob": _kubeflow,
    "InferenceService": inference_service,
    "LLMInferenceService": llm_inference_service,
    "LeaderWorkerSet": _leader_worker_set,
    "JobSet": job_set,
    "Notebook": _notebook,
    "TrainJob": train_job,
}


def pod_templates(obj: Object, runtime: Object | None = None) -> list[Template] | None:
    """The pod templates of a workload object, or None when the kind runs no pods.

    ``runtime``: the KServe ServingRuntime an InferenceService names, when the input holds it.
    """
    kind = str(obj.get("kind", ""))
    if kind == "InferenceService":
        return inference_service(obj, runtime)
    handler = POD_TEMPLATES.get(kind)
    if handler is not None:
        return handler(obj)
    template = as_map(as_map(obj.get("spec")).get("template"))
    if isinstance(as_map(template.get("spec")).get("containers"), list):
        return [from_template(template, "pod", None, None)]  # an unknown CRD wrapping a pod
    return None


__all__ = [
    "POD_TEMPLATES",
    "Object",
    "Template",
    "as_count",
    "as_list",
    "as_map",
    "pod_template",
    "pod_templates",
    "train_job",
]
