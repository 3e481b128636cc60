"""Kubernetes manifests: kinds, addresses, lines, pod templates, edges and malformed specs."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guardrails.errors import InputError
from guardrails.model import Graph
from guardrails.parsers import parse_paths, parse_text
from tests.conftest import FIXTURES

K8S = FIXTURES / "kubernetes"


def graph_of(name: str) -> Graph:
    return parse_paths([str(K8S / name)])


def by_address(graph: Graph) -> dict[str, Any]:
    return {r.address: r for r in graph.resources}


def roles(resource: Any) -> list[tuple[str, int | None, int | None]]:
    return [
        (t["role"], t["replicas"]["desired"], t["replicas"]["max"])
        for t in resource.workload["pod_templates"]
    ]


@pytest.mark.parametrize(
    ("file", "address", "line", "expected_roles"),
    [
        (
            "ai-crds.yaml",
            "RayCluster/ml-dev/research",
            2,
            [("head", 1, 1), ("gpu-a100", 2, 6), ("cpu", 0, 10)],
        ),
        ("ai-crds.yaml", "RayJob/ml-dev/finetune", 44, [("head", 1, 1), ("gpu", 4, 4)]),
        ("ai-crds.yaml", "RayService/ml-prod/chat", 70, [("head", 1, 1), ("serve", 2, 4)]),
        ("ai-crds.yaml", "PyTorchJob/ml-dev/bert", 95, [("Master", 1, 1), ("Worker", 3, 8)]),
        ("ai-crds.yaml", "TFJob/ml-dev/mnist", 126, [("Chief", 1, 1), ("Worker", 2, 2)]),
        ("ai-crds.yaml", "MPIJob/ml-dev/horovod", 150, [("Launcher", 1, 1), ("Worker", 2, 2)]),
        ("ai-crds.yaml", "XGBoostJob/ml-dev/churn", 173, [("Master", 1, 1), ("Worker", 2, 2)]),
        ("ai-crds.yaml", "InferenceService/ml-prod/sklearn-iris", 195, [("predictor", 1, 3)]),
        ("ai-crds.yaml", "Job/ml-dev/mpi-train", 212, [("master", 1, 1), ("worker", 2, 2)]),
        ("ai-crds.yaml", "JobSet/ml-dev/tpu-pretrain", 239, [("slice", 8, 8)]),
        ("ai-crds.yaml", "Notebook/kubeflow-user/alice-lab", 263, [("notebook", 1, 1)]),
        ("core-workloads.yaml", "Pod/default/debug", 1, [("pod", 1, 1)]),
        ("core-workloads.yaml", "StatefulSet/data/feature-store", 10, [("pod", 3, 3)]),
        ("core-workloads.yaml", "DaemonSet/monitoring/dcgm-exporter", 28, [("pod", None, None)]),
        ("core-workloads.yaml", "Job/ml-dev/preprocess", 47, [("pod", 4, 4)]),
        ("core-workloads.yaml", "CronJob/ml-dev/nightly-eval", 65, [("pod", 1, 1)]),
        ("serving.yaml", "Deployment/ml-prod/llm-server", 22, [("pod", 2, 2)]),
        ("list.json", "ReplicaSet/web/web-7d9f", None, [("pod", None, None)]),
        (
            "multi-node.yaml",
            "LLMInferenceService/ml-prod/deepseek-r1",
            4,
            [("main", 1, 1), ("main-worker", 1, 1)],
        ),
        (
            "multi-node.yaml",
            "LLMInferenceService/ml-prod/llama-pd",
            40,
            [("main", 2, 2), ("main-worker", 2, 2), ("prefill", 1, 1)],
        ),
        (
            "multi-node.yaml",
            "LeaderWorkerSet/ml-prod/vllm-405b",
            65,
            [("leader", 2, 2), ("worker", 2, 2)],
        ),
        (
            "multi-node.yaml",
            "LeaderWorkerSet/ml-dev/llamacpp",
            93,
            [("leader", 1, 1), ("worker", 3, 3)],
        ),
        ("multi-node.yaml", "JobSet/ml-dev/short-sweep", 143, [("trial", 6, 6)]),
    ],
)
def test_workload_pod_templates(
    file: str, address: str, line: int | None, expected_roles: list[Any]
) -> None:
    resource = by_address(graph_of(file))[address]
    assert resource.location.line == line
    assert resource.provider == "kubernetes" and str(resource.action) == "apply"
    assert roles(resource) == expected_roles


def _isvc(head_gpus: int | None, worker: dict[str, Any]) -> dict[str, Any]:
    limits = {"cpu": "8"} | ({"nvidia.com/gpu": str(head_gpus)} if head_gpus else {})
    model = {"modelFormat": {"name": "huggingface"}, "resources": {"limits": limits}}
    return {
        "apiVersion": "serving.kserve.io/v1beta1",
        "kind": "InferenceService",
        "metadata": {"name": "m", "namespace": "ml"},
        "spec": {"predictor": {"model": model, "workerSpec": worker}},
    }


def _worker(tensor: int | None, pipeline: int | None, gpus: int | None) -> dict[str, Any]:
    spec: dict[str, Any] = {}
    if tensor is not None:
        spec["tensorParallelSize"] = tensor
    if pipeline is not None:
        spec["pipelineParallelSize"] = pipeline
    if gpus is not None:
        spec["containers"] = [{"name": "w", "resources": {"requests": {"nvidia.com/gpu": gpus}}}]
    return spec


@pytest.mark.parametrize(
    ("head_gpus", "worker", "expected"),
    [
        # (head GPUs, workers, GPUs per worker) as KServe's computeRayNodeAndGPUs sets them.
        (None, _worker(4, 2, 4), (4, 1, 4)),  # head takes total - workers' share
        (None, _worker(None, None, None), (1, 0, 1)),  # sizes default to 1 x 1
        (None, _worker(3, 2, None), (1, 5, 1)),  # no GPU asked: one-GPU nodes
        (8, _worker(8, 1, 8), (8, 0, 0)),  # the head alone holds tensor x pipeline
        (4, _worker(4, 2, 4), (4, 1, 4)),  # both asked: ceil(8 / 4) nodes
        (2, _worker(4, 2, 4), (2, None, 4)),  # 2 + 4 < 8: KServe rejects it, count unknown
        (4, _worker(3, 2, None), (4, 2, 1)),  # only the head asked: one-GPU workers
        (None, _worker(2, 2, 1), (1, 3, 1)),
    ],
)
def test_kserve_multi_node_predictor(
    head_gpus: int | None, worker: dict[str, Any], expected: tuple[int, int | None, int]
) -> None:
    resource = parse_text("isvc.yaml", yaml.safe_dump(_isvc(head_gpus, worker))).resources[0]
    head, workers = resource.workload["pod_templates"]
    gpus = [
        int(r["limits"].get("nvidia.com/gpu") or r["requests"]["nvidia.com/gpu"])
        for r in (t["containers"][0]["resources"] for t in (head, workers))
    ]
    assert (head["role"], workers["role"]) == ("predictor", "predictor-worker")
    assert head["replicas"] == {"desired": 1, "max": 1}
    assert workers["replicas"] == {"desired": expected[1], "max": expected[1]}
    assert gpus == [expected[0], expected[2]]


def test_kserve_multi_node_sizes_come_from_the_named_runtime() -> None:
    """Namespace ServingRuntime first, then the ClusterServingRuntime of that name."""

    def runtime(kind: str, namespace: str | None, tensor: int, pipeline: int) -> dict[str, Any]:
        worker = {"name": "worker-container", "resources": {"limits": {"nvidia.com/gpu": 2}}}
        meta = {"name": "rt", **({"namespace": namespace} if namespace else {})}
        spec = {
            "containers": [{"name": "kserve-container"}],
            "workerSpec": {
                "tensorParallelSize": tensor,
                "pipelineParallelSize": pipeline,
                "containers": [worker],
            },
        }
        return {
            "apiVersion": "serving.kserve.io/v1alpha1",
            "kind": kind,
            "metadata": meta,
            "spec": spec,
        }

    isvc = _isvc(None, {})
    isvc["spec"]["predictor"]["model"]["runtime"] = "rt"
    cluster = runtime("ClusterServingRuntime", None, 2, 2)
    elsewhere = runtime("ServingRuntime", "other", 1, 1)

    def workers(*docs: dict[str, Any]) -> list[Any]:
        graph = parse_text("rt.yaml", yaml.safe_dump_all([*docs, isvc]))
        service = next(r for r in graph.resources if r.type == "InferenceService")
        return [
            (t["replicas"]["desired"], t["containers"][0]["resources"]["limits"]["nvidia.com/gpu"])
            for t in service.workload["pod_templates"]
        ]

    # Ray: tensor 2 x pipeline 2 = 4 GPUs; the runtime's worker asks 2: head 2 + 1 worker x 2.
    assert workers(cluster, elsewhere) == [(1, "2"), (1, "2")]
    assert workers(cluster, runtime("ServingRuntime", "ml", 1, 1)) == [(1, "1"), (0, "0")]
    assert workers() == [(1, "1"), (0, "1")]  # no runtime in the input: 1 x 1


def test_kserve_multi_node_predictor_with_templated_sizes_is_not_counted() -> None:
    worker = {"tensorParallelSize": "${TP}", "pipelineParallelSize": 2}
    resource = parse_text("isvc.yaml", yaml.safe_dump(_isvc(1, worker))).resources[0]
    assert resource.workload["pod_templates"][1]["replicas"] == {"desired": None, "max": None}


def test_pod_template_details() -> None:
    resources = by_address(Graph.merge([graph_of("ai-crds.yaml"), graph_of("core-workloads.yaml")]))
    worker = resources["RayCluster/ml-dev/research"].workload["pod_templates"][1]
    assert worker["node_selector"]["karpenter.sh/capacity-type"] == "spot"
    assert worker["containers"][0]["resources"]["limits"] == {
        "nvidia.com/gpu": "1",
        "cpu": "8",
        "memory": "64Gi",
    }
    predictor = resources["InferenceService/ml-prod/sklearn-iris"].workload["pod_templates"][0]
    assert predictor["containers"][0]["name"] == "kserve-container"
    assert predictor["node_selector"] == {"cloud.google.com/gke-accelerator": "nvidia-l4"}
    job = resources["Job/ml-dev/preprocess"].workload["pod_templates"][0]
    assert [(c["name"], c["init"]) for c in job["containers"]] == [("run", False), ("fetch", True)]
    assert job["backoff_limit"] == 3 and job["restart_policy"] == "Never"
    assert resources["PyTorchJob/ml-dev/bert"].workload["pod_templates"][0]["backoff_limit"] == 5
    assert resources["Job/ml-dev/mpi-train"].workload["pod_templates"][0]["backoff_limit"] == 3
    ray = resources["RayCluster/ml-dev/research"].workload["pod_templates"]
    assert [t["head"] for t in ray] == [True, False, False]
    daemon = resources["DaemonSet/monitoring/dcgm-exporter"].workload["pod_templates"][0]
    assert daemon["host_pid"] is True
    assert daemon["containers"][0]["security_context"] == {"privileged": True}
    assert resources["NodePool/gpu-spot"].workload is None


def test_edges_select_scale_and_mount() -> None:
    graph = graph_of("serving.yaml")
    edges = {(e.source.split("#")[1], str(e.kind), e.target.split("#")[1]) for e in graph.edges}
    assert edges == {
        ("Service/ml-prod/llm-server", "selects", "Deployment/ml-prod/llm-server"),
        ("HorizontalPodAutoscaler/ml-prod/llm-server", "scales", "Deployment/ml-prod/llm-server"),
        ("Deployment/ml-prod/llm-server", "mounts", "PersistentVolumeClaim/ml-prod/model-cache"),
        ("Deployment/ml-prod/llm-server", "mounts", "ConfigMap/ml-prod/model-config"),
    }


def test_list_kind_and_empty_documents() -> None:
    assert len(graph_of("list.json").resources) == 2
    assert len(graph_of("serving.yaml").resources) == 5  # the empty document is skipped


def test_labels_are_strings_and_namespaces_default() -> None:
    text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels: {gpu: 1, spot: true}\nspec: {}\n"
    resource = parse_text("p.yaml", text).resources[0]
    assert resource.labels == {"gpu": "1", "spot": "true"}
    assert resource.namespace == "default" and resource.address == "Pod/default/p"


@pytest.mark.parametrize(
    ("api_version", "kind", "address"),
    [
        ("kueue.x-k8s.io/v1beta1", "ClusterQueue", "ClusterQueue/q"),
        ("kueue.x-k8s.io/v1beta1", "ResourceFlavor", "ResourceFlavor/q"),
        ("kueue.x-k8s.io/v1beta1", "LocalQueue", "LocalQueue/team/q"),
        ("v1", "Namespace", "Namespace/q"),
        ("rbac.authorization.k8s.io/v1", "ClusterRole", "ClusterRole/q"),
        ("rbac.authorization.k8s.io/v1", "Role", "Role/team/q"),
        ("karpenter.sh/v1", "NodePool", "NodePool/q"),
        ("scheduling.k8s.io/v1", "PriorityClass", "PriorityClass/q"),
        ("scheduling.volcano.sh/v1beta1", "Queue", "Queue/q"),
        ("kubeflow.org/v1", "Profile", "Profile/q"),
        ("example.com/v1", "Profile", "Profile/team/q"),  # the name alone says nothing
        ("constraints.gatekeeper.sh/v1beta1", "K8sRequiredLabels", "K8sRequiredLabels/q"),
    ],
)
def test_cluster_scoped_kinds_have_no_namespace(api_version: str, kind: str, address: str) -> None:
    doc = {"apiVersion": api_version, "kind": kind, "metadata": {"name": "q", "namespace": "team"}}
    resource = parse_text("q.yaml", yaml.safe_dump(doc)).resources[0]
    assert resource.address == address
    assert resource.namespace == (None if address.count("/") == 1 else "team")


def test_a_crd_in_the_input_gives_its_kind_a_scope() -> None:
    def crd(kind: str, scope: str) -> dict[str, Any]:
        names = {"kind": kind, "plural": kind.lower() + "s"}
        spec = {"group": "ml.example.com", "names": names, "scope": scope}
        return {
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": {"name": f"{kind.lower()}s.ml.example.com"},
            "spec": spec,
        }

    def obj(kind: str) -> dict[str, Any]:
        return {"apiVersion": "ml.example.com/v1", "kind": kind, "metadata": {"name": "a"}}

    # Declared Namespaced, a kind our table calls cluster-scoped follows the CRD.
    docs = [crd("GpuBudget", "Cluster"), crd("Queue", "Namespaced"), obj("GpuBudget"), obj("Queue")]
    graph = parse_text("crds.yaml", yaml.safe_dump_all(docs))
    assert [r.address for r in graph.resources][2:] == ["GpuBudget/a", "Queue/default/a"]


def test_generate_name_and_duplicates_stay_distinct() -> None:
    doc = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"generateName": "train-"}}
    text = yaml.safe_dump(doc) + "---\n" + yaml.safe_dump(doc)
    graph = parse_text("jobs.yaml", text)
    assert [r.address for r in graph.resources] == ["Job/default/train-<generated>"] * 2
    assert len({r.id for r in graph.resources}) == 2


@pytest.mark.parametrize(
    "spec",
    [
        [{"containers": [{"name": "a"}]}],
        {"containers": "oops"},
        {"containers": [{"name": "a", "resources": {"limits": ["x"]}}]},
        {"replicas": "{{ .Values.n }}", "template": "nope"},
        {"template": {"spec": {"containers": [None, 3, {"image": 5}]}}},
    ],
)
def test_malformed_specs_are_tolerated(spec: Any) -> None:
    for kind in ("Pod", "Deployment", "RayCluster", "PyTorchJob", "InferenceService"):
        text = json.dumps(
            {"apiVersion": "v1", "kind": kind, "metadata": {"name": "x"}, "spec": spec}
        )
        graph = parse_text("x.json", text)
        assert graph.resources[0].type == kind


_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    kind=st.sampled_from(
        [
            "Pod",
            "Deployment",
            "Job",
            "CronJob",
            "RayCluster",
            "RayJob",
            "PyTorchJob",
            "InferenceService",
            "JobSet",
            "Notebook",
            "Service",
            "HorizontalPodAutoscaler",
        ]
    ),
    spec=_values,
    metadata=_values,
)
def test_random_specs_never_raise(kind: str, spec: Any, metadata: Any) -> None:
    text = json.dumps({"apiVersion": "v1", "kind": kind, "metadata": metadata, "spec": spec})
    try:
        graph = parse_text("random.json", text)
    except InputError:
        return
    json.dumps(graph.to_input())
