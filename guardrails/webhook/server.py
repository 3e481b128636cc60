"""The HTTPS transport: Starlette routes on uvicorn, evaluation in a worker pool under a
time budget, one JSON log line per decision, metrics, health and certificate reload."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import sys
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from guardrails.enrich.environment import ENVIRONMENTS
from guardrails.webhook.connections import (
    ConnectionGuard,
    ConnectionLimits,
    guarded_loop_factory,
    guarded_protocol,
)
from guardrails.webhook.judge import Judge, JudgeSpec
from guardrails.webhook.kinds import label
from guardrails.webhook.metrics import WebhookMetrics
from guardrails.webhook.review import (
    MAX_BODY_BYTES,
    BadReview,
    Decision,
    error_decision,
    name_of,
    namespace_of,
    response,
)
from guardrails.webhook.tls import AEAD_CIPHERS, CertificateReloader, harden, server_context
from guardrails.webhook.types import AdmissionReview
from guardrails.webhook.work import MIN_CHARGE, InFlightBytes, Job, Lanes, Outcome

#: A body over the limit is still read (and dropped) up to here, so the client sees the 400.
_DRAIN_LIMIT = 64 * 1024 * 1024
#: Two of the largest reviews (3 MiB: one judged, one queued) beside ordinary ones; more would
#: only wait past their deadline. The deployment's 512 Mi limit holds them with the parsed
#: object (~25x its bytes for object-heavy JSON).
DEFAULT_IN_FLIGHT_BYTES = 8 * 1024 * 1024
SWITCH_INTERVAL_S = 0.0002
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
    #: Bytes of reviews being read, queued or judged at once; over it: 429 without reading.
    max_in_flight_bytes: int = DEFAULT_IN_FLIGHT_BYTES
    #: Builds the judge of the large-review process (None: large reviews on a thread).
    spec: JudgeSpec | None = None

    def __post_init__(self) -> None:
        self.lanes = Lanes(self.workers, self.spec)
        self.connections: ConnectionGuard | None = None
        self.in_flight_bytes = InFlightBytes(self.max_in_flight_bytes)
        self.ready = False

    async def validate(self, request: Request) -> Response:
        started = time.perf_counter()
        deadline = time.monotonic() + self.judge.settings.budget_seconds
        environment = request.path_params.get("environment")
        if environment is not None and environment not in ENVIRONMENTS:
            return self._bad(f"unknown environment {environment!r} in the path", started)
        charge = _charge(request)
        if not self.in_flight_bytes.take(charge):
            # Not even read: decrypting megabytes on the loop is what the budget saves.
            return self._refuse(
                429,
                "overloaded",
                f"over {self.in_flight_bytes.limit:,} bytes of reviews in flight; retry",
                started,
            )
        self.metrics.in_flight_bytes.set(self.in_flight_bytes.used)
        try:
            body = await _read_body(request)
        except BadReview as exc:
            self._release(charge)
            return self._bad(str(exc), started)
        except ClientDisconnect:  # closed by the read timeout or the client: nobody to answer
            self._release(charge)
            return Response(status_code=400)
        job = Job(body, environment, deadline)
        try:
            decision = await self.judge_job(job, charge)
        except BadReview as exc:
            return self._bad(str(exc), started)
        if decision is None:
            return self._refuse(
                503, "budget", "the review could not be read within the budget", started
            )
        assert job.review is not None
        self._record(job.review, decision, started)
        return JSONResponse(response(job.review["request"]["uid"], decision))

    def _release(self, charge: int) -> None:
        self.in_flight_bytes.give(charge)
        self.metrics.in_flight_bytes.set(self.in_flight_bytes.used)

    def _release_from_worker(self, charge: int) -> Callable[[Future[Outcome]], None]:
        """Give the bytes back when the worker is really done (or the job was dropped)."""
        loop = asyncio.get_running_loop()

        def done(_: Future[Outcome]) -> None:
            with contextlib.suppress(RuntimeError):  # the loop closed at shutdown
                loop.call_soon_threadsafe(self._release, charge)

        return done

    async def judge_job(self, job: Job, charge: int = 0) -> Decision | None:
        """The decision on ``job`` from a worker, or at its deadline the ``--on-error`` answer
        (None: the body was not even parsed, so no uid to answer). ``charge`` in-flight bytes
        are given back when the worker is done. BadReview (a malformed body) propagates.
        """
        settings = self.judge.settings
        future = self.lanes.submit(job, self.judge)
        future.add_done_callback(self._release_from_worker(charge))
        self.metrics.in_flight.inc()
        try:
            remaining = max(job.deadline - time.monotonic(), 0.0)
            outcome = await asyncio.wait_for(asyncio.wrap_future(future), timeout=remaining)
        except TimeoutError:
            if job.review is None:
                return None  # counted by the 503 answer
            self.metrics.errors.labels("budget").inc()
            return error_decision(settings, f"evaluation took over {settings.budget_seconds:g} s")
        except Exception as exc:  # the large-review process died
            outcome = Outcome(job.review, internal=_error_text(exc))
        finally:
            self.metrics.in_flight.dec()
        job.review = outcome.review or job.review
        if outcome.bad is not None:
            raise BadReview(outcome.bad)
        if job.review is None:
            return None
        if outcome.rejected is not None:  # an object the parsers or a waiver reject
            self.metrics.errors.labels("input").inc()
            return error_decision(settings, outcome.rejected)
        if outcome.internal is not None or outcome.decision is None:
            self.metrics.errors.labels("internal").inc()
            problem = outcome.internal or "no decision"
            log.error(
                "evaluation failed",
                extra={
                    "fields": {"uid": _field(job.review["request"]["uid"]), "error": problem[:300]}
                },
            )
            return error_decision(settings, f"internal error ({problem.split(':')[0]})")
        return outcome.decision

    def _record(self, review: AdmissionReview, decision: Decision, started: float) -> None:
        request = review["request"]
        seconds = time.perf_counter() - started
        kind = label(request["kind"]["group"], request["kind"]["kind"])
        dry_run = bool(request.get("dryRun"))
        self.metrics.record(decision, kind, dry_run, seconds)
        # Identifiers and policy ids only: never the object, whose env may hold secrets. Each
        # is clipped: a direct client can put a megabyte in any of them.
        fields = {
            "uid": _field(request["uid"]),
            "kind": _field(request["kind"]["kind"]),
            "group": _field(request["kind"]["group"]),
            "namespace": _field(namespace_of(request)),
            "name": _field(name_of(request)),
            "operation": _field(request["operation"]),
            "dry_run": dry_run,
            "user": _field((request.get("userInfo") or {}).get("username")),
            "mode": self.mode,
            "environment": decision.environment,
            "allowed": decision.allowed,
            "outcome": decision.outcome,
            "denied_by": decision.denied_by,
            "policies": decision.policies,
            "ms": round(seconds * 1000, 2),
        }
        log.info("admission decision", extra={"fields": fields})

    def _refuse(self, status: int, reason: str, message: str, started: float) -> Response:
        """An HTTP error instead of an AdmissionReview: the API server's failurePolicy applies."""
        self.metrics.errors.labels(reason).inc()
        self.metrics.latency.labels(reason).observe(time.perf_counter() - started)
        log.warning("review refused", extra={"fields": {"status": status, "error": message}})
        # Connection: close, so the rest of an unread upload is not received and decrypted.
        headers = {"Retry-After": "1", "Connection": "close"}
        return JSONResponse({"error": message}, status_code=status, headers=headers)

    def _bad(self, message: str, started: float) -> Response:
        self.metrics.errors.labels("bad_request").inc()
        self.metrics.latency.labels("bad_request").observe(time.perf_counter() - started)
        log.warning("bad request", extra={"fields": {"error": message}})
        return JSONResponse({"error": message}, status_code=400)

    def connection_closed(self, reason: str) -> None:
        self.metrics.connections_closed.labels(reason).inc()

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
        if self.connections is not None:
            self.metrics.open_connections.set(self.connections.open)
            self.metrics.idle_connections.set(self.connections.idle_count)
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


def _charge(request: Request) -> int:
    """What a review holds in memory until its worker is done: its declared length (the
    largest body accepted when it declares none), at least MIN_CHARGE."""
    declared = request.headers.get("content-length", "")
    size = int(declared) if declared.isdigit() and len(declared) < 12 else MAX_BODY_BYTES
    return max(min(size, MAX_BODY_BYTES), MIN_CHARGE)


def _field(value: object, limit: int = 256) -> str | None:
    if value is None:
        return None
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}"


def create_app(
    app: WebhookApp, reloader: CertificateReloader | None = None, reload_every: float = 5.0
) -> Starlette:
    """The ASGI application: /validate[/{environment}], /healthz, /readyz, /metrics."""

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(app.lanes.ordinary, app.judge.warm_up)
        await loop.run_in_executor(None, app.lanes.warm_up)
        app.ready = True
        task = asyncio.create_task(_watch(reloader, reload_every)) if reloader else None
        log.info("ready", extra={"fields": {"mode": app.mode}})
        try:
            yield
        finally:
            app.ready = False
            if task is not None:
                task.cancel()
            app.lanes.shutdown()

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
    limits: ConnectionLimits | None = None,
) -> None:
    """Serve ``app`` over HTTPS until SIGINT/SIGTERM."""
    import uvicorn

    configure_logging()
    # A worker judging a large object holds the GIL; the event loop gives it up for every TLS
    # record it decrypts and waited up to the 5 ms default to get it back (a 3 MB upload is
    # ~190 records). A shorter interval keeps the loop answering beside large objects.
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    limits = limits or ConnectionLimits()
    # Fails fast, naming the file, on a bad pair; replaced by uvicorn's live context below.
    reloader = CertificateReloader(server_context(cert, key), cert, key, app.certificate_reloaded)
    guard = ConnectionGuard(limits, app.connection_closed)
    app.connections = guard
    config = uvicorn.Config(
        create_app(app, reloader, reload_every),
        host=host,
        port=port,
        http=guarded_protocol(guard),
        ssl_certfile=str(cert),
        ssl_keyfile=str(key),
        ssl_ciphers=AEAD_CIPHERS,
        log_level="warning",
        access_log=False,
        server_header=False,
        timeout_graceful_shutdown=10,
        # Idle connections are bounded by the guard (time, per client, in all), work by the
        # in-flight byte budget: no connection count that idle clients could fill up and
        # turn every review into a 503 (256 idle TLS connections once did).
        limit_concurrency=None,
        timeout_keep_alive=max(1, math.ceil(limits.read_timeout)),
    )
    config.load()
    assert config.ssl is not None
    harden(config.ssl)
    reloader.context = config.ssl
    server = uvicorn.Server(config)
    with asyncio.Runner(loop_factory=guarded_loop_factory(limits.read_timeout)) as runner:
        runner.run(server.serve())
