"""Start-up stays lean: what a command does not need is never imported (no timings asserted)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import FIXTURES

PROBE = """
import sys
from guardrails.cli import main
code = main(sys.argv[1:])
heavy = (
    "hcl2", "lark", "jsonschema", "rich", "regopy", "opa_bindings", "guardrails.api",
    "guardrails.enrich", "guardrails.parsers", "yaml", "pydantic", "uvicorn", "starlette",
    "cryptography", "guardrails.webhook.server", "guardrails.engines.opa_remote",
    "guardrails.engines.regopy_backend",
)
print(" ".join(m for m in heavy if m in sys.modules))
"""


def loaded_modules(*argv: str, cwd: Path) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, cwd=cwd
    )
    return set(done.stdout.strip().splitlines()[-1].split()) if done.stdout.strip() else set()


def test_help_imports_no_pipeline(tmp_path: Path) -> None:
    """``--help`` needs the command line only: no pipeline (enrich came in through the
    webhook command's option types), no YAML, no pydantic (typer's value coercion)."""
    loaded = loaded_modules("--help", cwd=tmp_path)
    pipeline = {"guardrails.api", "guardrails.enrich", "guardrails.parsers", "hcl2", "jsonschema"}
    assert loaded & (pipeline | {"yaml", "pydantic"}) == set()


def test_json_plan_loads_neither_hcl2_nor_jsonschema_nor_rich(tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    shutil.copy(FIXTURES / "terraform-plan" / "gpu_training" / "plan.json", plan)
    loaded = loaded_modules(
        "check", "--format", "json", "-o", str(tmp_path / "r.json"), str(plan), cwd=tmp_path
    )
    assert "guardrails.api" in loaded  # the probe saw the real run
    assert loaded & {"hcl2", "lark", "jsonschema", "rich", "regopy", "opa_bindings"} == set()
    # Nor the webhook's server stack, nor an engine other than the one that runs.
    server = {"uvicorn", "starlette", "cryptography", "guardrails.webhook.server"}
    assert (
        loaded & (server | {"guardrails.engines.opa_remote", "guardrails.engines.regopy_backend"})
        == set()
    )


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
    probe = PROBE.replace('"guardrails.api")', '"guardrails.api", "re2")')
    done = subprocess.run(
        [sys.executable, "-c", probe, "check", "-f", "json", "-o", str(tmp_path / "r"), str(plan)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert "re2" not in done.stdout.split(), done.stdout
