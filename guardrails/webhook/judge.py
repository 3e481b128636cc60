"""Judging one AdmissionReview with policies loaded once (through guardrails.api)."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from guardrails.api import (
    PreparedPolicies,
    ScanOptions,
    prepare_policies,
    resolve_config,
    scan_documents,
)
from guardrails.ledger import Change, classify, observe
from guardrails.model import Outcome
from guardrails.report import Report
from guardrails.webhook.review import (
    Decision,
    WebhookSettings,
    before_judging,
    decide,
    namespace_of,
)
from guardrails.webhook.types import ADMISSION_API_VERSION, AdmissionReview

#: A GPU pod judged once at start-up, so the first real request does not pay for warm-up.
_WARM_UP: dict[str, Any] = {
    "apiVersion": ADMISSION_API_VERSION,
    "kind": "AdmissionReview",
    "request": {
        "uid": "warm-up",
        "kind": {"group": "", "version": "v1", "kind": "Pod"},
        "operation": "CREATE",
        "namespace": "warm-up",
        "object": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "warm-up", "namespace": "warm-up"},
            "spec": {
                "containers": [
                    {"name": "c", "image": "x", "resources": {"limits": {"nvidia.com/gpu": 1}}}
                ]
            },
        },
    },
}


class Judge:
    """Evaluates admitted objects; thread-safe (the engines keep per-thread state)."""

    def __init__(self, prepared: PreparedPolicies, settings: WebhookSettings) -> None:
        self.prepared = prepared
        self.settings = settings
        self._ignore_unknown = prepared.config.values.get("unknown") == "ignore"

    def warm_up(self) -> None:
        self.judge(_WARM_UP)  # type: ignore[arg-type]

    def judge(
        self,
        review: AdmissionReview,
        environment: str | None = None,
        deadline: float | None = None,
    ) -> Decision:
        """The decision on ``review``; ``environment`` comes from the URL path, if any.

        ``deadline`` (``time.monotonic()``): TimeoutError instead of starting another scan
        after it, so work nobody waits for any more stops early.
        """
        request = review["request"]
        early = before_judging(request, self.settings)
        if early is not None:
            return early
        namespace = namespace_of(request)
        environment = environment or self.settings.environment_of(namespace)
        waivers = self.settings.honours_object_waivers(namespace)
        report = self._scan(review, environment, waivers)
        pre_existing: frozenset[str] = frozenset()
        worse: dict[str, tuple[str, ...]] = {}
        old = request.get("oldObject")
        if request["operation"] == "UPDATE" and isinstance(old, dict) and self.settings.ratchet:
            check_deadline(deadline)
            previous = self._scan(_as_review(old, namespace), environment, waivers)
            pre_existing, worse = ratchet(report, previous)
        findings = [
            f
            for f in report.findings
            if not (self._ignore_unknown and f.outcome == Outcome.UNKNOWN)
        ]
        return decide(
            request,
            findings,
            self.settings,
            pre_existing=pre_existing,
            worse=worse,
            environment=_environment(report),
        )

    def _scan(self, document: Mapping[str, Any], environment: str | None, waivers: bool) -> Report:
        return scan_documents(
            [document], self.prepared, environment=environment, source_waivers=waivers
        )


@dataclass(frozen=True)
class JudgeSpec:
    """How to build the same Judge in another process (engines do not cross processes)."""

    options: ScanOptions
    settings: WebhookSettings

    def build(self) -> Judge:
        prepared = prepare_policies(resolve_config([], self.options), self.options)
        return Judge(prepared, self.settings)


def check_deadline(deadline: float | None) -> None:
    """TimeoutError once ``deadline`` (``time.monotonic()``) has passed."""
    if deadline is not None and time.monotonic() >= deadline:
        raise TimeoutError("the review's budget ran out")


def _as_review(obj: dict[str, Any], namespace: str) -> dict[str, Any]:
    request = {"uid": "old", "operation": "CREATE", "namespace": namespace, "object": obj}
    return {"apiVersion": ADMISSION_API_VERSION, "kind": "AdmissionReview", "request": request}


def _environment(report: Report) -> str | None:
    resource = next(iter(report.graph.resources), None)
    env = resource.facts.get("environment") if resource is not None else None
    return env if isinstance(env, str) else None


def ratchet(report: Report, previous: Report) -> tuple[frozenset[str], dict[str, tuple[str, ...]]]:
    """What the old object already failed (fingerprints) and, of that, what the update makes
    worse (fingerprint -> how: severity, cost or GPU count at max scale): the ledger of the
    update against the object it replaces."""
    ledger = classify(
        observe(report.findings, report.graph),
        observe(previous.findings, previous.graph),
        "the object before this update",
    )
    kept = [e for e in ledger.entries if e.head is not None and e.base is not None]
    pre_existing = frozenset(e.finding.fingerprint for e in kept)
    worse = {e.finding.fingerprint: e.escalations for e in kept if e.change is Change.ESCALATED}
    return pre_existing, worse
