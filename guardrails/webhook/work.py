"""Reviews in flight: their bytes bounded, parsed and judged off the event loop in two lanes.

The event loop only moves bytes: a 3 MiB review takes ~0.2 s to parse and more to judge, and
on the loop that stalled every other review (16 large objects in flight once made real reviews
take 14-17 s). A Python thread cannot be stopped, so the work an answer no longer waits for is
bounded instead: a review queued past its deadline is dropped before it starts, a running one
stops before its next scan, and its bytes count against the in-flight budget until its worker
is really done.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from typing import cast

from guardrails.errors import GuardrailsError
from guardrails.webhook.judge import Judge, JudgeSpec, check_deadline
from guardrails.webhook.review import BadReview, Decision, parse_review
from guardrails.webhook.types import AdmissionReview

#: Every review charges at least this much, so the byte budget bounds their number too.
MIN_CHARGE = 16 * 1024
#: Reviews over this size are judged in their own lane (a process): however many arrive, they
#: never hold the workers that judge ordinary (5-50 KB) reviews.
LARGE_REVIEW_BYTES = 256 * 1024


class InFlightBytes:
    """A byte budget shared by the reviews being read, queued and judged (event loop only)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0

    def take(self, size: int) -> bool:
        """Reserve ``size`` bytes; False (nothing reserved) when that would exceed the limit."""
        if self.used + size > self.limit:
            return False
        self.used += size
        return True

    def give(self, size: int) -> None:
        self.used -= size


@dataclass(frozen=True)
class Outcome:
    """What a worker made of a job; plain data, so it crosses from a process too."""

    #: The parsed review (from a process without its objects: the answer needs the uid, the
    #: log line the identifiers); None when the body was not a review.
    review: AdmissionReview | None
    decision: Decision | None = None
    #: A malformed body (HTTP 400).
    bad: str | None = None
    #: An object the parsers or a waiver reject (``--on-error``).
    rejected: str | None = None
    #: An engine bug: its type and message (``--on-error``).
    internal: str | None = None


@dataclass
class Job:
    """One review's body, parsed and judged on a worker before ``deadline``."""

    body: bytes
    environment: str | None
    #: ``time.monotonic()`` by which the answer is due.
    deadline: float
    #: Set as soon as the body is parsed, so an answer at the deadline can carry the uid.
    review: AdmissionReview | None = None

    def run(self, judge: Judge) -> Outcome:
        """Parse and judge; TimeoutError when the deadline passes between steps."""
        check_deadline(self.deadline)
        try:
            review = parse_review(self.body)
        except BadReview as exc:
            return Outcome(None, bad=str(exc))
        self.review = review
        check_deadline(self.deadline)
        try:
            return Outcome(review, judge.judge(review, self.environment, self.deadline))
        except GuardrailsError as exc:
            return Outcome(review, rejected=str(exc))
        except TimeoutError:
            raise
        except Exception as exc:  # an engine bug must answer per --on-error, never crash
            return Outcome(review, internal=f"{type(exc).__name__}: {' '.join(str(exc).split())}")


#: The Judge of a large-review process (built once by its initializer).
_process_judge: Judge | None = None


#: Large objects wait for CPU behind ordinary reviews (the scheduler weighs nice 10 at ~1/10
#: of nice 0, in the pod's cgroup too): a flood of them cannot slow the ordinary ones down.
LARGE_REVIEW_NICENESS = 10


def _start_process(spec: JudgeSpec) -> None:
    global _process_judge
    with contextlib.suppress(OSError, AttributeError):  # no os.nice on Windows
        os.nice(LARGE_REVIEW_NICENESS)
    _process_judge = spec.build()
    _process_judge.warm_up()


def _run_in_process(body: bytes, environment: str | None, deadline: float) -> Outcome:
    assert _process_judge is not None
    # CLOCK_MONOTONIC is one clock for every process of the machine: the deadline holds here.
    outcome = Job(body, environment, deadline).run(_process_judge)
    if outcome.review is None:
        return outcome
    request = {k: v for k, v in outcome.review["request"].items() if "bject" not in k}
    slim = cast(AdmissionReview, {**outcome.review, "request": request})
    return replace(outcome, review=slim)


def _warm(_: int) -> bool:
    return _process_judge is not None


class Lanes:
    """``workers`` threads for ordinary reviews; large ones in a process of their own.

    A thread judging a 3 MB object holds the GIL for up to ~0.3 s at a time (``json.loads``,
    C code inside the judging), stalling the event loop and every ordinary review (measured:
    ordinary reviews waited ~1 s beside large ones). In a separate process it cannot. Without
    a ``spec`` (tests building a WebhookApp in-process) the large lane is one thread.
    """

    def __init__(self, workers: int, spec: JudgeSpec | None = None) -> None:
        self.spec = spec
        self.ordinary = ThreadPoolExecutor(workers, thread_name_prefix="guardrails-judge")
        self.large: Executor = self._large_pool()

    def _large_pool(self) -> Executor:
        if self.spec is None:
            return ThreadPoolExecutor(1, thread_name_prefix="guardrails-judge-large")
        return ProcessPoolExecutor(
            1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_process,
            initargs=(self.spec,),
        )

    def warm_up(self) -> None:
        """Start the large-review process (loading the policies) before the server is ready."""
        if isinstance(self.large, ProcessPoolExecutor):
            self.large.submit(_warm, 0).result()

    def submit(self, job: Job, judge: Judge) -> Future[Outcome]:
        if len(job.body) <= LARGE_REVIEW_BYTES:
            return self.ordinary.submit(job.run, judge)
        if not isinstance(self.large, ProcessPoolExecutor):
            return self.large.submit(job.run, judge)
        try:
            return self.large.submit(_run_in_process, job.body, job.environment, job.deadline)
        except BrokenProcessPool:  # the process died (OOM-killed ...): start another
            self.large.shutdown(wait=False, cancel_futures=True)
            self.large = self._large_pool()
            return self.large.submit(_run_in_process, job.body, job.environment, job.deadline)

    def shutdown(self) -> None:
        for pool in (self.ordinary, self.large):
            pool.shutdown(wait=False, cancel_futures=True)
