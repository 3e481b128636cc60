"""Findings: what a policy says about one resource (or the change as a whole)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from guardrails.model.resource import Location


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Severity.LOW: 1, Severity.MEDIUM: 2, Severity.HIGH: 3, Severity.CRITICAL: 4}


class Outcome(StrEnum):
    FAIL = "fail"
    #: The policy needs a value that is only known after apply.
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Finding:
    """One policy result that needs attention."""

    policy: str
    title: str
    severity: Severity
    category: str
    resource: str
    resource_type: str
    message: str
    remediation: str
    location: Location | None = None
    outcome: Outcome = Outcome.FAIL
    waived: bool = False
    waiver_reason: str | None = None

    @property
    def fingerprint(self) -> str:
        """Stable id of this finding across runs (policy, resource, message), for baselines."""
        key = "\x1f".join((self.policy, self.resource, self.message))
        return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]

    @property
    def sort_key(self) -> tuple[int, str, str, str]:
        return (-self.severity.rank, self.resource, self.policy, self.message)

    def to_dict(self) -> dict[str, Any]:
        return {
            "policy": self.policy,
            "title": self.title,
            "severity": str(self.severity),
            "category": self.category,
            "resource": self.resource,
            "resource_type": self.resource_type,
            "message": self.message,
            "remediation": self.remediation,
            "location": self.location.to_input() if self.location else {"file": None, "line": None},
            "outcome": str(self.outcome),
            "waived": self.waived,
            "fingerprint": self.fingerprint,
        }
