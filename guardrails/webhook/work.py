"""Reviews in flight: their bytes bounded, parsed and judged off the event loop in two lanes.

The event loop only moves bytes: a 3 MiB review takes ~0.2 s to parse and more to judge, and
on the loop that stalled every other review (16 large objects in flight once made real reviews
take 14-17 s). A Python thread cannot be stopped, so the work an answer no longer waits for is
bounded instead: a review queued past its deadline is dropped before it starts, a running one
stops before its next scan, and its bytes count against the in-flight budget until its worker
is really done.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from guardrails.webhook.judge import Judge, check_deadline
from guardrails.webhook.review import Decision, parse_review
from guardrails.webhook.types import AdmissionReview

#: Every review charges at least this much, so the byte budget bounds their number too.
MIN_CHARGE = 16 * 1024
#: Reviews over this size are judged in their own, smaller lane: however many arrive, they
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


@dataclass
class Job:
    """One review's body, parsed and judged on a worker thread before ``deadline``."""

    body: bytes
    environment: str | None
    #: ``time.monotonic()`` by which the answer is due.
    deadline: float
    #: Set as soon as the body is parsed, so an answer at the deadline can carry the uid.
    review: AdmissionReview | None = None

    def run(self, judge: Judge) -> Decision:
        check_deadline(self.deadline)
        review = parse_review(self.body)
        self.review = review
        check_deadline(self.deadline)
        return judge.judge(review, self.environment, self.deadline)


class Lanes:
    """``workers`` threads for ordinary reviews, a quarter as many (at least one) for large."""

    def __init__(self, workers: int) -> None:
        self.ordinary = ThreadPoolExecutor(workers, thread_name_prefix="guardrails-judge")
        self.large = ThreadPoolExecutor(
            max(1, workers // 4), thread_name_prefix="guardrails-judge-large"
        )

    def submit(self, job: Job, judge: Judge) -> Future[Decision]:
        pool = self.large if len(job.body) > LARGE_REVIEW_BYTES else self.ordinary
        return pool.submit(job.run, judge)

    def shutdown(self) -> None:
        for pool in (self.ordinary, self.large):
            pool.shutdown(wait=False, cancel_futures=True)
