"""The test command: the README's and .ci/run's are one, with lint as its own first step.

ruff, mypy and import-linter run as their own step of the test command (before pytest, so a
lint failure is reported in seconds, not after the suite), and in .pre-commit-config.yaml for
contributors. This module checks that every step is there and that the tiers cover every test.
"""

from __future__ import annotations

import re

import yaml

from tests.conftest import INTEGRATION, ROOT

LINT_STEPS = [
    ".venv/bin/ruff check .",
    ".venv/bin/ruff format --check .",
    ".venv/bin/mypy",
    ".venv/bin/lint-imports",
]
TIERS = [
    ".venv/bin/python -m pytest -m 'not integration' -n auto",
    ".venv/bin/python -m pytest -m integration -n auto --dist loadfile",
]


def _readme_test_command() -> str:
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```bash\n(.*?)\n```", readme, flags=re.S)
    assert len(blocks) >= 2, "the README opens with two commands"
    return str(blocks[1])


def test_ci_runs_exactly_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text().strip().splitlines()[-1]
    assert ci == _readme_test_command()


def test_the_test_command_lints_first_then_runs_every_tier_fast_one_first() -> None:
    steps = [s.strip() for s in _readme_test_command().split("&&")]
    positions = [steps.index(step) for step in [*LINT_STEPS, *TIERS]]
    assert positions == sorted(positions), steps


def test_contributors_get_the_same_lint_steps_as_hooks() -> None:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    entries = {hook["entry"] for repo in config["repos"] for hook in repo["hooks"]}
    assert entries == {"ruff check", "ruff format --check", "mypy", "lint-imports"}


def test_the_integration_table_names_existing_tests() -> None:
    """A renamed test would silently fall into the fast tier: every name must exist."""
    for module, names in INTEGRATION.items():
        source = (ROOT / module).read_text()
        for name in names or ():
            assert f"def {name}(" in source, f"{module} has no {name}"
