"""Findings: what a policy says about one resource (or the change as a whole)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import PurePosixPath
from typing import Any

from guardrails.model.identity import identity_of
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
    #: On a resource the change leaves as it is (``--changed-only``): informational, never fails.
    EXISTING = "existing"


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
    #: The file relative to the repository root (set by the scan): the identity fingerprints
    #: and baselines use, the same from any working directory or machine.
    repo_path: str = ""
    #: Why the outcome is unknown, as reports label it ("unknown until apply", "unpriced",
    #: "module not expanded", ...); empty for other outcomes.
    unknown_reason: str = ""
    #: The graph id of the resource (empty for findings about the change as a whole): the
    #: ledger reads its cost and GPU facts. Not compared: one resource read from a plan and
    #: from its .tf source is one finding.
    resource_id: str = field(default="", compare=False)
    #: The expiry (ISO date) of the waiver that waives this finding (empty when not waived).
    waiver_expires: str = field(default="", compare=False)
    # Computed on first use and kept: reports, the ledger and sorting ask for them several
    # times per finding (a regex and a hash each time were ~10% of a 10k-resource run).
    # ``dataclasses.replace`` starts a copy without them, so a changed message is re-hashed.
    _fingerprint: str = field(default="", init=False, repr=False, compare=False)
    _sort_key: tuple[int, str, str, str, str, int] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    @property
    def fingerprint(self) -> str:
        """The finding's stable identity (policy, resource, subject; see
        :mod:`guardrails.model.identity`): the same after a file move, from any directory,
        and when the finding gets worse."""
        value = self._fingerprint
        if not value:
            value = identity_of(self.policy, self.resource, self.message)
            object.__setattr__(self, "_fingerprint", value)
        return value

    @property
    def legacy_fingerprint(self) -> str:
        """The fingerprint before identities (policy, file, resource, message): how baselines
        of version 1 name a finding."""
        file = self.repo_path or (
            PurePosixPath(self.location.file.replace("\\", "/")).as_posix() if self.location else ""
        )
        key = "\x1f".join((self.policy, file, self.resource, self.message))
        # surrogatepass: a file name that is not UTF-8 still hashes (to the same value every run).
        return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]

    @property
    def headline(self) -> str:
        """``resource: message`` for formats that show no resource column (annotations, SARIF);
        messages never repeat the type and address themselves."""
        if self.resource in ("change", "") or self.message.startswith(self.resource):
            return self.message
        return f"{self.resource}: {self.message}"

    @property
    def about_the_change(self) -> bool:
        """A finding on the change as a whole (a cost delta), not on one resource: it has no
        line of its own, so annotations show it on the run rather than on some file."""
        return self.resource == "change" and self.resource_type == "change"

    @property
    def unknown_label(self) -> str:
        """How reports name an unknown outcome: the real reason (a value known only at apply, an
        unpriced resource, a module not expanded), never "until apply" for what apply won't tell."""
        return self.unknown_reason or "unknown"

    @property
    def where(self) -> str:
        """``file:line`` for people (the file alone when its format has no lines), or empty
        without a location."""
        return str(self.location) if self.location else ""

    @property
    def sort_key(self) -> tuple[int, str, str, str, str, int]:
        """Most severe first, then by resource, policy, message and where it is written."""
        key = self._sort_key
        if key is None:
            location = self.location
            file, line = (location.file, location.line or 0) if location else ("", 0)
            key = (-_RANK[self.severity], self.resource, self.policy, self.message, file, line)
            object.__setattr__(self, "_sort_key", key)
        return key

    def to_dict(self, fingerprint: str | None = None, file: str | None = None) -> dict[str, Any]:
        """The finding as the JSON report writes it; ``fingerprint`` and ``file`` (the location's
        file as the report names it) replace its own when given."""
        location = self.location
        return {
            "policy": self.policy,
            "title": self.title,
            "severity": str(self.severity),
            "category": self.category,
            "resource": self.resource,
            "resource_type": self.resource_type,
            "message": self.message,
            "remediation": self.remediation,
            "location": {"file": location.file if file is None else file, "line": location.line}
            if location
            else {"file": None, "line": None},
            "outcome": str(self.outcome),
            "waived": self.waived,
            "fingerprint": fingerprint or self.fingerprint,
        }
