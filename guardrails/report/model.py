"""The Report: everything one run produced, ready for any output format."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from guardrails import __version__
from guardrails.catalog import Catalog
from guardrails.ledger import Ledger
from guardrails.model import Finding, Graph, Outcome, Severity
from guardrails.safe_text import one_line


@dataclass(frozen=True)
class ConfigSource:
    """Which config file gated the run and what it relaxes relative to the root's config."""

    #: Root-relative path of the config used (None: the built-in defaults).
    path: str | None = None
    #: The config the relaxations are measured against (None: the built-in defaults).
    compared_to: str | None = None
    relaxations: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.path or "built-in defaults"

    @property
    def reference(self) -> str:
        return self.compared_to or "the built-in defaults"

    def summary(self) -> str:
        """``config: PATH`` and, when it relaxes anything, what (one line, values escaped)."""
        text = f"config: {self.name}"
        if self.relaxations:
            text += f"; relaxes {self.reference}: " + "; ".join(self.relaxations)
        return one_line(text)

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "compared_to": self.compared_to,
            "relaxations": list(self.relaxations),
        }


@dataclass(frozen=True)
class WaiverChange:
    """A waiver this change adds, or extends past the base's expiry (``--baseline``)."""

    policy: str
    resource: str
    expires: str
    change: str  # "added" or "extended"
    previous: str | None
    origin: str
    reason: str
    owner: str

    def describe(self) -> str:
        """One escaped line: what, until when, why, whose and where."""
        was = f" (was {self.previous})" if self.previous else ""
        return one_line(
            f"{self.change}: {self.policy} on {self.resource} until {self.expires}{was}; "
            f"{self.reason} (owner {self.owner}; {self.origin})"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "change": self.change,
            "policy": self.policy,
            "resource": self.resource,
            "expires": self.expires,
            "previous_expires": self.previous,
            "reason": self.reason,
            "owner": self.owner,
            "origin": self.origin,
        }


@dataclass(frozen=True)
class Report:
    """Findings of one run over one graph, with the engine that produced them."""

    graph: Graph
    findings: tuple[Finding, ...]
    engine: str
    tool_version: str = __version__
    warnings: tuple[str, ...] = field(default=())
    #: The effective configuration the run used (fail_on, unknown, waivers ...).
    config: Mapping[str, Any] = field(default_factory=dict)
    #: The policies that were evaluated (SARIF rules, JUnit test cases, docs links).
    catalog: Catalog = field(default_factory=lambda: Catalog({}))
    #: Every waiver with its status (active/expired/unused) and how many findings it matched.
    waivers: tuple[tuple[Any, str, int], ...] = ()
    #: The repository root file paths are reported relative to (None: found from the cwd).
    root: Path | None = None
    #: The config file used and what it relaxes (every format says so).
    config_source: ConfigSource = field(default_factory=ConfigSource)
    #: Waivers the change adds or extends, measured against ``--baseline`` (None: not known).
    waiver_changes: tuple[WaiverChange, ...] | None = None
    #: Each finding as new, fixed, unchanged or escalated against a base (None: not asked).
    ledger: Ledger | None = None

    def config_value(self, key: str, default: Any) -> Any:
        return self.config.get(key, default)

    def replace_findings(self, findings: tuple[Finding, ...], extra_warning: str = "") -> Report:
        warnings = (*self.warnings, extra_warning) if extra_warning else self.warnings
        return replace(self, findings=findings, warnings=warnings)

    def with_fail_on(self, fail_on: str, unknown: str = "warn", gate: str = "all") -> Report:
        """The report remembering the threshold it is judged by (verdict lines use it) and
        what it gates (``new``: only findings new or escalated in the ledger)."""
        config = {**self.config, "fail_on": fail_on, "unknown": unknown, "gate": gate}
        return replace(self, config=config)

    @property
    def gates_new(self) -> bool:
        """Only findings new or escalated against the base can fail the run."""
        return self.config.get("gate") == "new" and self.ledger is not None

    @property
    def threshold(self) -> Severity | None:
        """The ``--fail-on`` severity the report is judged by (None: never fail)."""
        fail_on = str(self.config.get("fail_on", "high"))
        return None if fail_on == "never" else Severity(fail_on)

    @property
    def blocking_findings(self) -> list[Finding]:
        """The findings that fail the run under its own ``--fail-on`` and ``--unknown``."""
        return self.blocking(self.threshold, unknown_fails=self.config.get("unknown") == "fail")

    @property
    def failed(self) -> bool:
        """The verdict: does this report fail the run?"""
        return bool(self.blocking_findings)

    @property
    def verdict(self) -> str:
        """One word for the run: PARTIAL, FAIL, UNKNOWN (nothing blocks, but some outcomes
        could not be evaluated, so this is not a pass) or PASS."""
        if self.partial:
            return "PARTIAL"
        if self.failed:
            return "FAIL"
        return "UNKNOWN" if self.unknown_count else "PASS"

    @property
    def cost(self) -> Mapping[str, Any]:
        """``summary.cost`` of the enriched graph: monthly GPU USD before, after, delta."""
        return self.graph.summary.get("cost") or {}

    @property
    def partial(self) -> bool:
        """Some inputs could not be read or parsed: the report covers only the rest."""
        return bool(self.graph.input_errors)

    @property
    def partial_note(self) -> str:
        """One sentence naming the inputs a partial report leaves out (empty when complete)."""
        failed = self.graph.input_errors
        if not failed:
            return ""
        names = ", ".join(one_line(i.path) for i in failed)
        return (
            f"PARTIAL report: {len(failed)} input(s) could not be read and were not evaluated: "
            f"{names}"
        )

    def without_unknown(self) -> Report:
        """The report without findings whose outcome is unknown until apply."""
        kept = tuple(f for f in self.findings if f.outcome != Outcome.UNKNOWN)
        return replace(self, findings=kept)

    # Every format asks for these several times (the table some ten): each is one pass over
    # the findings, made once per report (``replace`` makes a new report without them).
    @cached_property
    def _active(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if not f.waived)

    @cached_property
    def _judged(self) -> tuple[Finding, ...]:
        return tuple(f for f in self._active if f.outcome != Outcome.EXISTING)

    @cached_property
    def _existing(self) -> tuple[Finding, ...]:
        return tuple(f for f in self._active if f.outcome == Outcome.EXISTING)

    @property
    def active(self) -> list[Finding]:
        """Findings that are not waived."""
        return list(self._active)

    @property
    def judged(self) -> list[Finding]:
        """Unwaived findings the change is judged by (``existing`` ones are informational)."""
        return list(self._judged)

    @property
    def existing(self) -> list[Finding]:
        """Unwaived findings on resources the change leaves as they are (``--changed-only``)."""
        return list(self._existing)

    @cached_property
    def unknown_count(self) -> int:
        """Unwaived findings with an unknown outcome (not evaluated, or known only at apply)."""
        return sum(1 for f in self._active if f.outcome == Outcome.UNKNOWN)

    def counts_by_severity(self) -> dict[str, int]:
        """Judged findings per severity (``existing`` ones are counted apart)."""
        counts = {str(s): 0 for s in reversed(Severity)}
        for f in self._judged:
            counts[f.severity] += 1
        return counts

    def blocking(self, fail_on: Severity | None, unknown_fails: bool = False) -> list[Finding]:
        """Judged findings at or above ``fail_on`` (None: never fail); every unknown one, whatever
        its severity, when ``unknown_fails``, and none otherwise."""
        blocking = []
        gated = self.ledger.gated if self.gates_new and self.ledger else None
        for f in self._judged:
            if gated is not None and f not in gated:
                continue
            if f.outcome == Outcome.UNKNOWN:
                if unknown_fails:
                    blocking.append(f)
            elif fail_on is not None and f.severity.rank >= fail_on.rank:
                blocking.append(f)
        return blocking
