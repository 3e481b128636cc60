"""``guardrails check`` on AdmissionReviews, ``guardrails webhook certs`` and serve's errors."""

from __future__ import annotations

import json
import ssl
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from cryptography import x509

from guardrails.cli import main
from tests.webhook.reviews import manifest, review


def _check(path: str, tmp_path: Path, stdin: str | None = None) -> tuple[int, dict[str, object]]:
    out = tmp_path / "report.json"
    result = subprocess.run(
        [sys.executable, "-m", "guardrails", "check", path, "-f", "json", "-o", str(out), "--engine", "python"],
        input=stdin, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, json.loads(out.read_text())


def test_check_replays_a_captured_admission_review(tmp_path: Path) -> None:
    obj = manifest("gpu-pod-over-budget.yaml")
    del obj["metadata"]["namespace"]  # the API server names it in the request
    captured = tmp_path / "review.json"
    captured.write_text(json.dumps(review(obj, namespace="ml-dev")))
    code, report = _check(str(captured), tmp_path)
    assert code == 1
    findings = report["findings"]
    assert isinstance(findings, list)
    assert {f["policy"] for f in findings} >= {"GR-COST-001", "GR-TAG-003"}
    assert {f["resource"] for f in findings} == {"Pod/ml-dev/trainer"}
    assert report["summary"]["resources"] == 1  # type: ignore[index]
    _, from_stdin = _check("-", tmp_path, stdin=captured.read_text())
    assert [f["policy"] for f in from_stdin["findings"]] == [f["policy"] for f in findings]  # type: ignore[union-attr, index]


def test_check_replays_an_update_with_the_old_object_as_before(tmp_path: Path) -> None:
    old = manifest("gpu-pod-over-budget.yaml")
    old["spec"]["containers"][0]["resources"]["limits"]["nvidia.com/gpu"] = 2
    captured = tmp_path / "update.json"
    captured.write_text(
        json.dumps(review(manifest("gpu-pod-over-budget.yaml"), operation="UPDATE", old=old))
    )
    _, report = _check(str(captured), tmp_path)
    cost = report["summary"]["cost"]  # type: ignore[index]
    totals = {k: cost[k] for k in ("monthly_usd_before", "monthly_usd_after", "monthly_usd_delta")}  # type: ignore[index]
    assert totals == {  # 2 A100s before, 8 after
        "monthly_usd_before": 4007.28,
        "monthly_usd_after": 16029.11,
        "monthly_usd_delta": 12021.83,
    }


def test_annotation_waivers_count_in_check(tmp_path: Path) -> None:
    obj = manifest("gpu-pod-over-budget.yaml")
    expires = (date.today() + timedelta(days=30)).isoformat()
    obj["metadata"]["annotations"] = {
        "guardrails.dev/ignore": f'GR-COST-001 reason="approved" expires={expires}'
    }
    path = tmp_path / "pod.json"
    path.write_text(json.dumps(obj))
    _, report = _check(str(path), tmp_path)
    waived = [f["policy"] for f in report["findings"] if f["waived"]]  # type: ignore[union-attr, index]
    assert waived == ["GR-COST-001"]


def test_certs_makes_a_ca_and_a_serving_certificate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "certs"
    args = [
        "webhook",
        "certs",
        "--service",
        "gr",
        "--namespace",
        "policy",
        "-o",
        str(out),
        "--ip",
        "127.0.0.1",
    ]
    assert main(args) == 0
    assert (out / "tls.key").stat().st_mode & 0o077 == 0
    assert (out / "ca.key").stat().st_mode & 0o077 == 0
    cert = x509.load_pem_x509_certificate((out / "tls.crt").read_bytes())
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == [
        "gr",
        "gr.policy",
        "gr.policy.svc",
        "gr.policy.svc.cluster.local",
    ]
    assert [str(ip) for ip in names.get_values_for_type(x509.IPAddress)] == ["127.0.0.1"]
    context = ssl.create_default_context(cafile=str(out / "ca.crt"))
    assert context.cert_store_stats()["x509_ca"] == 1
    ca = (out / "ca.crt").read_bytes()
    assert main(args) == 0
    assert (out / "ca.crt").read_bytes() == ca, "a second run keeps the CA, so caBundle stays valid"
    assert "caBundle" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--cert", "{d}/ca.key", "--key", "{d}/tls.key"], "error: "),
        (
            ["--cert", "{d}/tls.crt", "--key", "{d}/tls.key", "--config", "{d}/bad.yaml"],
            "invalid config at webhook.exempt_namespaces",
        ),
        (["--cert", "{d}/tls.crt", "--key", "{d}/tls.key", "--mode", "loud"], "loud"),
    ],
    ids=["bad-cert", "bad-config", "bad-mode"],
)
def test_serve_errors_are_one_line_exit_2(tmp_path: Path, args: list[str], fragment: str) -> None:
    assert main(["webhook", "certs", "-o", str(tmp_path)]) == 0
    (tmp_path / "bad.yaml").write_text("webhook:\n  exempt_namespaces: kube-system\n")
    result = subprocess.run(
        [sys.executable, "-m", "guardrails", "webhook", "serve", "--port", "1", *(a.format(d=tmp_path) for a in args)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert fragment in result.stderr
    assert "Traceback" not in result.stderr


REPLAYED = Path(__file__).resolve().parents[2] / "fixtures" / "webhook"


@pytest.mark.parametrize(
    ("operation", "relabel", "namespace", "allowed"),
    [
        ("CREATE", False, "ml-dev", False),  # over budget and untagged: denied
        ("UPDATE", True, "ml-dev", True),  # a relabel of an object already failing: warned
        ("CREATE", False, "kube-system", True),  # exempt namespace: never judged
    ],
)
def test_webhook_replay_gives_the_servers_answer(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    operation: str,
    relabel: bool,
    namespace: str,
    allowed: bool,
) -> None:
    from guardrails.api import ScanOptions, prepare_policies, resolve_config
    from guardrails.cli.webhook import settings_from
    from guardrails.webhook.judge import Judge
    from guardrails.webhook.review import Mode, OnError, parse_review, response

    old = manifest("gpu-pod-over-budget.yaml")
    new = json.loads(json.dumps(old))
    if relabel:
        new["metadata"]["labels"]["release"] = "2"
    doc = review(new, operation=operation, old=old if operation == "UPDATE" else None,
                 namespace=namespace, uid="u-1")  # fmt: skip
    captured = tmp_path / "review.json"
    captured.write_text(json.dumps(doc))
    options = ScanOptions(no_config=True, engine="auto")
    prepared = prepare_policies(resolve_config([], options), options)
    settings = settings_from(prepared, mode=Mode.ENFORCE, fail_on=None, on_error=OnError.DENY,
                             budget=3600.0, own_namespace="guardrails", exempt=[])  # fmt: skip
    server = response("u-1", Judge(prepared, settings).judge(parse_review(captured.read_bytes())))
    capsys.readouterr()
    code = main(["webhook", "replay", str(captured)])
    assert json.loads(capsys.readouterr().out) == server
    assert server["response"]["allowed"] is allowed
    assert code == (0 if allowed else 1)


def test_check_differs_from_replay_on_an_update_already_failing(tmp_path: Path) -> None:
    """What docs/admission-webhook.md says differs: check judges the object as CI would."""
    update = str(REPLAYED / "update-relabel-already-failing.review.json")
    assert main(["webhook", "replay", update]) == 0
    code, report = _check(update, tmp_path)
    assert code == 1 and report["summary"]["by_severity"]["high"] == 2  # type: ignore[index]


def test_webhook_replay_refuses_what_the_server_refuses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "review.json"
    bad.write_text(
        json.dumps({"apiVersion": "admission.k8s.io/v1beta1", "kind": "AdmissionReview"})
    )
    assert main(["webhook", "replay", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "not an AdmissionReview the webhook accepts: unsupported apiVersion" in err
    assert len(err.strip().splitlines()) == 1
