"""Python twin of the input-coverage policy (policies/input)."""

from __future__ import annotations

from guardrails.engines.base import RawFinding
from guardrails.engines.python.registry import twin
from guardrails.engines.python.util import Doc, InputDocument, finding


@twin("GR-INPUT-001")
def input_not_evaluated(doc: InputDocument, config: Doc) -> list[RawFinding]:
    unevaluated = [
        finding(r, why, outcome="unknown")
        for r in doc["resources"]
        if isinstance(why := r["unevaluated"], str)
    ]
    # A node the engine did not look inside is reported once, by the rule above.
    accelerators = [
        finding(
            r,
            r["facts"]["accelerator_unknown"],
            outcome="unknown",
            unknown_reason="accelerators not counted",
        )
        for r in doc["resources"]
        if not isinstance(r.get("unevaluated"), str)
        and isinstance(r["facts"]["accelerator_unknown"], str)
    ]
    return unevaluated + accelerators
