"""Start-up stays lean: what a command does not need is never imported (no timings asserted)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES

PROBE = """
import sys
from guardrails.cli import main
code = main(sys.argv[1:])
print(" ".join(sorted(sys.modules)))
"""


def loaded_modules(*argv: str, cwd: Path) -> set[str]:
    # Off a terminal, as a pre-commit hook runs: no COLUMNS (pytest sets it for its children).
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, cwd=cwd, env=env
    )
    return set(done.stdout.strip().splitlines()[-1].split()) if done.stdout.strip() else set()


def test_help_imports_no_pipeline(tmp_path: Path) -> None:
    """``--help`` needs the command line only: no pipeline (enrich came in through the
    webhook command's option types), no YAML, no pydantic (typer's value coercion)."""
    loaded = loaded_modules("--help", cwd=tmp_path)
    pipeline = {"guardrails.api", "guardrails.enrich", "guardrails.parsers", "hcl2", "jsonschema"}
    assert "guardrails.cli.check" in loaded  # the probe saw the listing
    assert loaded & (pipeline | {"yaml", "pydantic"}) == set()


#: What a small check needs for one kind of input, and nothing more.
HCL_EVALUATOR = {
    "guardrails.parsers.terraform_hcl.builder",
    "guardrails.parsers.terraform_hcl.values",
    "guardrails.parsers.terraform_hcl.functions",
    "hcl2",
    "lark",
}
BUDGETS = {
    "guardrails.enrich.budgets",
    "guardrails.enrich.budget_proof",
    "guardrails.enrich.worst_case",
}
#: The other commands and what only they use.
OTHER_COMMANDS = {
    *(f"guardrails.cli.{c}" for c in ("graph", "cost", "hook", "test", "baseline", "budgets")),
    *(f"guardrails.cli.{c}" for c in ("bundle", "policies", "waivers", "webhook")),
    "guardrails.webhook.review",
    "guardrails.policytest",
}
#: A config file is validated against its JSON schema; without one, jsonschema never loads.
NO_CONFIG = {"jsonschema"}
#: Never in a check: other engines, the webhook's server stack, pydantic (typer 0.29).
NEVER = {
    "pydantic",
    "regopy",
    "opa_bindings",
    "uvicorn",
    "starlette",
    "cryptography",
    "guardrails.webhook.server",
    "guardrails.engines.opa_remote",
    "guardrails.engines.regopy_backend",
}
PLAN = FIXTURES / "terraform-plan" / "gpu_training" / "plan.json"
CASES = [
    # (input, extra arguments, loaded, not loaded)
    (PLAN, ["-f", "json"], set(), {"yaml", "rich", *HCL_EVALUATOR, *BUDGETS, *NO_CONFIG}),
    (PLAN, ["-f", "table"], {"rich"}, {"yaml", *HCL_EVALUATOR, *BUDGETS, *NO_CONFIG}),
    (FIXTURES / "terraform-hcl" / "gpu_cluster", ["-f", "json"], HCL_EVALUATOR, {"yaml", "rich"}),
    (FIXTURES / "kubernetes" / "serving.yaml", ["-f", "json"], {"yaml"}, {"rich", *HCL_EVALUATOR}),
    (
        PLAN,
        ["-f", "json", "--config", str(FIXTURES / "budgets" / "config.yaml")],
        {"yaml", *BUDGETS},
        {"rich", *HCL_EVALUATOR},
    ),
]


@pytest.mark.parametrize(
    "path,args,needed,unneeded",
    CASES,
    ids=["plan-json", "plan-table", "tf-directory", "kubernetes-yaml", "plan-with-budgets"],
)
def test_a_small_check_imports_what_its_input_needs(
    tmp_path: Path, path: Path, args: list[str], needed: set[str], unneeded: set[str]
) -> None:
    """The pre-commit case: one small input. The HCL evaluator only for .tf, PyYAML only for
    YAML (the bundled catalog comes from its index), rich only for a table, budget pools only
    with budgets; never another command, engine or pydantic."""
    target = tmp_path / path.name
    if path.is_dir():
        shutil.copytree(path, target)
    else:
        shutil.copy(path, target)
    loaded = loaded_modules("check", *args, "-o", str(tmp_path / "r"), str(target), cwd=tmp_path)
    assert {"guardrails.api", "guardrails.cli.check"} | needed <= loaded  # the run happened
    assert loaded & (unneeded | OTHER_COMMANDS | NEVER) == set()


ORDER_PROBE = """
import sys
from guardrails.patterns import full_match
assert full_match("[a-z]+", "abc") and not full_match("[a-z]+", "abc\\\\n")
names = list(sys.modules)
print(names.index("regopy") < names.index("re2") if "regopy" in names else "no regopy")
"""


def test_re2_loads_after_regopy_and_only_when_a_pattern_is_used(tmp_path: Path) -> None:
    """google-re2 loaded before regopy makes regopy evaluate with ~4x the memory (the hostile
    benchmark's regopy rows); a plain check compiles no pattern and loads neither for it."""
    done = subprocess.run(
        [sys.executable, "-c", ORDER_PROBE], capture_output=True, text=True, cwd=tmp_path
    )
    assert done.stdout.strip() in ("True", "no regopy"), done.stderr
    plan = tmp_path / "plan.json"
    shutil.copy(FIXTURES / "terraform-plan" / "gpu_training" / "plan.json", plan)
    loaded = loaded_modules(
        "check", "-f", "json", "-o", str(tmp_path / "r"), str(plan), cwd=tmp_path
    )
    assert "guardrails.api" in loaded and "re2" not in loaded
