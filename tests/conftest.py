"""Shared test paths and fixtures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
CORPUS = ROOT.parent / "shared" / "corpus"
#: For tests that read ../shared/corpus, which a user's clone does not have beside it.
requires_corpus = pytest.mark.skipif(
    not CORPUS.exists(), reason="../shared/corpus is not beside the clone (real-world inputs)"
)


@pytest.fixture(scope="session")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The dependencies pinned in requirements/action.txt, downloaded once from the package
    registry (hash-checked) for the tests that install guardrails as pre-commit and the
    GitHub Action do."""
    from benchmarks.precommit_env import build_wheelhouse

    return build_wheelhouse(tmp_path_factory.mktemp("wheelhouse"))


#: ``GUARDRAILS_FUZZ=long`` multiplies every property-based test's cases by 25 (fresh random
#: cases each run instead of CI's fixed ones; docs/hostile-input.md).
FUZZ_LONG = os.environ.get("GUARDRAILS_FUZZ") == "long"
FUZZ_SCALE = 25 if FUZZ_LONG else 1
