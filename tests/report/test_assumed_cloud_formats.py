"""A GPU priced on an assumed cloud (nothing in the file names one) says so in every format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from guardrails.api import ScanOptions, enriched_graph, scan
from guardrails.report import REPORTERS
from guardrails.report.views.cost import cost_breakdown
from guardrails.report.views.cost_render import (
    render_cost_json,
    render_cost_markdown,
    render_cost_table,
)

JOB = """apiVersion: batch/v1
kind: Job
metadata: {name: train, namespace: ml-dev, labels: {environment: dev, workload: training}}
spec:
  backoffLimit: 3
  template:
    spec:
      restartPolicy: Never
      nodeSelector: {nvidia.com/gpu.product: NVIDIA-H100-80GB-HBM3}
      containers:
        - {name: t, image: "registry.example.com/t:1", resources: {limits: {nvidia.com/gpu: 8}}}
"""
ROW = "p5.48xlarge at $6.88/GPU-hour"


@pytest.fixture
def job(tmp_path: Path) -> Path:
    path = tmp_path / "job.yaml"
    path.write_text(JOB)
    return path


@pytest.mark.parametrize("fmt", ["table", "json", "markdown", "sarif", "github", "junit"])
def test_check_formats_say_the_cloud_was_assumed(job: Path, fmt: str) -> None:
    report = scan([str(job)], ScanOptions(no_config=True)).with_fail_on("never")
    text = REPORTERS[fmt](report, False)
    assert "assumed AWS price" in " ".join(text.split()) and ROW in text


def test_sarif_run_property_names_the_assumption(job: Path) -> None:
    report = scan([str(job)], ScanOptions(no_config=True)).with_fail_on("never")
    run = json.loads(REPORTERS["sarif"](report, False))["runs"][0]
    cost = run["properties"]["gpuCost"]
    assert cost["assumed"] == 1
    assert cost["assumedResources"] == [{"address": "Job/ml-dev/train", "assumption": f"AWS {ROW}"}]
    assert "nothing names the cloud" in cost["coverageNote"]


def test_json_facts_name_cloud_sku_and_reason(job: Path) -> None:
    report = scan([str(job)], ScanOptions(no_config=True)).with_fail_on("never")
    doc = json.loads(REPORTERS["json"](report, False))
    text = json.dumps(doc)
    assert '"assumed": 1' in text and f"AWS {ROW}" in text


def test_cost_views_say_the_cloud_was_assumed(job: Path) -> None:
    breakdown = cost_breakdown(enriched_graph([str(job)], ScanOptions(no_config=True)))
    table = " ".join(render_cost_table(breakdown, color=False).split())
    assert "assumed AWS price" in table and "nothing names the cloud" in table
    assert f"assumed AWS price, {ROW}" in render_cost_markdown(breakdown)
    (row,) = json.loads(render_cost_json(breakdown))["resources"]
    assert row["price_basis"] == "assumed"
    assert row["price_assumption"] == f"assumed AWS price, {ROW}: nothing names the cloud"
