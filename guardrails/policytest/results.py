"""What one run of ``guardrails test`` found: one row per test and engine."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum


class Status(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    ERROR = "error"
    SKIP = "skip"


class Kind(StrEnum):
    #: A ``test_`` rule of a ``*_test.rego`` module.
    UNIT = "unit"
    #: An input file (or folder) with the findings it must give, through the whole pipeline.
    CASE = "case"


@dataclass(frozen=True)
class PolicyTestResult:
    """One test on one engine."""

    kind: Kind
    #: ``data.<package>.test_x`` for a unit test, ``<POLICY-ID>/<case name>`` for a case.
    name: str
    engine: str
    status: Status
    file: str
    line: int | None = None
    seconds: float = 0.0
    #: Why it failed or erred, one line.
    detail: str = ""
    #: A case's expected and actual findings (``POLICY outcome resource``), for the report.
    expected: tuple[str, ...] = ()
    actual: tuple[str, ...] = ()
    #: Bad input (an unreadable case file): the run exits 2, like ``check``.
    input_error: bool = False


@dataclass(frozen=True)
class TestRun:
    """Every result, and the engines they ran on."""

    __test__ = False  # not a pytest class

    results: tuple[PolicyTestResult, ...]
    engines: tuple[str, ...]
    notes: tuple[str, ...] = field(default=())

    def counts(self) -> Counter[str]:
        return Counter(str(r.status) for r in self.results)

    @property
    def failed(self) -> bool:
        return any(r.status in (Status.FAIL, Status.ERROR) for r in self.results)

    @property
    def bad_input(self) -> bool:
        return any(r.input_error for r in self.results)

    def exit_code(self) -> int:
        """2 when a case's input could not be read, 1 when a test failed or erred, else 0."""
        return 2 if self.bad_input else 1 if self.failed else 0


def summary_line(run: TestRun, shown: Sequence[PolicyTestResult] | None = None) -> str:
    """``12 passed, 1 failed, 0 errors, 2 skipped on rego/opa-lib, rego/regopy``."""
    counts = run.counts()
    parts = [
        f"{counts['pass']} passed",
        f"{counts['fail']} failed",
        f"{counts['error']} error{'s' if counts['error'] != 1 else ''}",
    ]
    if counts["skip"]:
        parts.append(f"{counts['skip']} skipped")
    return f"{', '.join(parts)} on {', '.join(run.engines) or 'no engine'}"
