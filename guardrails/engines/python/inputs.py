"""Python twin of the input-coverage policy (policies/input)."""

from __future__ import annotations

from guardrails.engines.python.registry import RawFinding, twin
from guardrails.engines.python.util import Doc, finding


@twin("GR-INPUT-001")
def input_not_evaluated(doc: Doc, config: Doc) -> list[RawFinding]:
    return [
        finding(r, r["unevaluated"], outcome="unknown")
        for r in doc["resources"]
        if isinstance(r.get("unevaluated"), str)
    ]
