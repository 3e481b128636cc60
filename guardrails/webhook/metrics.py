"""Prometheus metrics of the webhook: decisions by outcome and kind, findings by policy,
latency, errors, connections and certificate reloads.

Every label value comes from a closed set: a kind the webhook is registered for (else
``other``), a policy it loaded (else ``other``), its own outcomes and reasons. A request's own
strings (kind, group, namespace, name, user, operation) never become a label, so a client
cannot grow the registry (600 reviews with random 1 MB kinds once made ``/metrics`` 1.2 GB).
"""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from guardrails.webhook.review import Decision

OTHER = "other"

#: Admission latency matters in milliseconds: the API server waits for every answer.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class WebhookMetrics:
    """One registry per server, so tests and several apps in a process stay apart."""

    def __init__(self, policies: Iterable[str] = ()) -> None:
        self.policies = frozenset(policies)
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
        self.in_flight_bytes = Gauge(
            "guardrails_webhook_in_flight_bytes",
            "Request bytes held by reviews being read, queued or judged (bounded).",
            registry=self.registry,
        )
        self.open_connections = Gauge(
            "guardrails_webhook_open_connections",
            "Open client connections (after the TLS handshake).",
            registry=self.registry,
        )
        self.idle_connections = Gauge(
            "guardrails_webhook_idle_connections",
            "Open connections without a complete request.",
            registry=self.registry,
        )
        self.connections_closed = Counter(
            "guardrails_webhook_connections_closed",
            "Connections the server closed: read_timeout, client_limit, idle_limit, header_limit.",
            ["reason"],
            registry=self.registry,
        )

    def record(self, decision: Decision, kind: str, dry_run: bool, seconds: float) -> None:
        """Count one answer; ``kind`` is already a closed-set label (kinds.metric_label)."""
        self.requests.labels(decision.outcome, kind, str(dry_run).lower()).inc()
        self.latency.labels(decision.outcome).observe(seconds)
        for judged in decision.findings:
            policy = judged.finding.policy
            self.findings.labels(
                policy if policy in self.policies else OTHER, kind, str(judged.effect)
            ).inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)
