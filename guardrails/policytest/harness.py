"""``guardrails test``: Rego unit tests and verdict cases of policy directories, on the engine a
user gets by default or on every available engine.

A directory holds policies (``*.rego`` with METADATA), their unit tests (``*_test.rego``) and
their verdict cases (``cases/<POLICY-ID>/``, see :mod:`guardrails.policytest.cases`). Unit
tests run on each Rego engine (the OPA library, regopy, a remote OPA server); cases run through
``api.scan``'s pipeline (parse, enrich, evaluate) as ``check`` runs them, on each engine that
can evaluate their policy (the Python twins only know the bundled library).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from guardrails.bundled import bundled_policy_dir
from guardrails.catalog import load_catalog
from guardrails.engines.unit_tests import discover
from guardrails.errors import ConfigError
from guardrails.inputs.safe_io import read_text
from guardrails.policytest.case_run import Scanner, api_scanner, run_case
from guardrails.policytest.cases import Case, find_cases
from guardrails.policytest.options import EngineChoice, TestOptions, engine_choices
from guardrails.policytest.results import PolicyTestResult, TestRun
from guardrails.policytest.unit import MAX_TEST_BYTES, rego_test_files, unit_results

__all__ = ["EngineChoice", "TestOptions", "run_case", "run_tests"]

CASES_DIR = "cases"


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


def _once(paths: tuple[Path, ...]) -> tuple[Path, ...]:
    """``paths`` without repeats (``dir`` and ``dir/`` or a link to it count once)."""
    seen: dict[Path, Path] = {}
    for path in paths:
        seen.setdefault(path.resolve(), path)
    return tuple(seen.values())


def run_tests(options: TestOptions, scanner: Scanner | None = None) -> TestRun:
    """Every unit test and case of ``options`` on each chosen engine."""
    options = replace(options, dirs=_once(options.dirs), case_dirs=_once(options.case_dirs))
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
    scan_case = scanner or api_scanner(options, user_dirs)
    results: list[PolicyTestResult] = []
    notes = [
        f"{f}: no test_ rules"
        for f in files
        if not discover(str(f), read_text(str(f), MAX_TEST_BYTES))
    ]
    used: list[str] = []
    for choice in engine_choices(options):
        if choice.unit_backend is not None and files:
            results += unit_results(choice, catalog, files, options)
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
