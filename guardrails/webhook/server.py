"""The HTTPS transport: Starlette routes on uvicorn, evaluation in a worker pool under a
time budget, one JSON log line per decision, metrics, health and certificate reload."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import ssl
import sys
import time
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from guardrails.errors import GuardrailsError
from guardrails.webhook.judge import Judge
from guardrails.webhook.kinds import label
from guardrails.webhook.metrics import WebhookMetrics
from guardrails.webhook.review import (
    MAX_BODY_BYTES,
    BadReview,
    Decision,
    error_decision,
    name_of,
    namespace_of,
    parse_review,
    response,
)
from guardrails.webhook.tls import CertificateReloader, server_context
from guardrails.webhook.types import AdmissionReview

ENVIRONMENTS = ("dev", "staging", "prod")
#: A body over the limit is still read (and dropped) up to here, so the client sees the 400.
_DRAIN_LIMIT = 64 * 1024 * 1024
MAX_CONNECTIONS = 256
CONTENT_TYPE_METRICS = "text/plain; version=0.0.4; charset=utf-8"

log = logging.getLogger("guardrails.webhook")


class _JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        fields: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(record.created)),
            "level": record.levelname.lower(),
            "msg": record.getMessage(),
        }
        fields.update(getattr(record, "fields", {}))
        return json.dumps(fields, separators=(",", ":"), ensure_ascii=False)


def configure_logging() -> None:
    """One JSON object per line on stdout for the webhook's own records."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(_JsonLines())
    log.handlers[:] = [handler]
    log.setLevel(logging.INFO)
    log.propagate = False


@dataclass
class WebhookApp:
    """Everything a request handler needs, created once per server."""

    judge: Judge
    metrics: WebhookMetrics
    mode: str
    workers: int = 4

    def __post_init__(self) -> None:
        self.pool = ThreadPoolExecutor(self.workers, thread_name_prefix="guardrails-judge")
        self.ready = False

    async def validate(self, request: Request) -> Response:
        started = time.perf_counter()
        environment = request.path_params.get("environment")
        if environment is not None and environment not in ENVIRONMENTS:
            return self._bad(f"unknown environment {environment!r} in the path", started)
        try:
            body = await _read_body(request)
            review = parse_review(body)
        except BadReview as exc:
            return self._bad(str(exc), started)
        decision = await self._decide(review, environment, started)
        self._record(review, decision, started)
        return JSONResponse(response(review["request"]["uid"], decision))

    async def _decide(
        self, review: AdmissionReview, environment: str | None, started: float
    ) -> Decision:
        settings = self.judge.settings
        budget = max(settings.budget_seconds - (time.perf_counter() - started), 0.0)
        self.metrics.in_flight.inc()
        try:
            loop = asyncio.get_running_loop()
            work = loop.run_in_executor(self.pool, self.judge.judge, review, environment)
            return await asyncio.wait_for(work, timeout=budget)
        except TimeoutError:
            self.metrics.errors.labels("budget").inc()
            return error_decision(settings, f"evaluation took over {settings.budget_seconds:g} s")
        except GuardrailsError as exc:  # an object the parsers or a waiver reject
            self.metrics.errors.labels("input").inc()
            return error_decision(settings, str(exc))
        except Exception as exc:  # an engine bug must answer per --on-error, never crash
            self.metrics.errors.labels("internal").inc()
            log.error(
                "evaluation failed",
                extra={"fields": {"uid": review["request"]["uid"], "error": _error_text(exc)}},
            )
            return error_decision(settings, f"internal error ({type(exc).__name__})")
        finally:
            self.metrics.in_flight.dec()

    def _record(self, review: AdmissionReview, decision: Decision, started: float) -> None:
        request = review["request"]
        seconds = time.perf_counter() - started
        kind = label(request["kind"]["group"], request["kind"]["kind"])
        dry_run = bool(request.get("dryRun"))
        self.metrics.record(decision, kind, dry_run, seconds)
        # Identifiers and policy ids only: never the object, whose env may hold secrets.
        fields = {
            "uid": request["uid"],
            "kind": kind,
            "namespace": namespace_of(request),
            "name": name_of(request),
            "operation": request["operation"],
            "dry_run": dry_run,
            "user": (request.get("userInfo") or {}).get("username"),
            "mode": self.mode,
            "environment": decision.environment,
            "allowed": decision.allowed,
            "outcome": decision.outcome,
            "denied_by": decision.denied_by,
            "policies": decision.policies,
            "ms": round(seconds * 1000, 2),
        }
        log.info("admission decision", extra={"fields": fields})

    def _bad(self, message: str, started: float) -> Response:
        self.metrics.errors.labels("bad_request").inc()
        self.metrics.latency.labels("bad_request").observe(time.perf_counter() - started)
        log.warning("bad request", extra={"fields": {"error": message}})
        return JSONResponse({"error": message}, status_code=400)

    def certificate_reloaded(self, ok: bool, detail: str) -> None:
        self.metrics.certificate_reloads.labels("ok" if ok else "failed").inc()
        if ok:
            log.info("certificate reloaded", extra={"fields": {"cert": detail}})
        else:
            log.error("certificate reload failed", extra={"fields": {"error": detail}})

    async def healthz(self, request: Request) -> Response:
        return PlainTextResponse("ok")

    async def readyz(self, request: Request) -> Response:
        if not self.ready:
            return PlainTextResponse("warming up", status_code=503)
        return PlainTextResponse("ready")

    async def metrics_endpoint(self, request: Request) -> Response:
        return Response(self.metrics.render(), media_type=CONTENT_TYPE_METRICS)


async def _read_body(request: Request) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > _DRAIN_LIMIT:
        raise BadReview(
            f"request body is {int(declared):,} bytes, over the {MAX_BODY_BYTES:,}-byte limit"
        )
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > _DRAIN_LIMIT:
            break
        if size <= MAX_BODY_BYTES:
            chunks.append(chunk)
    if size > MAX_BODY_BYTES:
        raise BadReview(f"request body is over the {MAX_BODY_BYTES:,}-byte limit")
    return b"".join(chunks)


def _error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}"


def create_app(
    app: WebhookApp, reloader: CertificateReloader | None = None, reload_every: float = 5.0
) -> Starlette:
    """The ASGI application: /validate[/{environment}], /healthz, /readyz, /metrics."""

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(app.pool, app.judge.warm_up)
        app.ready = True
        task = asyncio.create_task(_watch(reloader, reload_every)) if reloader else None
        log.info("ready", extra={"fields": {"mode": app.mode}})
        try:
            yield
        finally:
            app.ready = False
            if task is not None:
                task.cancel()
            app.pool.shutdown(wait=False, cancel_futures=True)

    return Starlette(
        routes=[
            Route("/validate", app.validate, methods=["POST"]),
            Route("/validate/{environment}", app.validate, methods=["POST"]),
            Route("/healthz", app.healthz, methods=["GET"]),
            Route("/readyz", app.readyz, methods=["GET"]),
            Route("/metrics", app.metrics_endpoint, methods=["GET"]),
        ],
        lifespan=lifespan,
    )


async def _watch(reloader: CertificateReloader, every: float) -> None:
    while True:
        await asyncio.sleep(every)
        reloader.check()


def serve(
    app: WebhookApp,
    *,
    cert: Path,
    key: Path,
    host: str,
    port: int,
    reload_every: float = 5.0,
) -> None:
    """Serve ``app`` over HTTPS until SIGINT/SIGTERM."""
    import uvicorn

    configure_logging()
    # Fails fast, naming the file, on a bad pair; replaced by uvicorn's live context below.
    reloader = CertificateReloader(server_context(cert, key), cert, key, app.certificate_reloaded)
    config = uvicorn.Config(
        create_app(app, reloader, reload_every),
        host=host,
        port=port,
        ssl_certfile=str(cert),
        ssl_keyfile=str(key),
        log_level="warning",
        access_log=False,
        server_header=False,
        timeout_graceful_shutdown=10,
        # Beyond this many open connections answer 503 (the API server then applies the
        # failurePolicy) instead of queueing 3 MiB bodies without bound.
        limit_concurrency=MAX_CONNECTIONS,
    )
    config.load()
    assert config.ssl is not None
    config.ssl.minimum_version = ssl.TLSVersion.TLSv1_2
    reloader.context = config.ssl
    uvicorn.Server(config).run()
