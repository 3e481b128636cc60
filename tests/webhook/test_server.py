"""The real server over real HTTPS: a subprocess on loopback, a CA-verifying client."""

from __future__ import annotations

import json
import ssl
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from guardrails.webhook.certs import write_certificates
from guardrails.webhook.kinds import admitted_kind
from tests.conftest import CORPUS
from tests.webhook.reviews import manifest, review
from tests.webhook.server import Server, make_certs, running_server

SECRET = "s3cr3t-token-value-never-logged"


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_certs(tmp_path_factory.mktemp("certs"))


@pytest.fixture(scope="module")
def server(certs: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    log = tmp_path_factory.mktemp("log") / "server.log"
    with running_server(certs, log) as running:
        yield running


def _metrics(server: Server) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    status, body = server.request("GET", "/metrics")
    assert status == 200
    out = {}
    for family in text_string_to_metric_families(body.decode()):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def _count(
    metrics: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str
) -> float:
    return sum(v for (n, ls), v in metrics.items() if n == name and set(labels.items()) <= set(ls))


def _over_budget() -> dict[str, Any]:
    obj = manifest("gpu-pod-over-budget.yaml")
    obj["spec"]["containers"][0]["env"] = [{"name": "HF_TOKEN", "value": SECRET}]
    return obj


def test_denies_with_status_warnings_and_the_same_uid(server: Server) -> None:
    answer = server.post(review(_over_budget(), uid="deny-1"))
    assert answer["uid"] == "deny-1" and answer["allowed"] is False
    status = answer["status"]
    assert status["code"] == 403 and status["reason"] == "Forbidden"
    assert "GR-COST-001" in status["message"] and "Fix:" in status["message"]
    assert answer["warnings"] and all(len(w) <= 120 for w in answer["warnings"])
    assert any(w.startswith("GR-SEC-006 (medium)") for w in answer["warnings"])


def test_allows_a_compliant_gpu_pod(server: Server) -> None:
    answer = server.post(review(manifest("gpu-pod-compliant.yaml"), uid="allow-1"))
    assert answer == {"uid": "allow-1", "allowed": True}


def test_dry_run_gets_the_same_answer_and_is_marked(server: Server) -> None:
    before = _metrics(server)
    answer = server.post(review(_over_budget(), uid="dry-1", dry_run=True))
    assert answer["allowed"] is False
    after = _metrics(server)
    name = "guardrails_webhook_requests_total"
    assert (
        _count(after, name, dry_run="true", outcome="denied")
        == _count(before, name, dry_run="true", outcome="denied") + 1
    )
    line = next(line for line in server.log_lines() if line.get("uid") == "dry-1")
    assert line["dry_run"] is True


def test_update_judges_the_change(server: Server) -> None:
    old = _over_budget()
    new = json.loads(json.dumps(old))
    new["metadata"]["labels"]["release"] = "2"
    answer = server.post(review(new, operation="UPDATE", old=old, uid="update-1"))
    assert answer["allowed"] is True
    assert any("already failing" in w for w in answer["warnings"])
    bigger = json.loads(json.dumps(old))
    old["spec"]["containers"][0]["resources"]["limits"]["nvidia.com/gpu"] = 2
    answer = server.post(review(bigger, operation="UPDATE", old=old, uid="update-2"))
    assert answer["allowed"] is False and "GR-COST-001" in answer["status"]["message"]
    assert "made worse by this update (max cost $" in answer["status"]["message"]


def test_exempt_namespaces_are_not_judged(server: Server) -> None:
    for namespace in ("kube-system", "guardrails"):
        answer = server.post(review(_over_budget(), namespace=namespace, uid=f"exempt-{namespace}"))
        assert answer == {"uid": f"exempt-{namespace}", "allowed": True}


def test_a_workload_cannot_waive_itself(server: Server) -> None:
    obj = _over_budget()
    expires = (date.today() + timedelta(days=30)).isoformat()
    obj["metadata"]["annotations"] = {
        "guardrails.dev/ignore": f'GR-COST-001 reason="mine" expires={expires}\nGR-TAG-003 reason="mine" expires={expires}'
    }
    answer = server.post(review(obj, uid="self-waive"))
    assert answer["allowed"] is False
    assert "GR-COST-001" in answer["status"]["message"]


def test_environment_from_the_path(server: Server) -> None:
    obj = _over_budget()
    obj["metadata"]["namespace"] = "research"
    obj["metadata"]["labels"]["workload"] = "training"
    assert server.post(review(obj), "/validate/prod")["allowed"] is True
    assert server.post(review(obj), "/validate/dev")["allowed"] is False
    assert server.request("POST", "/validate/qa", json.dumps(review(obj)).encode())[0] == 400


def test_metrics_count_outcomes_policies_kinds_and_latency(server: Server) -> None:
    before = _metrics(server)
    server.post(review(_over_budget()))
    server.post(review(manifest("gpu-pod-compliant.yaml")))
    after = _metrics(server)
    requests = "guardrails_webhook_requests_total"
    for outcome in ("denied", "allowed"):
        assert (
            _count(after, requests, outcome=outcome, kind="Pod")
            == _count(before, requests, outcome=outcome, kind="Pod") + 1
        )
    findings = "guardrails_webhook_findings_total"
    assert (
        _count(after, findings, policy="GR-COST-001", effect="deny")
        == _count(before, findings, policy="GR-COST-001", effect="deny") + 1
    )
    latency = "guardrails_webhook_request_duration_seconds_count"
    assert _count(after, latency) == _count(before, latency) + 2


def test_one_json_log_line_per_decision_without_secret_values(server: Server) -> None:
    server.post(review(_over_budget(), uid="log-1"))
    lines = [line for line in server.log_lines() if line.get("uid") == "log-1"]
    assert len(lines) == 1
    line = lines[0]
    assert line["kind"] == "Pod" and line["namespace"] == "ml-dev" and line["name"] == "trainer"
    assert line["allowed"] is False and "GR-COST-001" in line["policies"]
    assert isinstance(line["ms"], float)
    assert SECRET not in server.log.read_text()


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b'{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionRev', "malformed JSON"),
        (
            json.dumps(
                {
                    **review(manifest("gpu-pod-compliant.yaml")),
                    "apiVersion": "admission.k8s.io/v1beta1",
                }
            ).encode(),
            "unsupported apiVersion",
        ),
        (
            json.dumps(
                {
                    "apiVersion": "admission.k8s.io/v1",
                    "kind": "AdmissionReview",
                    "request": {
                        "kind": {"group": "", "version": "v1", "kind": "Pod"},
                        "operation": "CREATE",
                        "object": {},
                    },
                }
            ).encode(),
            "request.uid is missing",
        ),
        (b"{" + b" " * (10 * 1024 * 1024) + b"}", "over the 3,145,728-byte limit"),
    ],
    ids=["malformed", "wrong-version", "missing-uid", "10MB"],
)
def test_bad_requests_get_400_and_the_server_stays_healthy(
    server: Server, body: bytes, problem: str
) -> None:
    status, answer = server.request("POST", "/validate", body)
    assert status == 400
    assert problem in json.loads(answer)["error"]
    assert server.request("GET", "/healthz") == (200, b"ok")
    assert server.post(review(manifest("gpu-pod-compliant.yaml")))["allowed"] is True


def test_concurrent_requests_each_get_their_own_answer(server: Server) -> None:
    objects = [(_over_budget(), False), (manifest("gpu-pod-compliant.yaml"), True)] * 16

    def send(item: tuple[int, tuple[dict[str, Any], bool]]) -> bool:
        index, (obj, allowed) = item
        answer = server.post(review(obj, uid=f"concurrent-{index}"))
        return answer["uid"] == f"concurrent-{index}" and answer["allowed"] is allowed

    with ThreadPoolExecutor(16) as pool:
        assert all(pool.map(send, enumerate(objects)))


def test_certificate_reloads_without_restart(server: Server) -> None:
    first = server.peer_certificate()
    reloads = _count(_metrics(server), "guardrails_webhook_certificate_reloads_total", result="ok")
    write_certificates(server.certs, "guardrails-webhook", "guardrails", ips=["127.0.0.1"])
    deadline = time.monotonic() + 20
    while server.peer_certificate() == first:
        assert time.monotonic() < deadline, "the new certificate was not served"
        time.sleep(0.1)
    served = ssl.DER_cert_to_PEM_cert(server.peer_certificate())
    assert served.strip() == (server.certs / "tls.crt").read_text().strip()
    assert (
        _count(_metrics(server), "guardrails_webhook_certificate_reloads_total", result="ok")
        == reloads + 1
    )
    assert server.process.poll() is None
    assert server.post(review(manifest("gpu-pod-compliant.yaml")))["allowed"] is True


def test_audit_mode_allows_and_logs(certs: Path, tmp_path: Path) -> None:
    with running_server(certs, tmp_path / "audit.log", "--mode", "audit") as audit:
        answer = audit.post(review(_over_budget(), uid="audit-1"))
        assert answer["allowed"] is True and "warnings" not in answer
        assert answer["auditAnnotations"]["outcome"] == "would-deny"
        line = next(line for line in audit.log_lines() if line.get("uid") == "audit-1")
        assert line["outcome"] == "would-deny" and "GR-COST-001" in line["denied_by"]


def test_a_review_not_even_parsed_by_the_deadline_gets_503(certs: Path, tmp_path: Path) -> None:
    """Without the uid no AdmissionReview can answer: HTTP 503, the failurePolicy applies."""
    big = _over_budget()
    container = big["spec"]["containers"][0]
    big["spec"]["containers"] = [{**container, "name": f"c{i}"} for i in range(3000)]
    with running_server(certs, tmp_path / "budget.log", "--eval-budget", "0.001") as strict:
        status, body = strict.request("POST", "/validate", json.dumps(review(big)).encode())
        assert status == 503 and b"within the budget" in body
        assert _count(_metrics(strict), "guardrails_webhook_errors_total", reason="budget") == 1
        assert strict.request("GET", "/healthz")[0] == 200


def test_pods_a_kubernetes_controller_makes_are_judged_at_their_owner(server: Server) -> None:
    obj = _over_budget()
    obj["metadata"]["ownerReferences"] = [
        {
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "name": "trainer-5d8f",
            "uid": "1",
            "controller": True,
        }
    ]
    doc = review(obj, uid="owned-1")
    doc["request"]["userInfo"] = {
        "username": "system:serviceaccount:kube-system:replicaset-controller"
    }
    assert server.post(doc) == {"uid": "owned-1", "allowed": True}
    assert (
        next(line for line in server.log_lines() if line.get("uid") == "owned-1")["outcome"]
        == "owned"
    )
    doc = review(obj, uid="forged-1")  # alice wrote the same ownerReference herself
    assert server.post(doc)["allowed"] is False


def _corpus_objects() -> list[dict[str, Any]]:
    found = []
    for path in sorted((CORPUS / "kubernetes").glob("*.yaml")):
        try:
            docs = list(yaml.safe_load_all(path.read_text(encoding="utf-8-sig")))
        except yaml.YAMLError:
            continue  # an unrendered Helm template: the parser tests cover it
        for doc in docs:
            items = (
                doc.get("items")
                if isinstance(doc, dict) and str(doc.get("kind")).endswith("List")
                else [doc]
            )
            for obj in items or []:
                if isinstance(obj, dict) and isinstance(obj.get("apiVersion"), str):
                    group = obj["apiVersion"].rpartition("/")[0]
                    if admitted_kind(group, str(obj.get("kind"))):
                        found.append(obj)
    return found


@pytest.mark.skipif(
    not CORPUS.exists(), reason="the shared corpus (../shared) is not beside this clone"
)
def test_every_corpus_workload_gets_a_decision(server: Server) -> None:
    objects = _corpus_objects()
    assert len(objects) >= 20
    outcomes = []
    for index, obj in enumerate(objects):
        answer = server.post(review(obj, uid=f"corpus-{index}"))
        assert answer["uid"] == f"corpus-{index}"
        line = next(line for line in server.log_lines() if line.get("uid") == f"corpus-{index}")
        assert line["outcome"] in ("allowed", "warned", "denied"), (obj["kind"], line)
        if not answer["allowed"]:
            assert answer["status"]["message"].startswith(f"guardrails denied {obj['kind']} ")
        outcomes.append(line["outcome"])
    assert {"denied", "warned"} <= set(outcomes)
