"""HPA and KEDA set the max scale of any scalable kind they target.

Before, a scaler's max was applied only to single-template workloads: an HPA
``maxReplicas: 2`` on a LeaderWorkerSet of size 4 left its max at 4 pods (one group).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from guardrails.api import ScanOptions, build_input

LWS = """\
apiVersion: leaderworkerset.x-k8s.io/v1
kind: LeaderWorkerSet
metadata: {name: vllm, namespace: serving}
spec:
  replicas: 1
  leaderWorkerTemplate:
    size: 4
    workerTemplate:
      spec:
        containers:
          - name: vllm
            image: vllm/vllm-openai:v0.6.0
            resources: {limits: {nvidia.com/gpu: "2"}}
"""
STS = """\
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: vllm, namespace: serving}
spec:
  replicas: 1
  template:
    spec:
      containers:
        - name: vllm
          image: vllm/vllm-openai:v0.6.0
          resources: {limits: {nvidia.com/gpu: "2"}}
"""
HPA = """\
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: vllm, namespace: serving}
spec:
  scaleTargetRef: {kind: %s, name: vllm}
  maxReplicas: 2
"""
KEDA = """\
---
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: vllm, namespace: serving}
spec:
  scaleTargetRef: {kind: %s, name: vllm}
  maxReplicaCount: 3
"""


@pytest.mark.parametrize(
    ("workload", "kind", "scaler", "pods_max", "gpus_max"),
    [
        (LWS, "LeaderWorkerSet", HPA, 8, 16),  # 2 groups of 4 pods
        (LWS, "LeaderWorkerSet", KEDA, 12, 24),
        (STS, "StatefulSet", HPA, 2, 4),
        (STS, "StatefulSet", KEDA, 3, 6),
    ],
)
def test_scaler_sets_max_of_any_scalable_kind(
    tmp_path: Path, workload: str, kind: str, scaler: str, pods_max: int, gpus_max: int
) -> None:
    path = tmp_path / "w.yaml"
    path.write_text(workload + scaler % kind)
    doc = build_input([str(path)], ScanOptions(no_config=True))
    facts = next(r for r in doc["resources"] if r["type"] == kind)["facts"]
    assert facts["replicas"]["max"] == pods_max
    assert facts["gpu"]["total"]["max"] == gpus_max
    assert facts["autoscaling"]["enabled"] is True
    assert facts["monthly_usd"]["max"] > facts["monthly_usd"]["desired"]


SECOND_LWS = LWS.replace("namespace: serving", "namespace: other")


@pytest.mark.parametrize(
    ("workloads", "scaler", "pods_max"),
    [
        ([LWS], HPA, 8),  # the HPA kept in a file of its own, as GKE's samples do
        ([LWS], KEDA, 12),
        ([LWS, SECOND_LWS], HPA, 8),  # a same-named target in another namespace is not it
        ([LWS, LWS], HPA, 4),  # two copies of the target (overlays): ambiguous, not linked
    ],
)
def test_scaler_in_another_file_sets_the_max(
    tmp_path: Path, workloads: list[str], scaler: str, pods_max: int
) -> None:
    """Before, scale edges were built per file: an HPA beside its target left max at 4."""
    paths = []
    for index, workload in enumerate(workloads):
        path = tmp_path / f"w{index}.yaml"
        path.write_text(workload)
        paths.append(str(path))
    (tmp_path / "hpa.yaml").write_text(scaler % "LeaderWorkerSet")
    doc = build_input([*paths, str(tmp_path / "hpa.yaml")], ScanOptions(no_config=True))
    facts = next(
        r for r in doc["resources"] if r["type"] == "LeaderWorkerSet" and "serving" in r["id"]
    )["facts"]
    assert facts["replicas"]["max"] == pods_max
