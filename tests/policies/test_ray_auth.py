"""GR-SEC-009 and Ray token authentication: KubeRay ``authOptions.mode: token`` or
``RAY_AUTH_MODE=token`` on the head (Ray 2.52+) downgrades an exposed Ray dashboard/client to
low with a message saying why; Jupyter, old Ray images and unauthenticated clusters stay high."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from guardrails.api import ScanOptions, enriched_graph, scan
from guardrails.engines.select import rego_available
from guardrails.model import Severity
from tests.conftest import FIXTURES

CASES = FIXTURES / "policies" / "GR-SEC-009"
ENGINES = ["python", *(["rego"] if rego_available() else [])]


def _findings(name: str, engine: str) -> dict[str, tuple[Severity, str]]:
    report = scan([str(CASES / name)], ScanOptions(no_config=True, engine=engine))
    return {
        f.resource: (f.severity, f.message) for f in report.findings if f.policy == "GR-SEC-009"
    }


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    ("name", "resource", "severity", "says"),
    [
        (
            "deny_ray_dashboard_lb_token_auth_is_low.yaml",
            "Service/ml-dev/ray-auth-dashboard",
            Severity.LOW,
            "Ray token authentication is on for RayCluster/ml-dev/ray-auth",
        ),
        (
            "deny_ray_job_head_env_token_auth_is_low.yaml",
            "RayJob/ml-dev/nightly-eval",
            Severity.LOW,
            "Ray token authentication is on (RAY_AUTH_MODE on the head container)",
        ),
        (
            "deny_ray_head_service_type_node_port.yaml",
            "RayService/ml-dev/llm-serve",
            Severity.HIGH,
            "through a NodePort head Service (headGroupSpec.serviceType)",
        ),
        (
            "deny_ray_token_auth_on_ray_before_2_52.yaml",
            "RayCluster/ml-dev/ray-old",
            Severity.HIGH,
            "but Ray 2.9.0 has none (2.52+)",
        ),
        (
            "deny_ray_token_auth_does_not_cover_jupyter.yaml",
            "Service/ml-dev/ray-nb-public",
            Severity.HIGH,
            "port 8888",
        ),
        (
            "deny_ray_dashboard_load_balancer.yaml",
            "Service/ml-dev/ray-dashboard",
            Severity.HIGH,
            "exposes port 8265 through a LoadBalancer Service",
        ),
    ],
)
def test_ray_auth_downgrades_only_what_a_token_protects(
    name: str, resource: str, severity: Severity, says: str, engine: str
) -> None:
    found = _findings(name, engine)
    assert resource in found, found
    got_severity, message = found[resource]
    assert got_severity == severity and says in message
    if severity == Severity.HIGH:
        assert "authentication is on" not in message


def _ray_auth(path: Path, text: str | None = None) -> dict[str, Any]:
    graph = enriched_graph([str(path)], ScanOptions(no_config=True))
    return {r.address: r.facts.get("ray_auth") for r in graph.resources}


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "ray.yaml"
    path.write_text(text)
    return path


HEAD = """
  headGroupSpec:
    rayStartParams: {{}}
    template:
      spec:
        containers:
          - name: ray-head
            image: {image}
{env}"""


def _cluster(name: str, image: str, extra: str = "", env: str = "") -> str:
    return (
        f"apiVersion: ray.io/v1\nkind: RayCluster\nmetadata: {{name: {name}, namespace: ml}}\n"
        f"spec:\n{extra}" + HEAD.format(image=image, env=env)
    )


def test_fact_reads_authoptions_head_env_and_version(tmp_path: Path) -> None:
    text = "\n---\n".join(
        [
            _cluster(
                "token-on", "rayproject/ray:2.52.0-py311-gpu", "  authOptions: {mode: token}\n"
            ),
            # The head container's own RAY_AUTH_MODE wins over authOptions (KubeRay keeps it).
            _cluster(
                "env-off",
                "rayproject/ray:2.52.0",
                "  authOptions: {mode: token}\n",
                "            env: [{name: RAY_AUTH_MODE, value: disabled}]\n",
            ),
            _cluster("default", "rayproject/ray:2.52.0"),
            # No version in the image tag: spec.rayVersion says 2.46, too old for tokens.
            _cluster(
                "old",
                "myorg/train:abc123",
                "  rayVersion: '2.46.0'\n  authOptions: {mode: token}\n",
            ),
        ]
    )
    facts = _ray_auth(_write(tmp_path, text))
    on = facts["RayCluster/ml/token-on"]
    assert on["enabled"] is True and on["source"] == "spec.authOptions.mode"
    assert on["ray_version"] == "2.52.0-py311-gpu"
    off = facts["RayCluster/ml/env-off"]
    assert off["enabled"] is False and off["source"] == "RAY_AUTH_MODE on the head container"
    assert facts["RayCluster/ml/default"]["enabled"] is False
    assert facts["RayCluster/ml/default"]["why"] == "token authentication is off (Ray's default)"
    old = facts["RayCluster/ml/old"]
    assert old["enabled"] is False and old["ray_version"] == "2.46.0"


def test_service_is_mitigated_only_when_every_head_it_reaches_has_auth(tmp_path: Path) -> None:
    service = (
        "apiVersion: v1\nkind: Service\nmetadata: {name: heads, namespace: ml}\n"
        "spec:\n  type: LoadBalancer\n  selector: {ray.io/node-type: head}\n"
        "  ports: [{port: 8265}]\n"
    )
    text = "\n---\n".join(
        [
            _cluster("a", "rayproject/ray:2.52.0", "  authOptions: {mode: token}\n"),
            _cluster("b", "rayproject/ray:2.52.0"),
            service,
        ]
    )
    fact = _ray_auth(_write(tmp_path, text))["Service/ml/heads"]
    assert fact["enabled"] is False and fact["workloads"] == ["RayCluster/ml/a", "RayCluster/ml/b"]
    assert fact["why"] == "token authentication is off for RayCluster/ml/b"
    for engine in ENGINES:
        report = scan([str(tmp_path / "ray.yaml")], ScanOptions(no_config=True, engine=engine))
        (hit,) = [
            f
            for f in report.findings
            if f.resource == "Service/ml/heads" and f.policy == "GR-SEC-009"
        ]
        assert hit.severity == Severity.HIGH


def test_service_without_ray_workloads_in_the_input_has_no_fact() -> None:
    facts = _ray_auth(CASES / "deny_ray_dashboard_load_balancer.yaml")
    assert facts["Service/ml-dev/ray-dashboard"] is None
