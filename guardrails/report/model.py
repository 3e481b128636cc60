"""The Report: everything one run produced, ready for any output format."""

from __future__ import annotations

from dataclasses import dataclass, field

from guardrails import __version__
from guardrails.model import Finding, Graph, Outcome, Severity


@dataclass(frozen=True)
class Report:
    """Findings of one run over one graph, with the engine that produced them."""

    graph: Graph
    findings: tuple[Finding, ...]
    engine: str
    tool_version: str = __version__
    warnings: tuple[str, ...] = field(default=())

    @property
    def active(self) -> list[Finding]:
        """Findings that are not waived."""
        return [f for f in self.findings if not f.waived]

    def counts_by_severity(self) -> dict[str, int]:
        counts = {str(s): 0 for s in reversed(Severity)}
        for f in self.active:
            counts[str(f.severity)] += 1
        return counts

    def fails(self, fail_on: Severity | None, unknown_fails: bool = False) -> bool:
        """True when an unwaived finding reaches ``fail_on`` (None: never fail)."""
        if fail_on is None:
            return False
        for f in self.active:
            if f.outcome == Outcome.UNKNOWN and not unknown_fails:
                continue
            if f.severity.rank >= fail_on.rank:
                return True
        return False
