"""Judging real objects through guardrails.api with policies loaded once."""

from __future__ import annotations

import asyncio
import copy
import json
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guardrails.api import PreparedPolicies, ScanOptions, prepare_policies, resolve_config
from guardrails.config import Config, validate_config
from guardrails.errors import EngineError, GuardrailsError
from guardrails.webhook.judge import Judge
from guardrails.webhook.metrics import WebhookMetrics
from guardrails.webhook.review import BadReview, Decision, OnError, WebhookSettings, parse_review
from guardrails.webhook.server import WebhookApp
from guardrails.webhook.types import AdmissionReview
from guardrails.webhook.work import Job
from tests.webhook.reviews import manifest, review

EXPIRES = (date.today() + timedelta(days=30)).isoformat()
WAIVE_COST = f'GR-COST-001 reason="approved burst" expires={EXPIRES}'


def _prepared(engine: str = "python", config: dict[str, Any] | None = None) -> PreparedPolicies:
    options = ScanOptions(no_config=True, engine=engine)
    base = (
        resolve_config([], options) if config is None else Config(validate_config(config, "test"))
    )
    return prepare_policies(base, options)


PREPARED = _prepared()


def _judge(settings: WebhookSettings | None = None, prepared: PreparedPolicies = PREPARED) -> Judge:
    return Judge(prepared, settings or WebhookSettings())


def _typed(doc: dict[str, Any]) -> AdmissionReview:
    return parse_review(json.dumps(doc).encode())


def test_over_budget_gpu_pod_is_denied_and_compliant_one_allowed() -> None:
    judge = _judge()
    denied = judge.judge(_typed(review(manifest("gpu-pod-over-budget.yaml"))))
    assert not denied.allowed
    assert denied.denied_by == ["GR-COST-001", "GR-TAG-003"]
    assert denied.environment == "dev"
    allowed = judge.judge(_typed(review(manifest("gpu-pod-compliant.yaml"))))
    assert (allowed.allowed, allowed.outcome, allowed.warnings) == (True, "allowed", ())


def test_every_ai_crd_fixture_is_judged() -> None:
    judge = _judge()
    for index in range(6):
        obj = manifest("ai-crds.yaml", index)
        decision = judge.judge(_typed(review(obj)))
        assert decision.outcome in ("denied", "warned", "allowed"), obj["kind"]
        assert decision.findings, f"{obj['kind']} gave no findings"


def test_namespace_from_the_request_when_the_object_has_none() -> None:
    obj = manifest("gpu-pod-over-budget.yaml")
    del obj["metadata"]["namespace"]
    decision = _judge().judge(_typed(review(obj, namespace="ml-dev")))
    assert decision.environment == "dev" and not decision.allowed


def test_operator_environment_wins_over_the_objects_own_label() -> None:
    obj = manifest("gpu-pod-over-budget.yaml")
    obj["metadata"]["namespace"] = "research"
    obj["metadata"]["labels"]["environment"] = "prod"  # would lift the dev ceiling
    settings = WebhookSettings(namespace_environments=(("research*", "dev"),))
    decision = _judge(settings).judge(_typed(review(obj)))
    assert decision.environment == "dev"
    assert "GR-COST-001" in decision.denied_by
    # The URL path (one webhook entry per namespaceSelector) assigns it too.
    assert _judge().judge(_typed(review(obj)), environment="dev").environment == "dev"


@pytest.mark.parametrize(
    ("settings", "environment", "allowed"),
    [
        (WebhookSettings(), "unknown", False),
        (WebhookSettings(default_environment="dev"), "dev", False),
        (WebhookSettings(environment_from_labels=True), "prod", True),
    ],
    ids=["default-unknown", "configured-default", "labels-opted-in"],
)
def test_an_unmapped_namespace_does_not_take_the_objects_own_environment(
    settings: WebhookSettings, environment: str, allowed: bool
) -> None:
    """Issue #20: an object in an unmapped namespace labelled itself prod, got the prod
    ceiling (100,000) and was admitted; the namespace decides, else the webhook's default."""
    obj = manifest("gpu-pod-over-budget.yaml")  # ~$23k/month: over every ceiling but prod's
    obj["metadata"]["namespace"] = "research"
    obj["metadata"]["labels"].update(environment="prod", workload="training")
    decision = _judge(settings).judge(_typed(review(obj)))
    assert decision.environment == environment
    assert decision.allowed is allowed
    assert ("GR-COST-001" in decision.denied_by) is not allowed


def test_the_namespace_name_still_names_the_environment() -> None:
    obj = manifest("gpu-pod-over-budget.yaml")
    obj["metadata"]["labels"]["environment"] = "prod"
    for namespace, environment in (("ml-dev", "dev"), ("team-prod", "prod"), ("x", "unknown")):
        decision = _judge().judge(_typed(review(obj, namespace=namespace)))
        assert decision.environment == environment, namespace


def test_a_workload_cannot_waive_itself_unless_the_operator_opts_in() -> None:
    obj = manifest("gpu-pod-over-budget.yaml")
    obj["metadata"]["annotations"] = {"guardrails.dev/ignore": WAIVE_COST}
    doc = _typed(review(obj))
    assert "GR-COST-001" in _judge().judge(doc).denied_by
    opted_in = _judge(WebhookSettings(object_waiver_namespaces=("ml-*",))).judge(doc)
    assert "GR-COST-001" not in opted_in.denied_by
    assert any(
        j.finding.policy == "GR-COST-001" and j.effect == "waived" for j in opted_in.findings
    )


def test_the_server_configuration_waives() -> None:
    config = {
        "waivers": [
            {
                "policy": "GR-COST-001",
                "resource": "Pod/ml-dev/trainer",
                "reason": "quarterly training run",
                "owner": "platform",
                "expires": EXPIRES,
            }
        ]
    }
    decision = _judge(prepared=_prepared(config=config)).judge(
        _typed(review(manifest("gpu-pod-over-budget.yaml")))
    )
    assert decision.denied_by == ["GR-TAG-003"]


def _update(old: dict[str, Any], new: dict[str, Any]) -> AdmissionReview:
    return _typed(review(new, operation="UPDATE", old=old))


def test_update_is_judged_on_what_it_changes() -> None:
    judge = _judge()
    old = manifest("gpu-pod-over-budget.yaml")
    relabel = copy.deepcopy(old)
    relabel["metadata"]["labels"]["release"] = "2"
    decision = judge.judge(_update(old, relabel))
    assert decision.allowed, "violations that already ran are not the update's fault"
    assert any("already failing" in w for w in decision.warnings)

    compliant = manifest("gpu-pod-compliant.yaml")
    compliant["metadata"]["name"] = "trainer"
    worse = copy.deepcopy(compliant)
    worse["spec"]["containers"][0]["securityContext"] = {"privileged": True}
    assert not judge.judge(_update(compliant, worse)).allowed, "a new violation is denied"


def test_update_that_raises_cost_of_an_over_budget_workload_is_denied() -> None:
    old = manifest("gpu-pod-over-budget.yaml")
    old["spec"]["containers"][0]["resources"]["limits"]["nvidia.com/gpu"] = 4
    new = manifest("gpu-pod-over-budget.yaml")  # 8 GPUs
    decision = _judge().judge(_update(old, new))
    assert "GR-COST-001" in decision.denied_by
    shrink = _judge().judge(_update(new, old))
    assert "GR-COST-001" not in shrink.denied_by


def test_dry_run_is_judged_like_the_real_request() -> None:
    doc = _typed(review(manifest("gpu-pod-over-budget.yaml"), dry_run=True))
    assert not _judge().judge(doc).allowed


def test_concurrent_judging_gives_the_same_answers() -> None:
    judge = _judge(prepared=_prepared("auto"))
    docs = [
        _typed(review(manifest(name)))
        for name in ("gpu-pod-over-budget.yaml", "gpu-pod-compliant.yaml") * 20
    ]
    expected = [judge.judge(d) for d in docs[:2]]
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(judge.judge, docs))
    for i, decision in enumerate(results):
        assert decision.allowed == expected[i % 2].allowed
        assert decision.policies == expected[i % 2].policies


@pytest.mark.parametrize("engine", ["auto", "rego"])
def test_engines_agree_with_the_python_twins(engine: str) -> None:
    try:
        prepared = _prepared(engine)
    except EngineError as exc:  # pragma: no cover - a machine without a Rego engine
        pytest.skip(f"{engine} engine unavailable: {exc}")
    for name in ("gpu-pod-over-budget.yaml", "gpu-pod-compliant.yaml"):
        doc = _typed(review(manifest(name)))
        assert _judge(prepared=prepared).judge(doc).policies == _judge().judge(doc).policies


class _BrokenJudge(Judge):
    def judge(
        self,
        review: AdmissionReview,
        environment: str | None = None,
        deadline: float | None = None,
    ) -> Decision:
        raise RuntimeError("engine exploded")


@pytest.mark.parametrize(("on_error", "allowed"), [(OnError.DENY, False), (OnError.ALLOW, True)])
def test_an_internal_error_answers_per_on_error(on_error: OnError, allowed: bool) -> None:
    app = WebhookApp(
        _BrokenJudge(PREPARED, WebhookSettings(on_error=on_error)), WebhookMetrics(), "enforce"
    )
    body = json.dumps(review(manifest("gpu-pod-over-budget.yaml"))).encode()
    decision = asyncio.run(app.judge_job(Job(body, None, time.monotonic() + 10)))
    assert decision is not None
    assert (decision.allowed, decision.outcome) == (allowed, "error")
    assert "internal error (RuntimeError)" in (decision.message or decision.warnings[0])
    assert app.metrics.errors.labels("internal")._value.get() == 1
    app.lanes.shutdown()


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_garbage_anywhere_in_an_admitted_object_never_escapes_as_a_crash(
    data: st.DataObject,
) -> None:
    name, index = data.draw(
        st.sampled_from([("gpu-pod-over-budget.yaml", 0)] + [("ai-crds.yaml", i) for i in range(6)])
    )
    doc = review(manifest(name, index))
    node: Any = doc["request"]["object"]
    for _ in range(data.draw(st.integers(0, 6))):
        keys = sorted(node) if isinstance(node, dict) else list(range(len(node)))
        if not keys:
            break
        key = data.draw(st.sampled_from(keys))
        if isinstance(node[key], dict | list) and data.draw(st.booleans()):
            node = node[key]
            continue
        node[key] = data.draw(_JSON)
        break
    try:
        review_doc = parse_review(json.dumps(doc).encode())
    except BadReview:
        return
    try:
        decision = _judge().judge(review_doc)
    except GuardrailsError:
        return  # answered per --on-error with the message, like a budget overrun
    assert isinstance(decision.allowed, bool)


def test_a_job_past_its_deadline_is_dropped_before_parsing() -> None:
    body = json.dumps(review(manifest("gpu-pod-over-budget.yaml"))).encode()
    job = Job(body, None, time.monotonic() - 0.001)
    with pytest.raises(TimeoutError):
        job.run(_judge())
    assert job.review is None
    done = Job(body, None, time.monotonic() + 60).run(_judge())
    assert done.decision is not None and done.review is not None and not done.decision.allowed


def test_an_update_stops_before_judging_the_old_object_past_the_deadline() -> None:
    obj = manifest("gpu-pod-over-budget.yaml")
    doc = _typed(review(obj, operation="UPDATE", old=copy.deepcopy(obj)))
    with pytest.raises(TimeoutError):
        _judge().judge(doc, deadline=time.monotonic() - 0.001)
    assert _judge().judge(doc, deadline=time.monotonic() + 60).outcome == "warned"


def _deployment(replicas: int, **changes: Any) -> dict[str, Any]:
    import yaml

    from tests.ledger import cases

    obj: dict[str, Any] = yaml.safe_load(cases.deployment("llm", replicas))
    obj["metadata"]["labels"].update(changes.get("labels", {}))
    if changes.get("privileged"):
        container = obj["spec"]["template"]["spec"]["containers"][0]
        container["securityContext"] = {"privileged": True}
    return obj


@pytest.mark.parametrize(
    ("name", "old", "new", "ratchet", "denied_by", "says"),
    [
        ("label edit", _deployment(2), _deployment(2, labels={"release": "2"}), True, [], ""),
        ("scale down", _deployment(4), _deployment(2), True, [], ""),
        (
            "scale up",
            _deployment(2),
            _deployment(4),
            True,
            ["GR-COST-001", "GR-TAG-003"],
            "[GR-COST-001 high] made worse by this update (max cost $32,058 → $64,116/month "
            "(+$32,058); max GPUs 16 → 32)",
        ),
        (
            "new violation",
            _deployment(2),
            _deployment(2, privileged=True),
            True,
            ["GR-SEC-005"],
            "",
        ),
        (
            "label edit, no ratchet",
            _deployment(2),
            _deployment(2, labels={"release": "2"}),
            False,
            ["GR-COST-001", "GR-TAG-003"],
            "",
        ),
    ],
)
def test_ratchet_admits_what_is_not_worse_and_says_what_is(
    name: str,
    old: dict[str, Any],
    new: dict[str, Any],
    ratchet: bool,
    denied_by: list[str],
    says: str,
) -> None:
    decision = _judge(WebhookSettings(ratchet=ratchet)).judge(_update(old, new))
    assert sorted(decision.denied_by) == denied_by, name
    assert decision.allowed is (not denied_by)
    assert says in decision.message
    if ratchet and not denied_by:
        assert any("already failing" in w for w in decision.warnings)
