"""Python twin of the input-coverage policy (policies/input)."""

from __future__ import annotations

from guardrails.engines.base import RawFinding
from guardrails.engines.python.index import Resources
from guardrails.engines.python.registry import twin
from guardrails.engines.python.util import Doc, finding


@twin("GR-INPUT-001")
def input_not_evaluated(resources: Resources, config: Doc) -> list[RawFinding]:
    unevaluated: list[RawFinding] = []
    accelerators: list[RawFinding] = []
    for r in resources.all:
        why = r["unevaluated"]
        if isinstance(why, str):
            unevaluated.append(finding(r, why, outcome="unknown"))
        # A node the engine did not look inside is reported once, by the rule above.
        elif isinstance(uncounted := r["facts"]["accelerator_unknown"], str):
            accelerators.append(
                finding(
                    r,
                    uncounted,
                    outcome="unknown",
                    unknown_reason="accelerators not counted",
                )
            )
    return unevaluated + accelerators
