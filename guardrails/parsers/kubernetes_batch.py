"""Pod templates of batch and training workloads: Job, CronJob, Volcano Job, JobSet, TrainJob."""

from __future__ import annotations

from typing import Any

from guardrails.parsers.kubernetes_podspec import (
    Object,
    Template,
    container_of,
    from_template,
    pod_template,
)
from guardrails.parsers.kubernetes_values import as_count, as_list, as_map


def _job_spec(spec: Object, role: str = "pod") -> Template:
    # A Job runs min(parallelism, completions) pods at once (both default to 1 when unset).
    parallelism = as_count(spec.get("parallelism", 1))
    completions = as_count(spec["completions"]) if spec.get("completions") is not None else None
    if parallelism is not None and completions is not None:
        parallelism = min(parallelism, completions)
    return from_template(
        spec.get("template"), role, parallelism, parallelism, as_count(spec.get("backoffLimit"))
    )


def job(obj: Object) -> list[Template]:
    """A batch Job (min(parallelism, completions) pods) or a Volcano Job (its tasks)."""
    spec = as_map(obj.get("spec"))
    if str(obj.get("apiVersion", "")).startswith("batch.volcano.sh/"):
        return _volcano(spec)
    return [_job_spec(spec)]


def cron_job(obj: Object) -> list[Template]:
    """The Job a CronJob starts on each run."""
    job = as_map(as_map(as_map(obj.get("spec")).get("jobTemplate")).get("spec"))
    return [_job_spec(job)]


def _volcano(spec: Object) -> list[Template]:
    retries = as_count(spec.get("maxRetry"))
    templates = []
    for task in as_list(spec.get("tasks")):
        task = as_map(task)
        count = as_count(task.get("replicas", 1))
        templates.append(
            from_template(
                task.get("template"), str(task.get("name") or "task"), count, count, retries
            )
        )
    return templates


def job_set(obj: Object) -> list[Template]:
    """A JobSet: each replicated Job's pods times its ``replicas``."""
    templates = []
    for replicated in as_list(as_map(obj.get("spec")).get("replicatedJobs")):
        replicated = as_map(replicated)
        copies = as_count(replicated.get("replicas", 1))
        job = as_map(as_map(replicated.get("template")).get("spec"))
        template = _job_spec(job, str(replicated.get("name") or "job"))
        per_job = template["replicas"]["desired"]
        total = per_job * copies if per_job is not None and copies is not None else None
        template["replicas"] = {"desired": total, "max": total}
        templates.append(template)
    return templates


#: Kubeflow Trainer v2: the replicated job (and its container) a TrainJob's trainer sizes.
_TRAINER_JOB = "node"


_TRAINER_STEP = "trainer.kubeflow.org/trainjob-ancestor-step"


def train_job(obj: Object, runtime: Object | None = None) -> list[Template]:
    """A Kubeflow Trainer v2 ``TrainJob``: its runtime's JobSet (when the input holds the
    TrainingRuntime/ClusterTrainingRuntime it names) with the trainer job run on ``numNodes``
    nodes (the TrainJob's, else the runtime's ``mlPolicy.numNodes``) and ``resourcesPerNode``
    on the trainer container. Without the runtime: ``numNodes`` pods of ``resourcesPerNode``
    (replicas unknown when ``numNodes`` is not written)."""
    spec = as_map(obj.get("spec"))
    trainer = as_map(spec.get("trainer"))
    runtime_spec = as_map(as_map(runtime).get("spec"))
    nodes = trainer.get("numNodes", as_map(runtime_spec.get("mlPolicy")).get("numNodes"))
    count = as_count(nodes) if nodes is not None else None
    per_node = as_map(trainer.get("resourcesPerNode"))
    jobs = as_list(as_map(as_map(runtime_spec.get("template")).get("spec")).get("replicatedJobs"))
    templates: list[Template] = []
    for replicated in jobs:
        replicated = as_map(replicated)
        job_template = as_map(replicated.get("template"))
        labels = as_map(as_map(job_template.get("metadata")).get("labels"))
        if replicated.get("name") != _TRAINER_JOB and labels.get(_TRAINER_STEP) != "trainer":
            templates += job_set({"spec": {"replicatedJobs": [replicated]}})
            continue
        template = _job_spec(as_map(job_template.get("spec")), "trainer")
        if nodes is not None:
            template["replicas"] = {"desired": count, "max": count}
        if per_node:
            template = _with_resources(template, per_node, trainer.get("image"))
        templates.append(template)
    if not any(t["role"] == "trainer" for t in templates):
        pod = {"containers": [{"name": _TRAINER_JOB, "image": trainer.get("image")}]}
        template = _with_resources(pod_template(pod, "trainer", count, count), per_node, None)
        templates.append(template)
    return templates


def _with_resources(template: Template, resources: Object, image: Any) -> Template:
    """The trainer container (named ``node``, else the first) with ``resources`` and image."""
    containers = [dict(c) for c in template["containers"]]
    regular = [i for i, c in enumerate(containers) if not c["init"]]
    named = [i for i in regular if containers[i]["name"] == _TRAINER_JOB]
    if not regular:
        containers.append(container_of({"name": _TRAINER_JOB}, False))
        named = [len(containers) - 1]
    index = (named or regular)[0]
    replaced = container_of({"name": containers[index]["name"], "resources": resources}, False)
    containers[index] = {
        **containers[index],
        "resources": replaced["resources"],
        "claims": replaced["claims"],
        "image": str(image) if image is not None else containers[index]["image"],
    }
    return {**template, "containers": containers}
