"""``guardrails test``: Rego unit tests and verdict cases of policy directories, on the engine a
user gets by default or on every available engine.

A directory holds policies (``*.rego`` with METADATA), their unit tests (``*_test.rego``) and
their verdict cases (``cases/<POLICY-ID>/``, see :mod:`guardrails.policytest.cases`). Unit
tests run on each Rego engine (the OPA library, regopy, a remote OPA server); cases run through
``api.scan`` (parse, enrich, evaluate) as ``check`` runs them, on each engine that can evaluate
their policy (the Python twins only know the bundled library).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
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
from guardrails.bundled import bundled_policy_dir
from guardrails.catalog import Catalog, load_catalog
from guardrails.config import load_config
from guardrails.engines.rego import BACKEND_ENV, BACKENDS, backend_available, policy_data
from guardrails.engines.rego import policy_sources as catalog_sources
from guardrails.engines.sandbox import UserPolicyLimits
from guardrails.engines.unit_tests import (
    UnitOutcome,
    UnitTest,
    discover,
    run_unit_tests,
    run_unit_tests_remote,
)
from guardrails.errors import ConfigError, EngineError, GuardrailsError, InputError, NoInputError
from guardrails.inputs.discovery import IGNORED_DIRS
from guardrails.inputs.safe_io import read_text
from guardrails.policytest.cases import Case, find_cases, judge
from guardrails.policytest.results import Kind, PolicyTestResult, Status, TestRun
from guardrails.report import Report
from guardrails.report.paths import scan_root

CASES_DIR = "cases"
MAX_TEST_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class EngineChoice:
    """One engine the harness runs tests on."""

    #: As reports name it: ``rego/opa-lib``, ``rego/regopy``, ``opa/remote``, ``python``, or
    #: ``default`` (what ``check`` picks: the twins for the bundled library, Rego for yours).
    name: str
    #: ``ScanOptions.engine`` for cases.
    scan_engine: str
    #: The embedded Rego library (``opa``, ``regopy``), ``remote``, or None (no unit tests).
    unit_backend: str | None
    rego_backend: str | None = None
    #: The Python twins: cases of bundled policies only.
    bundled_only: bool = False


@dataclass(frozen=True)
class TestOptions:
    """What ``guardrails test`` was asked to run."""

    __test__ = False  # not a pytest class

    #: Policy directories: policies, ``*_test.rego`` files and a ``cases/`` folder.
    dirs: tuple[Path, ...] = ()
    #: More cases directories (``<POLICY-ID>/allow_*|deny_*``) beside the ``cases/`` folders.
    case_dirs: tuple[Path, ...] = ()
    all_engines: bool = False
    opa_url: str | None = None
    limits: UserPolicyLimits = field(default_factory=UserPolicyLimits)
    root: Path | None = None


def default_backend() -> str | None:
    """The embedded Rego library ``check`` uses for user policies."""
    pinned = os.environ.get(BACKEND_ENV)
    if pinned:
        return pinned if pinned in BACKENDS else None
    return next((b for b in BACKENDS if backend_available(b)), None)


def engine_choices(options: TestOptions) -> list[EngineChoice]:
    """The engines to run on: what ``check`` uses by default, or every available one."""
    if not options.all_engines:
        return [EngineChoice("default", "auto", default_backend())]
    names = {"opa": "rego/opa-lib", "regopy": "rego/regopy"}
    choices = [EngineChoice("python", "python", None, bundled_only=True)]
    choices += [EngineChoice(names[b], "rego", b, b) for b in BACKENDS if backend_available(b)]
    if options.opa_url:
        choices.append(EngineChoice("opa/remote", "opa", "remote"))
    return choices


def _is_bundled(directory: Path) -> bool:
    try:
        return directory.resolve().is_relative_to(bundled_policy_dir().resolve())
    except OSError:
        return False


def policy_dirs(options: TestOptions) -> tuple[Path, ...]:
    """The directories whose policies are loaded next to the bundled library."""
    for directory in options.dirs:
        if not directory.is_dir():
            raise ConfigError(f"{directory}: policy directory does not exist")
    return tuple(d for d in options.dirs if not _is_bundled(d))


def rego_test_files(directories: Sequence[Path]) -> list[Path]:
    """Every ``*_test.rego`` below ``directories`` (hidden and tool folders left out)."""
    found: set[Path] = set()
    for directory in directories:
        for dirpath, dirnames, filenames in os.walk(directory):
            dirnames[:] = sorted(
                d for d in dirnames if d not in IGNORED_DIRS and not d.startswith(".")
            )
            found.update(Path(dirpath, n) for n in filenames if n.endswith("_test.rego"))
    return sorted(found)


def all_cases(options: TestOptions) -> list[Case]:
    """The cases of every ``<dir>/cases`` folder and every extra cases directory."""
    roots = [d / CASES_DIR for d in options.dirs if (d / CASES_DIR).is_dir()]
    for extra in options.case_dirs:
        if not extra.is_dir():
            raise ConfigError(f"{extra}: cases directory does not exist")
        roots.append(extra)
    cases: list[Case] = []
    for root in roots:
        cases += find_cases(root)
    return cases


#: Scans one case on one engine (the test suite swaps in memoised scans).
Scanner = Callable[[Case, EngineChoice], Report]


def run_tests(options: TestOptions, scanner: Scanner | None = None) -> TestRun:
    """Every unit test and case of ``options`` on each chosen engine."""
    user_dirs = policy_dirs(options)
    catalog = load_catalog(user_dirs)
    files = rego_test_files(options.dirs)
    cases = all_cases(options)
    unknown = sorted({c.policy for c in cases} - set(catalog.policies))
    if unknown:
        raise ConfigError(
            f"cases name {unknown[0]}, which is not a policy of the directories given"
        )
    if not files and not cases:
        named = ", ".join(str(d) for d in (*options.dirs, *options.case_dirs))
        raise ConfigError(f"{named}: no *_test.rego file and no cases/<POLICY-ID>/ folder to run")
    scan_case = scanner or _api_scanner(options, user_dirs)
    results: list[PolicyTestResult] = []
    notes = [
        f"{f}: no test_ rules"
        for f in files
        if not discover(str(f), read_text(str(f), MAX_TEST_BYTES))
    ]
    used: list[str] = []
    for choice in engine_choices(options):
        if choice.unit_backend is not None and files:
            results += _unit_results(choice, catalog, files, options)
        chosen = [c for c in cases if not choice.bundled_only or catalog.policies[c.policy].bundled]
        if len(chosen) < len(cases):
            notes.append(
                f"{choice.name}: {len(cases) - len(chosen)} case(s) of user policies not run "
                "(the Python twins know only the bundled library)"
            )
        for case in chosen:
            results.append(run_case(case, choice, scan_case))
        if chosen or (choice.unit_backend is not None and files):
            used.append(choice.name)
    engines = sorted({r.engine for r in results}) or used
    return TestRun(tuple(results), tuple(engines), tuple(notes))


def _api_scanner(options: TestOptions, user_dirs: tuple[Path, ...]) -> Scanner:
    """``api.scan``'s pipeline (resolve the config, parse, enrich, evaluate), with the policies
    loaded and the engine compiled once per engine and case config, as the webhook does."""
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
        return evaluate_prepared(graph, prepared[key])

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


def _unit_results(
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
                outcomes.update(run([(name, text)], tests[name]))
            except EngineError as exc:
                detail = str(exc) if len(sources) > 1 else str(whole)
                outcomes.update({t.ref: UnitOutcome("error", detail) for t in tests[name]})
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
