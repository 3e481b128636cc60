"""The pure part: reading AdmissionReviews, deciding, answering."""

from __future__ import annotations

import json
from typing import Any

import pytest

from guardrails.model import Finding, Outcome, Severity
from guardrails.webhook.review import (
    MAX_BODY_BYTES,
    MAX_WARNING_CHARS,
    MAX_WARNINGS,
    BadReview,
    Mode,
    OnError,
    WebhookSettings,
    before_judging,
    decide,
    error_decision,
    parse_review,
    response,
)
from tests.webhook.reviews import manifest, review


def _body(doc: Any) -> bytes:
    return json.dumps(doc).encode()


def _gpus(number: bytes) -> bytes:
    """An over-budget GPU pod's review whose GPU limit is ``number``, written verbatim."""
    doc = review(manifest("gpu-pod-over-budget.yaml"))
    doc["request"]["object"]["spec"]["containers"][0]["resources"]["limits"]["nvidia.com/gpu"] = 7
    body = _body(doc)
    assert body.count(b'"nvidia.com/gpu": 7') == 1
    return body.replace(b'"nvidia.com/gpu": 7', b'"nvidia.com/gpu": ' + number)


def _without(path: str) -> dict[str, Any]:
    doc = review(manifest("gpu-pod-over-budget.yaml"))
    target = doc
    *parents, last = path.split(".")
    for key in parents:
        target = target[key]
    del target[last]
    return doc


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"{", "malformed JSON"),
        (b"\xff\xfe", "malformed JSON"),
        (b"[]", "expected an AdmissionReview object"),
        (b"[" * 100_000, "malformed JSON"),
        (
            _body({**review(manifest("gpu-pod-over-budget.yaml")), "kind": "Pod"}),
            "expected kind AdmissionReview",
        ),
        (
            _body(
                {
                    **review(manifest("gpu-pod-over-budget.yaml")),
                    "apiVersion": "admission.k8s.io/v1beta1",
                }
            ),
            "unsupported apiVersion 'admission.k8s.io/v1beta1'",
        ),
        (_body(_without("request")), "request is missing"),
        (_body(_without("request.uid")), "request.uid is missing"),
        (_body(_without("request.kind")), "request.kind must be"),
        (_body(_without("request.operation")), "request.operation is missing"),
        (_body(_without("request.object")), "request.object is missing for CREATE"),
        (b" " * (MAX_BODY_BYTES + 1), "over the 3,145,728-byte limit"),
        # Numbers JSON cannot carry: an uncaught ValueError (HTTP 500) or, for NaN/Infinity,
        # a GPU pod allowed on the python engine and an internal error on the Rego engines.
        (_gpus(b"1" * 5000), "integer with 5,000 digits is out of range"),
        (_gpus(b"NaN"), "NaN is not JSON"),
        (_gpus(b"-Infinity"), "-Infinity is not JSON"),
        (_gpus(b"1e999"), "not a finite number"),
        (_gpus(b"9223372036854775808"), "integer out of the 64-bit range"),
    ],
    ids=[
        "truncated",
        "not-utf8",
        "array",
        "deep",
        "kind",
        "v1beta1",
        "no-request",
        "no-uid",
        "no-kind",
        "no-operation",
        "no-object",
        "oversized",
        "int-5000-digits",
        "nan",
        "minus-infinity",
        "1e999",
        "int-over-64-bit",
    ],
)
def test_bad_reviews_name_the_problem(body: bytes, problem: str) -> None:
    with pytest.raises(BadReview, match=problem.replace("(", r"\(").replace(")", r"\)")):
        parse_review(body)


def test_a_delete_needs_no_object() -> None:
    doc = _without("request.object")
    doc["request"]["operation"] = "DELETE"
    assert before_judging(parse_review(_body(doc))["request"], WebhookSettings()) is not None


def _finding(
    policy: str,
    severity: Severity,
    *,
    unknown: bool = False,
    waived: bool = False,
    message: str = "",
) -> Finding:
    return Finding(
        policy=policy,
        title=policy,
        severity=severity,
        category="cost" if policy.startswith("GR-COST") else "security",
        resource="Pod/ml/train",
        resource_type="Pod",
        message=message or f"Pod Pod/ml/train breaks {policy}",
        remediation=f"fix {policy}",
        outcome=Outcome.UNKNOWN if unknown else Outcome.FAIL,
        waived=waived,
    )


REQUEST = parse_review(_body(review(manifest("gpu-pod-over-budget.yaml"))))["request"]
HIGH = _finding("GR-COST-001", Severity.HIGH)
MEDIUM = _finding("GR-SEC-006", Severity.MEDIUM)


@pytest.mark.parametrize(
    ("settings", "findings", "allowed", "outcome", "warned"),
    [
        (WebhookSettings(), [HIGH, MEDIUM], False, "denied", ["GR-SEC-006"]),
        (WebhookSettings(), [MEDIUM], True, "warned", ["GR-SEC-006"]),
        (WebhookSettings(), [], True, "allowed", []),
        (WebhookSettings(fail_on=Severity.MEDIUM), [MEDIUM], False, "denied", []),
        (WebhookSettings(fail_on=None), [HIGH], True, "warned", ["GR-COST-001"]),
        (
            WebhookSettings(mode=Mode.WARN),
            [HIGH, MEDIUM],
            True,
            "warned",
            ["GR-COST-001", "GR-SEC-006"],
        ),
        (WebhookSettings(mode=Mode.AUDIT), [HIGH, MEDIUM], True, "would-deny", []),
        (
            WebhookSettings(),
            [_finding("GR-COST-001", Severity.HIGH, waived=True)],
            True,
            "allowed",
            [],
        ),
        (
            WebhookSettings(),
            [_finding("GR-COST-001", Severity.HIGH, unknown=True)],
            True,
            "warned",
            ["GR-COST-001"],
        ),
        (
            WebhookSettings(unknown_fails=True),
            [_finding("GR-COST-001", Severity.HIGH, unknown=True)],
            False,
            "denied",
            [],
        ),
    ],
    ids=[
        "deny-high",
        "warn-medium",
        "clean",
        "fail-on-medium",
        "fail-on-never",
        "warn-mode",
        "audit-mode",
        "waived",
        "unknown-warns",
        "unknown-fails",
    ],
)
def test_decisions(
    settings: WebhookSettings,
    findings: list[Finding],
    allowed: bool,
    outcome: str,
    warned: list[str],
) -> None:
    decision = decide(REQUEST, findings, settings)
    assert (decision.allowed, decision.outcome) == (allowed, outcome)
    assert [w.split(" ")[0] for w in decision.warnings] == warned
    answer = response("abc", decision)["response"]
    assert answer["uid"] == "abc" and answer["allowed"] is allowed
    if allowed:
        assert "status" not in answer
    else:
        assert answer["status"]["code"] == 403 and answer["status"]["reason"] == "Forbidden"


def test_denial_lists_policy_message_and_remediation() -> None:
    decision = decide(
        REQUEST,
        [HIGH, _finding("GR-SEC-001", Severity.CRITICAL)],
        WebhookSettings(),
        environment="dev",
    )
    message = response("u", decision)["response"]["status"]["message"]
    assert message.startswith("guardrails denied Pod ml-dev/trainer (environment dev): ")
    assert "[GR-COST-001 high] breaks GR-COST-001. Fix: fix GR-COST-001" in message
    assert "[GR-SEC-001 critical]" in message
    assert decision.denied_by == ["GR-COST-001", "GR-SEC-001"]


def test_pre_existing_findings_only_warn_on_update() -> None:
    decision = decide(REQUEST, [HIGH], WebhookSettings(), pre_existing=frozenset({"GR-COST-001"}))
    assert decision.allowed
    assert decision.warnings == ("GR-COST-001 (high, already failing): breaks GR-COST-001",)


def test_warnings_stay_short_and_few() -> None:
    many = [_finding(f"GR-SEC-{i:03}", Severity.LOW, message="x" * 500) for i in range(20)]
    warnings = decide(REQUEST, many, WebhookSettings()).warnings
    assert len(warnings) == MAX_WARNINGS
    assert all(len(w) <= MAX_WARNING_CHARS for w in warnings)
    assert warnings[-1] == "... and 13 more guardrails finding(s)"


@pytest.mark.parametrize(("on_error", "allowed"), [(OnError.DENY, False), (OnError.ALLOW, True)])
def test_errors_answer_per_on_error(on_error: OnError, allowed: bool) -> None:
    decision = error_decision(WebhookSettings(on_error=on_error), "evaluation took over 2 s")
    answer = response("u", decision)["response"]
    assert answer["allowed"] is allowed and decision.outcome == "error"
    if not allowed:
        assert answer["status"]["code"] == 500
        assert "evaluation took over 2 s" in answer["status"]["message"]
    else:
        assert "evaluation took over 2 s" in answer["warnings"][0]
    # Fail open admits an object nobody judged: the API server's audit log says so.
    assert answer["auditAnnotations"] == {"outcome": "error", "unjudged": str(allowed).lower()}


@pytest.mark.parametrize(
    ("change", "outcome"),
    [
        ({"namespace": "kube-system"}, "exempt"),
        ({"namespace": "guardrails"}, "exempt"),
        ({"operation": "DELETE"}, "skipped"),
        ({"operation": "CONNECT"}, "skipped"),
        ({"subResource": "status"}, "skipped"),
        ({"kind": {"group": "", "version": "v1", "kind": "ConfigMap"}}, "skipped"),
        ({}, None),
    ],
)
def test_requests_answered_without_judging(change: dict[str, Any], outcome: str | None) -> None:
    settings = WebhookSettings(exempt_namespaces=("kube-system", "guardrails"))
    early = before_judging({**REQUEST, **change}, settings)  # type: ignore[typeddict-item]
    assert (early.outcome if early else None) == outcome
    assert early is None or early.allowed


def test_namespace_settings_use_globs_in_order() -> None:
    settings = WebhookSettings(
        namespace_environments=(("ml-prod-*", "prod"), ("ml-*", "dev")),
        object_waiver_namespaces=("sandbox-*",),
    )
    assert settings.environment_of("ml-prod-eu") == "prod"
    assert settings.environment_of("ml-research") == "dev"
    assert settings.environment_of("payments") == "unknown"  # never the object's labels
    assert settings.environment_of("payments-staging") == "staging"  # the namespace's name
    assert WebhookSettings(default_environment="dev").environment_of("payments") == "dev"
    assert WebhookSettings(environment_from_labels=True).environment_of("payments") is None
    assert settings.honours_object_waivers("sandbox-bob")
    assert not settings.honours_object_waivers("ml-research")


def test_objects_a_trusted_controller_made_from_a_judged_owner_are_not_judged_again() -> None:
    obj = manifest("gpu-pod-over-budget.yaml")
    obj["metadata"]["ownerReferences"] = [
        {"apiVersion": "batch/v1", "kind": "Job", "name": "j", "uid": "1", "controller": True}
    ]
    doc = review(obj)
    settings = WebhookSettings()
    doc["request"]["userInfo"] = {"username": "system:serviceaccount:kube-system:job-controller"}
    early = before_judging(parse_review(_body(doc))["request"], settings)
    assert early is not None and (early.allowed, early.outcome) == (True, "owned")
    doc["request"]["userInfo"] = {"username": "alice"}  # anyone can write an ownerReference
    assert before_judging(parse_review(_body(doc))["request"], settings) is None
    obj["metadata"]["ownerReferences"][0]["controller"] = False
    doc["request"]["userInfo"] = {"username": "system:serviceaccount:kube-system:job-controller"}
    assert before_judging(parse_review(_body(review(obj)))["request"], settings) is None
    operator = WebhookSettings(
        trusted_controllers=("system:serviceaccount:ray-system:kuberay-operator",)
    )
    obj["metadata"]["ownerReferences"][0]["controller"] = True
    doc = review(obj)
    doc["request"]["userInfo"] = {"username": "system:serviceaccount:ray-system:kuberay-operator"}
    assert before_judging(parse_review(_body(doc))["request"], operator) is not None


def test_lone_surrogates_become_replacement_characters() -> None:
    """The Rego engines' JSON cannot carry a lone surrogate (an internal error before)."""
    doc = review(manifest("gpu-pod-over-budget.yaml"))
    doc["request"]["object"]["metadata"]["name"] = "pod-\ud800"
    parsed = parse_review(json.dumps(doc).encode())
    assert parsed["request"]["object"]["metadata"]["name"] == "pod-\ufffd"
