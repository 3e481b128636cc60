"""OPA-style unit tests of Rego policies: every ``test_`` rule of a ``*_test.rego`` module,
evaluated on one engine, passes when its value is ``true`` (as ``opa test`` judges them).

The embedded engines run the tests in the bounded child process of
:mod:`guardrails.engines.sandbox` (a test file is as untrusted as a policy and regopy can crash
compiling one); a remote OPA server gets the test modules uploaded next to the policies, and
they are deleted afterwards.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from guardrails.catalog.rego_source import package_of, rule_heads
from guardrails.engines.base import error_line
from guardrails.engines.builtins import check_sources
from guardrails.engines.sandbox import UserPolicyLimits, run_isolated
from guardrails.errors import EngineError

#: A rule whose name starts so is a test; ``todo_test_`` ones are skipped (as ``opa test`` does).
TEST_PREFIX = "test_"
TODO_PREFIX = "todo_test_"

PASS, FAIL, ERROR, SKIP = "pass", "fail", "error", "skip"
#: How much of an engine's error a unit test result keeps.
_DETAIL_CHARS = 400


@dataclass(frozen=True)
class UnitTest:
    """One ``test_`` rule: where it is written and the ref that evaluates it."""

    file: str
    line: int
    package: str
    name: str

    @property
    def ref(self) -> str:
        return f"data.{self.package}.{self.name}"


def discover(file: str, source: str) -> list[UnitTest]:
    """The test rules of one module, each once (a rule may have several bodies)."""
    package = package_of(source)
    if package is None:
        return []
    found: dict[str, UnitTest] = {}
    for head in rule_heads(source):
        if head.text.startswith((TEST_PREFIX, TODO_PREFIX)) and head.text not in found:
            found[head.text] = UnitTest(file, head.line, package, head.text)
    return list(found.values())


@dataclass(frozen=True)
class UnitOutcome:
    """How one test went: ``status`` (pass, fail, error, skip), why, and how long it took."""

    status: str
    detail: str = ""
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {"status": self.status, "detail": self.detail, "seconds": self.seconds}


def _verdict(rows: Any) -> tuple[str, str]:
    """pass/fail from the rows of ``x := <test ref>`` (no row: undefined)."""
    if not rows:
        return FAIL, "undefined (a body expression was false or undefined)"
    value = rows[0].get("x") if isinstance(rows[0], dict) else None
    if value is True:
        return PASS, ""
    return FAIL, f"value {value!r}, not true"


def evaluate_unit_tests(
    backend: str, sources: list[list[str]], data: dict[str, Any], refs: list[str]
) -> dict[str, dict[str, Any]]:
    """``{ref: outcome}`` for every test ref, on a freshly compiled ``backend`` engine in this
    process (what the sandbox child runs)."""
    modules = [(name, text) for name, text in sources]
    if backend == "regopy":
        return _on_regopy(modules, data, refs)
    return _on_opa(modules, data, refs)


def _on_opa(
    modules: list[tuple[str, str]], data: dict[str, Any], refs: list[str]
) -> dict[str, dict[str, Any]]:
    from opa_bindings import OpaEngine, OpaError, OpaUndefinedError

    engine = OpaEngine()
    engine.print_handler = lambda message, location: None
    try:
        for name, text in modules:
            engine.add_policy(name, text)
        engine.add_data(data)
    except OpaError as exc:
        raise EngineError(f"Rego compile error: {_one_line(str(exc))}") from None
    out: dict[str, dict[str, Any]] = {}
    try:
        for ref in refs:
            start = time.perf_counter()
            try:
                status, detail = _verdict(engine.eval_query(f"x := {ref}"))
            except OpaUndefinedError:
                status, detail = FAIL, "undefined"
            except OpaError as exc:
                status, detail = ERROR, _one_line(str(exc))
            out[ref] = UnitOutcome(status, detail, time.perf_counter() - start).to_json()
    finally:
        engine.close()
    return out


def _on_regopy(
    modules: list[tuple[str, str]], data: dict[str, Any], refs: list[str]
) -> dict[str, dict[str, Any]]:
    import json

    from regopy import Interpreter
    from regopy.rego_shared import RegoError

    try:
        interpreter = Interpreter()
        for name, text in modules:
            interpreter.add_module(name, text)
        interpreter.add_data_json(json.dumps(data))
        entrypoints = [ref.removeprefix("data.").replace(".", "/") for ref in refs]
        bundle = interpreter.build(None, entrypoints)
    except RegoError as exc:
        raise EngineError(f"Rego compile error: {_one_line(str(exc))}") from None
    if not bundle.ok():
        raise EngineError("Rego compile error (regopy could not build the tests)")
    out: dict[str, dict[str, Any]] = {}
    for ref, entrypoint in zip(refs, entrypoints, strict=True):
        start = time.perf_counter()
        output = interpreter.query_bundle_entrypoint(bundle, entrypoint)
        text = str(output)
        if not output.ok():
            status, detail = ERROR, _one_line(text)
        elif text.strip() == "undefined":
            status, detail = FAIL, "undefined (a body expression was false or undefined)"
        else:
            try:
                expressions = json.loads(text).get("expressions") or [None]
            except ValueError:
                expressions = [text]
            value = expressions[0]
            status, detail = (PASS, "") if value is True else (FAIL, f"value {value!r}, not true")
        out[ref] = UnitOutcome(status, detail, time.perf_counter() - start).to_json()
    return out


def run_unit_tests(
    backend: str,
    policy_sources: Sequence[tuple[str, str]],
    test_sources: Sequence[tuple[str, str]],
    data: dict[str, Any],
    tests: Sequence[UnitTest],
    limits: UserPolicyLimits,
) -> dict[str, UnitOutcome]:
    """``{ref: outcome}`` of ``tests`` on an embedded ``backend`` (``opa`` or ``regopy``) in a
    bounded child process. Policy and test sources are checked for denied builtins first (a
    ConfigError); a crash or a compile error of the whole set is an EngineError."""
    check_sources(test_sources, limits.allow_network, backend)
    refs = [t.ref for t in tests if not t.name.startswith(TODO_PREFIX)]
    files = sorted({name for name, _ in test_sources})
    answer: dict[str, dict[str, Any]] = {}
    if refs:
        payload = {"sources": [*policy_sources, *test_sources], "data": data, "refs": refs}
        answer = run_isolated("unit", backend, payload, limits, files)
    return _outcomes(tests, answer)


def run_unit_tests_remote(
    url: str,
    policy_sources: Sequence[tuple[str, str]],
    test_sources: Sequence[tuple[str, str]],
    data: dict[str, Any],
    tests: Sequence[UnitTest],
    limits: UserPolicyLimits,
) -> dict[str, UnitOutcome]:
    """``{ref: outcome}`` of ``tests`` on the OPA server at ``url``: the policies, the test
    modules and the data are uploaded, each test is an ad-hoc query, the test modules are
    deleted afterwards."""
    from guardrails.engines.opa_remote import OpaUnavailable, _client, _policy_id, _result

    check_sources(test_sources, limits.allow_network)
    client = _client(url)
    try:
        client.check_connection()
    except Exception as exc:
        from guardrails.engines.opa_remote import unreachable_reason

        raise EngineError(f"OPA server {url} is unreachable ({unreachable_reason(exc)})") from None
    answer: dict[str, dict[str, Any]] = {}
    uploaded: list[str] = []
    try:
        for name, text in policy_sources:
            client.update_policy_from_string(text, _policy_id(name), rego_compat=False)
        client.update_or_create_data(data["guardrails"], "guardrails")
        for name, text in test_sources:
            uploaded.append(_policy_id(name))
            client.update_policy_from_string(text, uploaded[-1], rego_compat=False)
        for test in tests:
            if test.name.startswith(TODO_PREFIX):
                continue
            start = time.perf_counter()
            try:
                response = client.ad_hoc_query(f"x := {test.ref}", {})
                status, detail = _verdict(_result(response))
            except OpaUnavailable:
                raise
            except Exception as exc:
                status, detail = ERROR, _remote_error(exc)
            answer[test.ref] = UnitOutcome(status, detail, time.perf_counter() - start).to_json()
    except EngineError:
        raise
    except Exception as exc:
        raise EngineError(f"OPA server {url}: {_remote_error(exc)}") from None
    finally:
        for policy_id in uploaded:
            with contextlib.suppress(Exception):  # best effort: the server may be gone
                client.delete_policy(policy_id)
    return _outcomes(tests, answer)


def _outcomes(
    tests: Sequence[UnitTest], answer: dict[str, dict[str, Any]]
) -> dict[str, UnitOutcome]:
    out: dict[str, UnitOutcome] = {}
    for test in tests:
        if test.name.startswith(TODO_PREFIX):
            out[test.ref] = UnitOutcome(SKIP, "todo_test_ rule (skipped, as opa test does)")
            continue
        got = answer.get(test.ref)
        if not isinstance(got, dict):
            out[test.ref] = UnitOutcome(ERROR, "the engine gave no result for this test")
            continue
        out[test.ref] = UnitOutcome(
            str(got.get("status")), str(got.get("detail", "")), float(got.get("seconds", 0.0))
        )
    return out


def _remote_error(exc: BaseException) -> str:
    from guardrails.engines.opa_remote import server_message

    message = server_message(exc)
    if message is not None:
        return _one_line(message)
    return _one_line(str(exc)) or type(exc).__name__


def _one_line(text: str) -> str:
    return error_line(text, _DETAIL_CHARS)
