"""Rego unit tests (``*_test.rego``) of policy directories, as harness results."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from guardrails.catalog import Catalog
from guardrails.config import load_config
from guardrails.engines.rego import policy_data
from guardrails.engines.rego import policy_sources as catalog_sources
from guardrails.engines.unit_tests import (
    UnitOutcome,
    UnitTest,
    discover,
    run_unit_tests,
    run_unit_tests_remote,
)
from guardrails.errors import EngineError
from guardrails.inputs.discovery import files_below
from guardrails.inputs.safe_io import read_text
from guardrails.policytest.options import EngineChoice, TestOptions
from guardrails.policytest.results import Kind, PolicyTestResult, Status

MAX_TEST_BYTES = 8 * 1024 * 1024


def rego_test_files(directories: Sequence[Path]) -> list[Path]:
    """Every ``*_test.rego`` below ``directories`` (hidden and tool folders left out)."""
    found: set[Path] = set()
    for directory in directories:
        found.update(files_below(directory, "_test.rego"))
    return sorted(found)


def unit_results(
    choice: EngineChoice, catalog: Catalog, files: list[Path], options: TestOptions
) -> list[PolicyTestResult]:
    backend = choice.unit_backend
    names = {"opa": "rego/opa-lib", "regopy": "rego/regopy", "remote": "opa/remote"}
    engine = names.get(backend or "", "rego")
    sources = [(str(f), read_text(str(f), MAX_TEST_BYTES)) for f in files]
    tests = {name: discover(name, text) for name, text in sources}
    every = [t for found in tests.values() for t in found]
    if backend is None:
        return [
            _unit_row(t, engine, UnitOutcome("error", "no embedded Rego engine is installed"))
            for t in every
        ]
    policies = catalog_sources(catalog)
    data = policy_data(load_config(None).for_policies())

    def run(subset: list[tuple[str, str]], chosen: list[UnitTest]) -> dict[str, UnitOutcome]:
        if backend == "remote":
            assert options.opa_url is not None
            return run_unit_tests_remote(
                options.opa_url, policies, subset, data, chosen, options.limits
            )
        return run_unit_tests(backend, policies, subset, data, chosen, options.limits)

    try:
        outcomes = run(sources, every)
    except EngineError as whole:
        # One file that does not compile (or crashes regopy) must not hide the others' results.
        outcomes = {}
        for name, text in sources:
            try:
                if len(sources) == 1:
                    raise whole
                outcomes.update(run([(name, text)], tests[name]))
            except EngineError as exc:
                outcomes.update({t.ref: UnitOutcome("error", str(exc)) for t in tests[name]})
    return [_unit_row(t, engine, outcomes[t.ref]) for t in every]


def _unit_row(test: UnitTest, engine: str, outcome: UnitOutcome) -> PolicyTestResult:
    return PolicyTestResult(
        kind=Kind.UNIT,
        name=test.ref,
        engine=engine,
        status=Status(outcome.status),
        file=test.file,
        line=test.line,
        seconds=outcome.seconds,
        detail=" ".join(outcome.detail.split()),
    )
