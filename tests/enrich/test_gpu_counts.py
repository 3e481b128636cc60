"""GPUs really scheduled by every AI workload fixture: pods per template x GPUs per pod.

Every GPU workload in the Kubernetes fixtures is listed here, so a new fixture without an
asserted GPU count fails the completeness test.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from guardrails.api import ScanOptions, build_input
from guardrails.errors import GuardrailsError
from tests.conftest import CORPUS, FIXTURES

K8S = FIXTURES / "kubernetes"

#: (file, address) -> (GPUs per pod (largest template), GPUs at desired scale, worker replicas)
EXPECTED: dict[tuple[str, str], tuple[float, float | None, int | None]] = {
    ("multi-node.yaml", "LLMInferenceService/ml-prod/deepseek-r1"): (8, 16, 2),
    ("multi-node.yaml", "LLMInferenceService/ml-prod/llama-pd"): (4, 18, 5),
    ("multi-node.yaml", "LeaderWorkerSet/ml-prod/vllm-405b"): (8, 32, 4),
    ("multi-node.yaml", "LeaderWorkerSet/ml-dev/llamacpp"): (1, 4, 4),
    ("multi-node.yaml", "RayService/ml-prod/deepseek-r1"): (8, 16, 2),
    ("multi-node.yaml", "JobSet/ml-dev/short-sweep"): (1, 6, 6),
    ("multi-node.yaml", "InferenceService/ml-prod/llama-70b"): (4, 8, 2),
    ("multi-node.yaml", "InferenceService/ml-dev/qwen-pp"): (1, 6, 6),
    ("multi-node.yaml", "InferenceService/ml-prod/deepseek-v3"): (8, 16, 2),
    ("ai-crds.yaml", "RayCluster/ml-dev/research"): (1, 2, 2),
    ("ai-crds.yaml", "RayJob/ml-dev/finetune"): (2, 8, 4),
    ("ai-crds.yaml", "RayService/ml-prod/chat"): (1, 2, 2),
    ("ai-crds.yaml", "PyTorchJob/ml-dev/bert"): (1, 4, 4),
    ("ai-crds.yaml", "TFJob/ml-dev/mnist"): (1, 2, 3),
    ("ai-crds.yaml", "InferenceService/ml-prod/sklearn-iris"): (1, 1, 1),
    ("ai-crds.yaml", "Job/ml-dev/mpi-train"): (4, 8, 3),
    ("ai-crds.yaml", "JobSet/ml-dev/tpu-pretrain"): (4, 32, 8),
    ("ai-crds.yaml", "Notebook/kubeflow-user/alice-lab"): (1, 1, 1),
    ("ai-crds.yaml", "NodePool/gpu-spot"): (1, 0, 0),
}


#: AI workloads in the policy and user-policy fixtures: (path under fixtures/, address) ->
#: (GPUs at desired scale, worker replicas).
POLICY_FIXTURES: dict[tuple[str, str], tuple[float, int]] = {
    (
        "policies/GR-COST-009/deny_volcano_queue_without_capability_gpu_job.yaml",
        "Job/research/sweep",
    ): (2, 2),
    (
        "policies/GR-COST-006/allow_gpu_notebook_with_culling_controller.yaml",
        "Notebook/alice/alice-gpu",
    ): (1, 1),
    (
        "policies/GR-COST-006/allow_pytorchjob_with_ttl.yaml",
        "PyTorchJob/research/pretrain",
    ): (16, 2),
    (
        "policies/GR-COST-006/deny_gpu_notebook_culling_off.yaml",
        "Notebook/alice/alice-gpu",
    ): (1, 1),
    (
        "policies/GR-COST-006/deny_pytorchjob_without_run_policy.yaml",
        "PyTorchJob/research/pretrain",
    ): (16, 2),
    (
        "policies/GR-COST-006/deny_raycluster_gpu_without_autoscaler.yaml",
        "RayCluster/research/adhoc",
    ): (2, 2),
    (
        "policies/GR-COST-008/deny_kserve_min_equals_max.yaml",
        "InferenceService/speech/whisper",
    ): (2, 2),
    (
        "policies/GR-COST-008/allow_multi_node_predictor_one_replica.yaml",
        "InferenceService/serving/llama-70b",
    ): (8, 2),
    (
        "policies/GR-COST-008/deny_llm_inference_two_fixed_multi_node_replicas.yaml",
        "LLMInferenceService/serving/llama-pp",
    ): (16, 4),
    (
        "policies/GR-COST-009/deny_ray_worker_group_autoscaling_without_max.yaml",
        "RayCluster/research/tuning",
    ): (1, 1),
    (
        "policies/GR-SEC-007/allow_kserve_model_image_from_runtime.yaml",
        "InferenceService/ml-prod/sklearn-iris",
    ): (1, 1),
    (
        "policies/GR-COST-007/deny_research_pool_across_formats/finetune.yaml",
        "PyTorchJob/research/llama-finetune",
    ): (16, 2),
    (
        "policies/GR-COST-007/deny_research_pool_partly_assumed.yaml",
        "PyTorchJob/research/pretrain",
    ): (48, 6),
    (
        "policies/GR-SPOT-003/allow_spot_job_with_retries_and_checkpoints.yaml",
        "PyTorchJob/ml-dev/sweep",
    ): (4, 4),
    (
        "policies/GR-SPOT-003/deny_spot_job_without_retries_or_checkpoints.yaml",
        "PyTorchJob/ml-dev/sweep",
    ): (4, 4),
    (
        "policies/GR-TAG-004/allow_inference_with_team_and_model.yaml",
        "InferenceService/speech/whisper",
    ): (1, 1),
    ("policies/GR-TAG-004/deny_inference_without_team.yaml", "InferenceService/speech/whisper"): (
        1,
        1,
    ),
    ("user-policies/notebook-with-four-gpus.yaml", "Notebook/ml-dev/big"): (4, 1),
    # Kubeflow Trainer v2: nodes and GPUs from the runtime, the TrainJob's overrides, or both.
    ("accelerators/kubernetes/trainjob.yaml", "TrainJob/ml/from-runtime"): (8, 2),
    ("accelerators/kubernetes/trainjob.yaml", "TrainJob/ml/overrides"): (32, 4),
    ("accelerators/kubernetes/trainjob.yaml", "TrainJob/ml/self-contained"): (4, 2),
}
#: Kinds of AI workload CRDs (and the Volcano Job) whose GPU count every fixture asserts.
AI_KINDS = {
    "RayCluster",
    "RayJob",
    "RayService",
    "PyTorchJob",
    "TFJob",
    "MPIJob",
    "XGBoostJob",
    "PaddleJob",
    "JAXJob",
    "TrainJob",
    "InferenceService",
    "LLMInferenceService",
    "JobSet",
    "LeaderWorkerSet",
    "Notebook",
}


def _gpu_resources(name: str) -> dict[str, dict[str, Any]]:
    doc = build_input([str(K8S / name)])
    return {r["address"]: r["facts"] for r in doc["resources"] if r["facts"]["is_gpu"]}


@pytest.mark.parametrize(("key", "expected"), EXPECTED.items(), ids=[a for _, a in EXPECTED])
def test_gpu_count(key: tuple[str, str], expected: tuple[float, float | None, int | None]) -> None:
    facts = _gpu_resources(key[0])[key[1]]
    per_pod, total, replicas = expected
    assert facts["gpu"]["count"] == per_pod
    assert facts["gpu"]["total"]["desired"] == total
    assert facts["replicas"]["desired"] == replicas


@pytest.mark.parametrize("name", ["ai-crds.yaml", "multi-node.yaml"])
def test_every_gpu_workload_fixture_has_an_asserted_count(name: str) -> None:
    listed = {address for file, address in EXPECTED if file == name}
    assert set(_gpu_resources(name)) == listed


def test_ray_autoscaling_without_max_replicas_is_unbounded() -> None:
    path = FIXTURES / "policies/GR-COST-009/deny_ray_worker_group_autoscaling_without_max.yaml"
    facts = _ai_workloads(path)["RayCluster/research/tuning"]
    assert facts["gpu"]["total"] == {"desired": 1, "max": None}
    assert facts["replicas"] == {"desired": 1, "max": None, "groups": 1}


@pytest.mark.parametrize(
    ("file", "address", "total", "replicas"),
    [
        ("kuberay__ray-service.deepseek.yaml", "RayService/default/deepseek-r1", 16, 2),
        ("kserve__llm-inference-service-qwen2-7b-gpu.yaml", None, 3, 3),
        ("kuberay__ray-cluster.tpu-v6e-16-multihost.yaml", None, 16, 4),
    ],
)
def test_corpus_gpu_counts(file: str, address: str | None, total: int, replicas: int) -> None:
    path = CORPUS / "kubernetes" / file
    if not path.exists():
        pytest.skip("../shared/corpus is not beside this checkout")
    found = [r for r in build_input([str(path)])["resources"] if r["facts"]["is_gpu"]]
    facts = next(r["facts"] for r in found if address in (None, r["address"]))
    assert facts["gpu"]["total"]["desired"] == total
    assert facts["replicas"]["desired"] == replicas


def _ai_workloads(path: Path) -> dict[str, dict[str, Any]]:
    doc = build_input([str(path)], ScanOptions(allow_empty=True, no_config=True))
    return {
        r["address"]: r["facts"]
        for r in doc["resources"]
        if r["type"] in AI_KINDS
        or (
            r["type"] == "Job"
            and str(r["attributes"].get("apiVersion", "")).startswith("batch.volcano.sh/")
        )
    }


@pytest.mark.parametrize(
    ("key", "expected"), POLICY_FIXTURES.items(), ids=[p for p, _ in POLICY_FIXTURES]
)
def test_policy_fixture_gpu_count(key: tuple[str, str], expected: tuple[float, int]) -> None:
    facts = _ai_workloads(FIXTURES / key[0])[key[1]]
    assert (facts["gpu"]["total"]["desired"], facts["replicas"]["desired"]) == expected


def test_every_ai_crd_fixture_asserts_its_gpu_count() -> None:
    """An AI workload with GPUs added to any fixture outside fixtures/kubernetes needs a row
    above."""
    found = set()
    for path in sorted(FIXTURES.rglob("*.y*ml")):
        relative = path.relative_to(FIXTURES).as_posix()
        if relative.startswith("kubernetes/") or path.name == "config.yaml":
            continue
        try:
            workloads = _ai_workloads(path)
        except GuardrailsError:
            continue  # not an input (a config, a values file)
        # A CPU-only Ray head (the GR-SEC-009 token-auth cases) has no GPU count to assert.
        found |= {(relative, address) for address, facts in workloads.items() if facts["gpu"]}
    assert found == set(POLICY_FIXTURES)


@pytest.mark.parametrize(
    "address",
    [
        "InferenceService/ml-prod/llama-70b",
        "InferenceService/ml-dev/qwen-pp",
        "InferenceService/ml-prod/deepseek-v3",
    ],
)
def test_kserve_multi_node_predictor_has_a_fixed_size(address: str) -> None:
    """KServe does not autoscale a multi-node predictor: its GPUs are bounded, not ∞."""
    facts = _gpu_resources("multi-node.yaml")[address]
    assert facts["autoscaling"]["enabled"] is False
    assert facts["gpu"]["total"]["max"] == facts["gpu"]["total"]["desired"]
