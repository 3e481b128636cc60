"""Terraform ``kubernetes_*`` resources go through the Kubernetes workload model.

One GPU Deployment (+ HPA) written as a manifest, as HCL and in a plan gives the same findings
and the same GPU facts. Before, the HCL and plan forms were opaque Terraform resources: an
unpinned image and a root container passed, and their GPUs cost $0.
"""

from __future__ import annotations

from typing import Any

import pytest

from guardrails.api import ScanOptions, build_input, scan
from guardrails.engines.select import rego_available
from guardrails.parsers.terraform_kubernetes import kubernetes_object, object_path
from tests.conftest import FIXTURES

CASES = FIXTURES / "terraform-kubernetes"
FORMS = ["yaml", "hcl", "plan"]
ENGINES = ["python", *(["rego"] if rego_available() else [])]


def _findings(form: str, engine: str) -> list[tuple[str, str, str]]:
    report = scan([str(CASES / form)], ScanOptions(engine=engine, no_config=True))
    return sorted((f.policy, f.message, str(f.outcome)) for f in report.findings)


@pytest.mark.parametrize("engine", ENGINES)
def test_same_findings_from_yaml_hcl_and_plan(engine: str) -> None:
    expected = _findings("yaml", engine)
    policies = {p for p, _, _ in expected}
    assert {"GR-SEC-005", "GR-SEC-006", "GR-SEC-007", "GR-TAG-001", "GR-TAG-003"} <= policies
    for form in ("hcl", "plan"):
        assert _findings(form, engine) == expected, form


def _workload(form: str) -> dict[str, Any]:
    doc = build_input([str(CASES / form)], ScanOptions(no_config=True))
    return next(r for r in doc["resources"] if r["type"] == "Deployment")


@pytest.mark.parametrize("form", FORMS)
def test_gpu_facts_and_hpa(form: str) -> None:
    facts = _workload(form)["facts"]
    assert facts["is_gpu"] and facts["gpu"]["model"] == "L4"
    assert facts["replicas"] == {"desired": 2, "max": 40, "groups": 2}
    assert facts["autoscaling"]["enabled"] and facts["autoscaling"]["max"] == 40
    assert facts["taggable"] and facts["environment"] == "unknown"
    assert facts["monthly_usd"] == _workload("yaml")["facts"]["monthly_usd"]


@pytest.mark.parametrize(
    ("rtype", "attributes", "expected"),
    [
        (
            "kubernetes_cron_job_v1",
            {
                "metadata": [{"name": "nightly"}],
                "spec": [
                    {
                        "schedule": "0 0 * * *",
                        "job_template": [
                            {
                                "metadata": [{}],
                                "spec": [
                                    {
                                        "backoff_limit": "3",
                                        "template": [{"spec": [{"container": [{"name": "a"}]}]}],
                                    }
                                ],
                            }
                        ],
                    }
                ],
            },
            {
                "apiVersion": "batch/v1",
                "kind": "CronJob",
                "metadata": {"name": "nightly"},
                "spec": {
                    "schedule": "0 0 * * *",
                    "jobTemplate": {
                        "metadata": {},
                        "spec": {
                            "backoffLimit": 3,
                            "template": {"spec": {"containers": [{"name": "a"}]}},
                        },
                    },
                },
            },
        ),
        (
            "kubernetes_pod",
            {
                "metadata": [{"name": "p"}],
                "spec": [
                    {
                        "host_pid": True,
                        "affinity": [
                            {
                                "node_affinity": [
                                    {
                                        "required_during_scheduling_ignored_during_execution": [
                                            {
                                                "node_selector_term": [
                                                    {
                                                        "match_expressions": [
                                                            {
                                                                "key": "k",
                                                                "operator": "In",
                                                                "values": ["v"],
                                                            }
                                                        ]
                                                    }
                                                ]
                                            }
                                        ]
                                    }
                                ]
                            }
                        ],
                    }
                ],
            },
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "p"},
                "spec": {
                    "hostPID": True,
                    "affinity": {
                        "nodeAffinity": {
                            "requiredDuringSchedulingIgnoredDuringExecution": {
                                "nodeSelectorTerms": [
                                    {
                                        "matchExpressions": [
                                            {"key": "k", "operator": "In", "values": ["v"]}
                                        ]
                                    }
                                ]
                            }
                        }
                    },
                },
            },
        ),
        (
            "kubernetes_manifest",
            {"manifest": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}}},
            {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}},
        ),
        ("kubernetes_namespace", {"metadata": [{"name": "x"}]}, None),
    ],
)
def test_provider_shape_to_manifest(
    rtype: str, attributes: dict[str, Any], expected: dict[str, Any] | None
) -> None:
    assert kubernetes_object(rtype, attributes) == expected


def test_unknown_paths_follow_the_object() -> None:
    rtype = "kubernetes_deployment_v1"
    assert object_path(rtype, "spec.0.replicas") == "spec.replicas"
    assert (
        object_path(rtype, "spec.0.template.0.spec.0.container.1.image")
        == "spec.template.spec.containers.1.image"
    )
    assert object_path("kubernetes_manifest", "manifest.spec.replicas") == "spec.replicas"
