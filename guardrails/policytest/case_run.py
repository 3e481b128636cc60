"""Verdict cases through the pipeline ``check`` runs (parse, enrich, evaluate), as results."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from guardrails.api import (
    PreparedPolicies,
    ScanOptions,
    build_graph,
    enrich_graph,
    evaluate_prepared,
    prepare_policies,
    resolve_config,
)
from guardrails.api import judge as apply_verdict
from guardrails.errors import ConfigError, GuardrailsError, InputError, NoInputError
from guardrails.policytest.cases import Case, judge
from guardrails.policytest.options import EngineChoice, TestOptions
from guardrails.policytest.results import Kind, PolicyTestResult, Status
from guardrails.report import Report
from guardrails.report.paths import scan_root

#: Scans one case on one engine (the test suite swaps in memoised scans).
Scanner = Callable[[Case, EngineChoice], Report]


def api_scanner(options: TestOptions, user_dirs: tuple[Path, ...]) -> Scanner:
    """``api.scan``'s pipeline (resolve the config, parse, enrich, evaluate, judge), with the
    policies loaded and the engine compiled once per engine and case config (as the webhook)."""
    prepared: dict[tuple[str, str | None], PreparedPolicies] = {}

    def scanner(case: Case, choice: EngineChoice) -> Report:
        scan_options = ScanOptions(
            config_path=case.config,
            no_config=case.config is None,
            engine=choice.scan_engine,
            rego_backend=choice.rego_backend,
            opa_url=options.opa_url if choice.scan_engine == "opa" else None,
            opa_fallback=False,  # a test that silently ran elsewhere would prove nothing
            policy_dirs=user_dirs,
            allow_network_builtins=options.limits.allow_network,
            policy_timeout_s=options.limits.timeout_s,
            policy_memory_mb=options.limits.memory_mb,
            root=options.root,
        )
        paths = [str(case.path)]
        config = resolve_config(paths, scan_options)
        key = (choice.name, str(case.config) if case.config else None)
        if key not in prepared:
            rooted = replace(scan_options, root=scan_root(paths, options.root))
            prepared[key] = prepare_policies(config, rooted)
        graph = enrich_graph(build_graph(paths, scan_options), config)
        return apply_verdict(evaluate_prepared(graph, prepared[key]), scan_options)

    return scanner


def run_case(case: Case, choice: EngineChoice, scanner: Scanner) -> PolicyTestResult:
    """One case on one engine: pass when the findings are as expected."""
    start = time.perf_counter()
    engine = choice.name
    try:
        report = scanner(case, choice)
    except (InputError, NoInputError, ConfigError) as exc:
        return _case_error(case, engine, str(exc), start, input_error=True)
    except GuardrailsError as exc:
        return _case_error(case, engine, str(exc), start)
    if choice.name == "default":
        engine = report.engine
    if report.graph.input_errors:
        item = report.graph.input_errors[0]
        problem = item.notes[0] if item.notes else "could not be read"
        return _case_error(case, engine, f"{item.path}: {problem}", start, input_error=True)
    verdict = judge(case, report)
    return PolicyTestResult(
        kind=Kind.CASE,
        name=case.name,
        engine=engine,
        status=Status.PASS if verdict.passed else Status.FAIL,
        file=str(case.path),
        seconds=time.perf_counter() - start,
        detail=verdict.detail,
        expected=verdict.expected,
        actual=verdict.actual,
    )


def _case_error(
    case: Case, engine: str, detail: str, start: float, *, input_error: bool = False
) -> PolicyTestResult:
    return PolicyTestResult(
        kind=Kind.CASE,
        name=case.name,
        engine=engine,
        status=Status.ERROR,
        file=str(case.path),
        seconds=time.perf_counter() - start,
        detail=" ".join(detail.split()),
        input_error=input_error,
    )
