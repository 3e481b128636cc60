"""regopy (Microsoft rego-cpp): one compiled bundle, one query per batch.

Each ``Interpreter.query()`` recompiles every module, so the policies are compiled once into a
bundle with generated gather rules (:func:`guardrails.engines.scoped.gather_modules`) as entry
points: each batch of the input (:mod:`guardrails.engines.scoped`) is evaluated by one query
returning every rule it needs; each rule's own entry point names the policy when one fails.

regopy 1.5.2 can crash the whole process (SIGSEGV) compiling some valid policies that OPA
accepts. Policies the project does not ship are therefore evaluated in a child process
(:mod:`guardrails.engines.sandbox`): a crash there is one clear error, never a dead CLI.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from typing import Any

from guardrails.engines import scoped
from guardrails.engines.base import error_line, evaluation_failed
from guardrails.engines.scoped import Batch, PolicyPlan, all_refs, evaluate_scoped
from guardrails.errors import EngineError

#: rego-cpp converts a batch in time that grows faster than its size (1,000 small resources:
#: 0.08 s in batches of 20, 0.16 s in batches of 200), so a batch holds at most this many.
BATCH_RESOURCES = 25


def _value(output: Any) -> Any:
    text = str(output)
    if text.strip() == "undefined":
        return None
    document = json.loads(text)
    expressions = document.get("expressions") if isinstance(document, dict) else None
    return expressions[0] if expressions else None


class _RegopySession:
    """Queries on one compiled bundle: each batch is set as the input, then the gather rule of
    the refs asked for (:func:`guardrails.engines.scoped.gather_modules`) is evaluated through
    its entry point, one query for all of them. Each query costs ~1 ms whatever it asks (rego-cpp
    walks the bundle per query), so one per rule was most of the evaluation time."""

    def __init__(
        self,
        interpreter: Any,
        bundle: Any,
        labels: dict[str, str],
        queries: dict[str, list[str]],
    ) -> None:
        self.interpreter = interpreter
        self.bundle = bundle
        self.labels = labels
        self.gathers = {
            tuple(refs): _entrypoint(scoped.gather_ref(name)) for name, refs in queries.items()
        }

    def values(self, batch: Batch, refs: Sequence[str]) -> dict[str, Any]:
        # JSON text, not regopy.Input: Input is twice as fast but regopy then prints strings
        # holding quotes (Terraform addresses like aws_instance.x["a"]) unescaped in results.
        self.interpreter.set_input_term(batch.json())
        entrypoint = self.gathers.get(tuple(refs))
        if entrypoint is not None:
            gathered = self._gathered(entrypoint)
            if gathered is not None:
                return scoped.defined(gathered)
        # No gather rule for these refs, or it failed: one query per ref, so that an error
        # names the policy that raised it (as each policy's own query always did).
        found: dict[str, Any] = {}
        for ref in refs:
            output = self.interpreter.query_bundle_entrypoint(self.bundle, _entrypoint(ref))
            if not output.ok():
                label = self.labels.get(ref, ref)
                raise evaluation_failed(f"{label}: {output}")
            value = _value(output)
            if value is not None:
                found[ref] = value
        return found

    def _gathered(self, entrypoint: str) -> dict[str, Any] | None:
        """The gather rule's object, or None when it failed (an error, unprintable JSON)."""
        output = self.interpreter.query_bundle_entrypoint(self.bundle, entrypoint)
        if not output.ok():
            return None
        try:
            value = _value(output)
        except ValueError:
            return None
        return value if isinstance(value, dict) else None


def _entrypoint(ref: str) -> str:
    return ref.replace(".", "/")


class _Compiled:
    """One interpreter with its built bundle, for the sources and data it was built from."""

    def __init__(self, key: tuple[Any, ...], interpreter: Any, bundle: Any) -> None:
        self.key = key
        self.interpreter = interpreter
        self.bundle = bundle


#: The last compiled bundle. Building one takes ~0.25 s for the bundled library, far more
#: than evaluating a small input (~0.02 s), and a long-lived process (the webhook, a test
#: run) asks again and again with the same sources and data.
_last: _Compiled | None = None
_last_lock = threading.Lock()


def _compile(
    sources: list[tuple[str, str]], data_json: str, entrypoints: list[str]
) -> tuple[Any, Any]:
    from regopy import Interpreter

    # A reused interpreter reports a later compile error as success: always start fresh.
    interpreter = Interpreter()
    for name, text in sources:
        interpreter.add_module(name, text)
    interpreter.add_data_json(data_json)
    bundle = interpreter.build(None, entrypoints)
    if not bundle.ok():
        raise EngineError("Rego compile error (regopy could not build the policies)")
    return interpreter, bundle


def evaluate_in_process(
    sources: list[tuple[str, str]],
    data: dict[str, Any],
    input_doc: dict[str, Any],
    policy_plans: Sequence[PolicyPlan],
    labels: dict[str, str],
) -> dict[str, Any]:
    """``{package key: {"deny": value}}`` for every policy whose ``deny`` is defined.

    ``labels`` names each policy (by package key) in errors. The bundle built for the same
    sources, data and entry points is reused; a call that finds it in use, or that fails,
    works on (and leaves behind) a fresh one.
    """
    global _last
    from regopy.rego_shared import RegoError

    queries = scoped.queries(policy_plans)
    sources = sources + scoped.gather_modules(policy_plans)
    # The rules themselves stay entry points: an error in a gather is attributed through them.
    refs = all_refs(policy_plans)
    entrypoints = [_entrypoint(ref) for ref in refs]
    entrypoints += [_entrypoint(scoped.gather_ref(name)) for name in queries]
    data_json = json.dumps(data, sort_keys=True)
    key = (tuple(sources), data_json, tuple(entrypoints))
    owned = _last_lock.acquire(blocking=False)
    try:
        cached = _last if owned else None
        if cached is not None and cached.key == key:
            interpreter, bundle = cached.interpreter, cached.bundle
        else:
            interpreter, bundle = _compile(sources, data_json, entrypoints)
        by_ref = {
            ref: labels.get(plan.key, plan.key) for plan in policy_plans for ref in all_refs([plan])
        }
        session = _RegopySession(interpreter, bundle, by_ref, queries)
        # rego-cpp holds ~140x a batch's JSON as terms (OPA ~25x): smaller batches for it.
        denies = evaluate_scoped(
            session, input_doc, policy_plans, scoped.BATCH_BYTES // 4, BATCH_RESOURCES
        )
        if owned:
            _last = _Compiled(key, interpreter, bundle)
        return {key: {"deny": value} for key, value in denies.items()}
    except ValueError as exc:  # regopy could not render its own result as JSON
        if owned:
            _last = None
        raise evaluation_failed(str(exc)) from None
    except RegoError as exc:
        if owned:
            _last = None
        raise EngineError(f"Rego compile error: {error_line(str(exc))}") from None
    except BaseException:
        if owned:
            _last = None
        raise
    finally:
        if owned:
            _last_lock.release()
