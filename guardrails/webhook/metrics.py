"""Prometheus metrics of the webhook: decisions by outcome and kind, findings by policy,
latency, errors and certificate reloads."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from guardrails.webhook.review import Decision

#: Admission latency matters in milliseconds: the API server waits for every answer.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class WebhookMetrics:
    """One registry per server, so tests and several apps in a process stay apart."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "guardrails_webhook_requests",
            "Admission reviews answered, by outcome, kind and whether the request was a dry run.",
            ["outcome", "kind", "dry_run"],
            registry=self.registry,
        )
        self.findings = Counter(
            "guardrails_webhook_findings",
            "Findings on admitted objects, by policy, kind and effect (deny, warn, ...).",
            ["policy", "kind", "effect"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "guardrails_webhook_request_duration_seconds",
            "Time from receiving a review to answering it.",
            ["outcome"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.errors = Counter(
            "guardrails_webhook_errors",
            "Reviews that could not be judged normally, by reason.",
            ["reason"],
            registry=self.registry,
        )
        self.certificate_reloads = Counter(
            "guardrails_webhook_certificate_reloads",
            "Serving certificate reloads after the files changed, by result.",
            ["result"],
            registry=self.registry,
        )
        self.in_flight = Gauge(
            "guardrails_webhook_in_flight_requests",
            "Reviews being judged right now.",
            registry=self.registry,
        )

    def record(self, decision: Decision, kind: str, dry_run: bool, seconds: float) -> None:
        self.requests.labels(decision.outcome, kind, str(dry_run).lower()).inc()
        self.latency.labels(decision.outcome).observe(seconds)
        for judged in decision.findings:
            self.findings.labels(judged.finding.policy, kind, str(judged.effect)).inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)
