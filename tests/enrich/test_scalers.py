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
