"""Pod templates of Kubernetes workloads and AI CRDs, in the one shape policies read."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from guardrails.parsers.ids import string_map

Object = Mapping[str, Any]
Template = dict[str, Any]


def as_map(value: Any) -> dict[str, Any]:
    """``value`` as a dict (a parsed mapping as it is, another Mapping copied), else ``{}``.

    Parsed values are never changed in place, so callers may keep what this returns."""
    if type(value) is dict:
        return value
    return dict(value) if isinstance(value, Mapping) else {}


def as_list(value: Any) -> list[Any]:
    return value if type(value) is list else list(value) if isinstance(value, list) else []


def as_count(value: Any) -> int | None:
    """A replica count; templated strings, negatives and booleans are not counts."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    return _decimal(value)


def _decimal(value: Any) -> int | None:
    """An ASCII decimal string as an int (``"²"`` passes ``isdigit`` but is no number)."""
    if isinstance(value, str):
        text = value.strip()
        if text.isascii() and text.isdigit() and len(text) <= 18:
            return int(text)
    return None


def _container(raw: Any, init: bool) -> dict[str, Any] | None:
    return _container_of(raw, init) if isinstance(raw, Mapping) else None


def _container_of(raw: Mapping[str, Any], init: bool) -> dict[str, Any]:
    resources = as_map(raw.get("resources"))
    image = raw.get("image")
    return {
        "name": str(raw.get("name") or ""),
        "image": str(image) if image is not None else None,
        "init": init,
        "resources": {
            "requests": string_map(as_map(resources.get("requests"))),
            "limits": string_map(as_map(resources.get("limits"))),
        },
        # Dynamic Resource Allocation: the pod's resourceClaims this container uses.
        "claims": [
            str(c.get("name"))
            for c in as_list(resources.get("claims"))
            if isinstance(c, Mapping) and c.get("name")
        ],
        "security_context": as_map(raw.get("securityContext")),
        "ports": [p for p in as_list(raw.get("ports")) if isinstance(p, Mapping)],
    }


def pod_template(
    spec: Any,
    role: str,
    desired: int | None,
    maximum: int | None,
    metadata: Any = None,
    backoff_limit: int | None = None,
    head: bool = False,
) -> Template:
    """Normalize one pod spec (and its template metadata) into the graph's pod-template shape.

    ``head``: the pod coordinates the workload (a Ray head) and is not one of its worker replicas.
    """
    pod = as_map(spec)
    meta = as_map(metadata)
    containers = []
    for key, init in (("containers", False), ("initContainers", True)):
        for raw in as_list(pod.get(key)):
            container = _container(raw, init)
            if container is not None:
                containers.append(container)
    grace = pod.get("terminationGracePeriodSeconds")
    return {
        "role": role,
        "head": head,
        "replicas": {"desired": desired, "max": maximum},
        "containers": containers,
        "node_selector": string_map(as_map(pod.get("nodeSelector"))),
        "affinity": as_map(pod.get("affinity")),
        "tolerations": [t for t in as_list(pod.get("tolerations")) if isinstance(t, Mapping)],
        "volumes": [v for v in as_list(pod.get("volumes")) if isinstance(v, Mapping)],
        "security_context": as_map(pod.get("securityContext")),
        "host_network": pod.get("hostNetwork") is True,
        "host_pid": pod.get("hostPID") is True,
        "host_ipc": pod.get("hostIPC") is True,
        "termination_grace_period_seconds": as_count(grace),
        "annotations": string_map(as_map(meta.get("annotations"))),
        "labels": string_map(as_map(meta.get("labels"))),
        "restart_policy": str(pod["restartPolicy"]) if pod.get("restartPolicy") else None,
        "service_account": (
            str(pod.get("serviceAccountName") or pod.get("serviceAccount"))
            if pod.get("serviceAccountName") or pod.get("serviceAccount")
            else None
        ),
        "backoff_limit": backoff_limit,
        "group_member": False,
        "resource_claims": _resource_claims(pod.get("resourceClaims")),
    }


def _resource_claims(value: Any) -> list[dict[str, str | None]]:
    """A pod's DRA ``resourceClaims``: ``{name, claim, template}`` (the ResourceClaim it shares
    with other pods, or the ResourceClaimTemplate each pod gets its own claim from). Before
    Kubernetes 1.31 the names sat under ``source``."""
    claims: list[dict[str, str | None]] = []
    for raw in as_list(value):
        if not isinstance(raw, Mapping):
            continue
        source = as_map(raw.get("source")) or raw
        claim = source.get("resourceClaimName")
        template = source.get("resourceClaimTemplateName")
        claims.append(
            {
                "name": str(raw.get("name") or ""),
                "claim": str(claim) if claim else None,
                "template": str(template) if template else None,
            }
        )
    return claims


def _group_members(template: Template) -> Template:
    """Pods that join another template's pod to form one replica (a multi-node model copy)."""
    return {**template, "group_member": True}


def _from_template(
    template: Any,
    role: str,
    desired: int | None,
    maximum: int | None,
    backoff: int | None = None,
    head: bool = False,
) -> Template:
    t = as_map(template)
    return pod_template(t.get("spec"), role, desired, maximum, t.get("metadata"), backoff, head)


def _replicated(spec: Object, default: int = 1) -> tuple[int | None, int | None]:
    replicas = spec.get("replicas", default)
    count = as_count(replicas)
    return count, count


def _pod(obj: Object) -> list[Template]:
    return [pod_template(obj.get("spec"), "pod", 1, 1, obj.get("metadata"))]


def _replica_set(obj: Object) -> list[Template]:
    spec = as_map(obj.get("spec"))
    desired, maximum = _replicated(spec)
    return [_from_template(spec.get("template"), "pod", desired, maximum)]


def _daemon_set(obj: Object) -> list[Template]:
    spec = as_map(obj.get("spec"))
    return [_from_template(spec.get("template"), "pod", None, None)]  # one per matching node


def _job_spec(spec: Object, role: str = "pod") -> Template:
    # A Job runs min(parallelism, completions) pods at once (both default to 1 when unset).
    parallelism = as_count(spec.get("parallelism", 1))
    completions = as_count(spec["completions"]) if spec.get("completions") is not None else None
    if parallelism is not None and completions is not None:
        parallelism = min(parallelism, completions)
    return _from_template(
        spec.get("template"), role, parallelism, parallelism, as_count(spec.get("backoffLimit"))
    )


def _job(obj: Object) -> list[Template]:
    spec = as_map(obj.get("spec"))
    if str(obj.get("apiVersion", "")).startswith("batch.volcano.sh/"):
        return _volcano(spec)
    return [_job_spec(spec)]


def _cron_job(obj: Object) -> list[Template]:
    job = as_map(as_map(as_map(obj.get("spec")).get("jobTemplate")).get("spec"))
    return [_job_spec(job)]


def _volcano(spec: Object) -> list[Template]:
    retries = as_count(spec.get("maxRetry"))
    templates = []
    for task in as_list(spec.get("tasks")):
        task = as_map(task)
        count = as_count(task.get("replicas", 1))
        templates.append(
            _from_template(
                task.get("template"), str(task.get("name") or "task"), count, count, retries
            )
        )
    return templates


def _ray_cluster(cluster: Any, backoff: int | None = None) -> list[Template]:
    spec = as_map(cluster)
    # With the autoscaler on, a group without maxReplicas may grow without bound (KubeRay's
    # default is 2147483647); without it, a group runs its replicas.
    autoscaling = spec.get("enableInTreeAutoscaling") is True
    head = as_map(spec.get("headGroupSpec"))
    templates = [_from_template(head.get("template"), "head", 1, 1, backoff, head=True)]
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
            _from_template(
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
                _from_template(replica.get("template"), str(role), count, maximum, backoff)
            )
    return templates


_KSERVE_COMPONENTS = ("predictor", "transformer", "explainer")
_KSERVE_POD_FIELDS = (
    "nodeSelector",
    "affinity",
    "tolerations",
    "volumes",
    "securityContext",
    "serviceAccountName",
    "hostNetwork",
    "hostPID",
    "hostIPC",
    "terminationGracePeriodSeconds",
    "initContainers",
)


def _kserve_component(component: Object, role: str) -> Template:
    pod: dict[str, Any] = {k: component[k] for k in _KSERVE_POD_FIELDS if k in component}
    containers = as_list(component.get("containers"))
    if not containers:
        # A model spec (`model:` or a framework key such as `tensorflow:`) runs one container.
        for value in component.values():
            if isinstance(value, Mapping) and (
                "storageUri" in value
                or "resources" in value
                or "runtime" in value
                or "modelFormat" in value
            ):
                model = dict(value)
                containers = [
                    {
                        "name": "kserve-container",
                        "image": model.get("image"),
                        "resources": model.get("resources"),
                        "securityContext": model.get("securityContext"),
                        "ports": model.get("ports"),
                    }
                ]
                break
    pod["containers"] = containers
    minimum = as_count(component.get("minReplicas", 1))
    maximum = as_count(component.get("maxReplicas")) if "maxReplicas" in component else None
    return pod_template(pod, role, minimum, maximum, component.get("metadata"))


def _count_or_default(spec: Object, key: str, default: int = 1) -> int | None:
    """A count field that defaults when absent; a present non-count (a template) is unknown."""
    return as_count(spec[key]) if spec.get(key) is not None else default


def _group_size(parallelism: Any) -> int | None:
    """Pods per replica of a multi-node LLMInferenceService (its LeaderWorkerSet group size).

    KServe sizes the group data/dataLocal when data parallel, else by the pipeline size, else 1.
    """
    spec = as_map(parallelism)
    data = _count_or_default(spec, "data", 0)
    local = _count_or_default(spec, "dataLocal", 0)
    pipeline = _count_or_default(spec, "pipeline", 0)
    if data is None or local is None or pipeline is None:
        return None
    if data > 0 or local > 0:
        return max(max(data, 1) // max(local, 1), 1)
    return pipeline if pipeline > 0 else 1


def _pod_spec_template(template: Any, role: str, count: int | None) -> Template:
    """LLMInferenceService templates are pod specs; older samples wrap them in ``spec``."""
    t = as_map(template)
    if "containers" in t or "spec" not in t:
        return pod_template(t, role, count, count)
    return _from_template(t, role, count, count)


def _llm_component(spec: Object, role: str) -> list[Template]:
    """One LLMInferenceService workload (main or prefill): a Deployment, or with ``worker`` a
    LeaderWorkerSet of ``replicas`` groups, each one leader (``template``, else ``worker``) and
    group size - 1 workers."""
    replicas = _count_or_default(spec, "replicas")
    template, worker = spec.get("template"), spec.get("worker")
    if not isinstance(worker, Mapping):
        return [_pod_spec_template(template, role, replicas)] if template is not None else []
    size = _group_size(spec.get("parallelism"))
    workers = replicas * (size - 1) if replicas is not None and size is not None else None
    leader = template if isinstance(template, Mapping) else worker
    return [
        _pod_spec_template(leader, role, replicas),
        _group_members(_pod_spec_template(worker, f"{role}-worker", workers)),
    ]


def _llm_inference_service(obj: Object) -> list[Template]:
    spec = as_map(obj.get("spec"))
    templates = _llm_component(spec, "main")
    if isinstance(spec.get("prefill"), Mapping):
        templates += _llm_component(as_map(spec["prefill"]), "prefill")
    return templates


def _gpu_request(containers: list[Any]) -> tuple[str | None, int]:
    """The GPU resource the first of a pod's ``containers`` asks for and how many (KServe reads
    ``Containers[0]``, requests first, for its multi-node arithmetic)."""
    first = next((c for c in containers if isinstance(c, Mapping) and not c.get("init")), None)
    resources = as_map(first.get("resources")) if first is not None else {}
    for kind in ("requests", "limits"):
        for name, value in as_map(resources.get(kind)).items():
            if name in _GPU_RESOURCES or str(name).startswith("nvidia.com/mig-"):
                return str(name), as_count(value) or 0
    return None, 0


#: The GPU resources KServe's multi-node predictor accepts without an annotation.
_GPU_RESOURCES = ("nvidia.com/gpu", "amd.com/gpu", "intel.com/gpu", "habana.ai/gaudi")


def _ray_nodes(total: int, head: int, worker: int) -> tuple[int, int, int] | None:
    """(nodes, GPUs of the head pod, GPUs of each worker pod) as KServe's multi-node predictor
    computes them for its default Ray backend (``computeRayNodeAndGPUs``): ``total`` =
    tensor x pipeline parallel size, ``head``/``worker`` the GPUs the pod specs ask for.
    None when KServe rejects the sizes (the pods cannot hold ``total`` GPUs)."""

    def nodes_for(gpus: int, per_node: int) -> int:
        return 1 if per_node == 0 else -(-gpus // per_node)

    if worker > 0:
        nodes = nodes_for(total, worker)
        if head > 0:
            if nodes_for(total, head) == 1:
                nodes = 1
        else:
            head = total - worker * (nodes - 1)
        if nodes == 1:
            return 1, total, 0
        return (nodes, head, worker) if head + worker * (nodes - 1) >= total else None
    if head > 0:
        remaining = total - head
        return (remaining + 1 if remaining > 0 else 1), head, 1
    return total, 1, 1


def _with_gpus(template: Template, name: str, count: int) -> Template:
    """The template with its first container's GPU request and limit set to ``count`` (KServe
    overwrites them on the Deployments it makes)."""
    containers = [dict(c) for c in template["containers"]]
    first = next((i for i, c in enumerate(containers) if not c["init"]), None)
    if first is None:  # the ServingRuntime supplies the container; the GPU count is KServe's
        containers.insert(0, _container_of({"name": "worker-container"}, False))
        first = 0
    resources = containers[first]["resources"]
    containers[first]["resources"] = {
        kind: {**{k: v for k, v in resources[kind].items() if k != name}, name: str(count)}
        for kind in ("requests", "limits")
    }
    return {**template, "containers": containers}


def _multi_node_predictor(predictor: Object, runtime: Object | None) -> list[Template]:
    """A v1beta1 predictor with ``workerSpec``: KServe's head Deployment plus a worker
    Deployment of nodes - 1 pods, sized from tensorParallelSize x pipelineParallelSize.

    Sizes and GPU requests the InferenceService leaves out come from its ServingRuntime when
    the input holds it (else the documented defaults, 1 and 1), and so does the executor
    backend (``multinode/executor-backend: mp``: pipeline-size pods of tensor-size GPUs; Ray
    otherwise). Multi-node predictors do not autoscale: the head runs minReplicas.
    """
    worker_spec = as_map(predictor.get("workerSpec"))
    runtime_spec = as_map(as_map(runtime).get("spec"))
    runtime_worker = as_map(runtime_spec.get("workerSpec"))
    head = _kserve_component(predictor, "predictor")
    worker_containers = as_list(worker_spec.get("containers"))[:1]
    worker_pod = {**worker_spec, "containers": worker_containers}
    worker = pod_template(worker_pod, "predictor-worker", None, None, worker_spec.get("metadata"))
    heads = head["replicas"]["desired"]
    head["replicas"] = {"desired": heads, "max": heads}
    # The InferenceService's size, else the runtime's, else 1; a templated one is unknown (0).
    tensor, pipeline = (
        _count_or_default(worker_spec, key, _count_or_default(runtime_worker, key) or 0)
        for key in ("tensorParallelSize", "pipelineParallelSize")
    )
    worker = _group_members(worker)
    if tensor is None or pipeline is None or tensor < 1 or pipeline < 1:
        return [head, worker]  # a templated size: the worker count stays unknown
    head_name, head_gpus = _gpu_request(head["containers"])
    if head_name is None:
        head_name, head_gpus = _gpu_request(as_list(runtime_spec.get("containers")))
    worker_name, worker_gpus = _gpu_request(worker["containers"])
    if worker_name is None:
        worker_name, worker_gpus = _gpu_request(as_list(runtime_worker.get("containers")))
    name = head_name or worker_name or "nvidia.com/gpu"
    backend = as_map(runtime_spec.get("annotations")).get("multinode/executor-backend")
    if backend == "mp":
        sized: tuple[int, int, int] | None = (pipeline, tensor, tensor)
    else:
        sized = _ray_nodes(tensor * pipeline, head_gpus, worker_gpus)
    if sized is None:
        return [head, worker]
    nodes, head_gpus, worker_gpus = sized
    workers = nodes - 1
    worker = _with_gpus(worker, name, worker_gpus)
    worker["replicas"] = {"desired": workers, "max": workers}
    return [_with_gpus(head, name, head_gpus), _group_members(worker)]


def _inference_service(obj: Object, runtime: Object | None = None) -> list[Template]:
    spec = as_map(obj.get("spec"))
    if "template" in spec:
        return _llm_component(spec, "main")
    templates = []
    for name in _KSERVE_COMPONENTS:
        component = spec.get(name)
        if not isinstance(component, Mapping):
            continue
        if name == "predictor" and isinstance(component.get("workerSpec"), Mapping):
            templates += _multi_node_predictor(component, runtime)
        else:
            templates.append(_kserve_component(as_map(component), name))
    return templates


def _leader_worker_set(obj: Object) -> list[Template]:
    """``replicas`` groups of ``size`` pods: one leader (leaderTemplate, else workerTemplate)."""
    spec = as_map(obj.get("spec"))
    replicas = _count_or_default(spec, "replicas")
    group = as_map(spec.get("leaderWorkerTemplate"))
    size = _count_or_default(group, "size")
    worker = group.get("workerTemplate")
    leader = (
        group.get("leaderTemplate") if isinstance(group.get("leaderTemplate"), Mapping) else worker
    )
    workers = replicas * max(size - 1, 0) if replicas is not None and size is not None else None
    return [
        _from_template(leader, "leader", replicas, replicas),
        _group_members(_from_template(worker, "worker", workers, workers)),
    ]


def _job_set(obj: Object) -> list[Template]:
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
            templates += _job_set({"spec": {"replicatedJobs": [replicated]}})
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
        containers.append(_container_of({"name": _TRAINER_JOB}, False))
        named = [len(containers) - 1]
    index = (named or regular)[0]
    replaced = _container_of({"name": containers[index]["name"], "resources": resources}, False)
    containers[index] = {
        **containers[index],
        "resources": replaced["resources"],
        "claims": replaced["claims"],
        "image": str(image) if image is not None else containers[index]["image"],
    }
    return {**template, "containers": containers}


def _notebook(obj: Object) -> list[Template]:
    spec = as_map(obj.get("spec"))
    return [_from_template(spec.get("template"), "notebook", 1, 1)]


POD_TEMPLATES: dict[str, Callable[[Object], list[Template]]] = {
    "Pod": _pod,
    "Deployment": _replica_set,
    "StatefulSet": _replica_set,
    "ReplicaSet": _replica_set,
    "ReplicationController": _replica_set,
    "DaemonSet": _daemon_set,
    "Job": _job,
    "CronJob": _cron_job,
    "RayCluster": _ray,
    "RayJob": _ray,
    "RayService": _ray,
    "PyTorchJob": _kubeflow,
    "TFJob": _kubeflow,
    "MPIJob": _kubeflow,
    "XGBoostJob": _kubeflow,
    "PaddleJob": _kubeflow,
    "JAXJob": _kubeflow,
    "InferenceService": _inference_service,
    "LLMInferenceService": _llm_inference_service,
    "LeaderWorkerSet": _leader_worker_set,
    "JobSet": _job_set,
    "Notebook": _notebook,
    "TrainJob": train_job,
}


def pod_templates(obj: Object, runtime: Object | None = None) -> list[Template] | None:
    """The pod templates of a workload object, or None when the kind runs no pods.

    ``runtime``: the KServe ServingRuntime an InferenceService names, when the input holds it.
    """
    kind = str(obj.get("kind", ""))
    if kind == "InferenceService":
        return _inference_service(obj, runtime)
    handler = POD_TEMPLATES.get(kind)
    if handler is not None:
        return handler(obj)
    template = as_map(as_map(obj.get("spec")).get("template"))
    if isinstance(as_map(template.get("spec")).get("containers"), list):
        return [_from_template(template, "pod", None, None)]  # an unknown CRD wrapping a pod
    return None
