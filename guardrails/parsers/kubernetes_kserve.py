"""Pod templates of KServe InferenceServices and LLMInferenceServices, multi-node included."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from guardrails.parsers.kubernetes_podspec import (
    Object,
    Template,
    container_of,
    from_template,
    group_members,
    pod_template,
)
from guardrails.parsers.kubernetes_values import as_count, as_list, as_map, count_or_default

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


def _group_size(parallelism: Any) -> int | None:
    """Pods per replica of a multi-node LLMInferenceService (its LeaderWorkerSet group size).

    KServe sizes the group data/dataLocal when data parallel, else by the pipeline size, else 1.
    """
    spec = as_map(parallelism)
    data = count_or_default(spec, "data", 0)
    local = count_or_default(spec, "dataLocal", 0)
    pipeline = count_or_default(spec, "pipeline", 0)
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
    return from_template(t, role, count, count)


def llm_component(spec: Object, role: str) -> list[Template]:
    """One LLMInferenceService workload (main or prefill): a Deployment, or with ``worker`` a
    LeaderWorkerSet of ``replicas`` groups, each one leader (``template``, else ``worker``) and
    group size - 1 workers."""
    replicas = count_or_default(spec, "replicas")
    template, worker = spec.get("template"), spec.get("worker")
    if not isinstance(worker, Mapping):
        return [_pod_spec_template(template, role, replicas)] if template is not None else []
    size = _group_size(spec.get("parallelism"))
    workers = replicas * (size - 1) if replicas is not None and size is not None else None
    leader = template if isinstance(template, Mapping) else worker
    return [
        _pod_spec_template(leader, role, replicas),
        group_members(_pod_spec_template(worker, f"{role}-worker", workers)),
    ]


def llm_inference_service(obj: Object) -> list[Template]:
    """An LLMInferenceService: its main workload and, when set, its prefill workload."""
    spec = as_map(obj.get("spec"))
    templates = llm_component(spec, "main")
    if isinstance(spec.get("prefill"), Mapping):
        templates += llm_component(as_map(spec["prefill"]), "prefill")
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
        containers.insert(0, container_of({"name": "worker-container"}, False))
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
        count_or_default(worker_spec, key, count_or_default(runtime_worker, key) or 0)
        for key in ("tensorParallelSize", "pipelineParallelSize")
    )
    worker = group_members(worker)
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
    return [_with_gpus(head, name, head_gpus), group_members(worker)]


def inference_service(obj: Object, runtime: Object | None = None) -> list[Template]:
    """An InferenceService: predictor (multi-node with ``workerSpec``), transformer, explainer."""
    spec = as_map(obj.get("spec"))
    if "template" in spec:
        return llm_component(spec, "main")
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
