"""A freshly compiled in-process Rego engine evaluating one input: what the sandbox child runs
(:mod:`guardrails.engines.sandbox`) and what :class:`~guardrails.engines.rego.RegoEngine`
builds on. Kept free of the catalog and the parsers, so the child loads neither."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from guardrails.engines import scoped
from guardrails.engines.base import error_line, evaluation_failed
from guardrails.errors import EngineError


def opa_engine(sources: list[tuple[str, str]], data: dict[str, Any]) -> Any:
    """A fresh OPA library engine holding ``sources`` and ``data``; prints go nowhere."""
    from opa_bindings import OpaEngine, OpaError

    try:
        engine = OpaEngine()
        engine.print_handler = lambda message, location: None
        for name, text in sources:
            engine.add_policy(name, text)
        engine.add_data(data)
    except OpaError as exc:
        raise EngineError(f"Rego evaluation failed: {error_line(str(exc))}") from None
    return engine


def evaluate_on(
    backend: str,
    sources: list[tuple[str, str]],
    data: dict[str, Any],
    input_doc: dict[str, Any],
    policy_plans: Sequence[scoped.PolicyPlan],
    labels: dict[str, str],
) -> dict[str, Any]:
    """``{package key: {"deny": value}}`` on a freshly compiled ``backend`` engine (what the
    sandbox child runs); ``labels`` names each policy (by package key) in errors."""
    if backend == "regopy":
        from guardrails.engines import regopy_backend

        return regopy_backend.evaluate_in_process(sources, data, input_doc, policy_plans, labels)
    engine = opa_engine(sources, data)
    try:
        denies = scoped.evaluate_scoped(OpaSession(engine), input_doc, policy_plans)
    finally:
        engine.close()
    return {key: {"deny": value} for key, value in denies.items()}


class OpaSession:
    """Queries on one compiled OPA engine. OPA evaluates lazily, so only the rules asked for
    (and what they read) are evaluated."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine

    def values(self, batch: scoped.Batch, refs: Sequence[str]) -> dict[str, Any]:
        from opa_bindings import OpaError, OpaUndefinedError

        try:
            rows = self.engine.eval_query(scoped.gather_query(refs), input=batch.doc)
        except OpaUndefinedError:
            return {}
        except OpaError as exc:
            raise evaluation_failed(str(exc)) from None
        return scoped.gathered(rows) or {}
