"""Every report format names the backend that evaluated the policies."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from guardrails.api import ScanOptions, scan
from guardrails.engines.rego import BACKENDS, RegoEngine, backend_available
from guardrails.report import REPORTERS
from tests.conftest import FIXTURES

PLAN = str(FIXTURES / "terraform-plan" / "gpu_training" / "plan.json")
BACKEND_NAMES = ("rego/opa-lib", "rego/regopy", "opa/remote", "python")


@pytest.mark.parametrize("fmt", sorted(REPORTERS))
@pytest.mark.parametrize("engine", BACKEND_NAMES)
def test_every_format_names_the_engine(fmt: str, engine: str) -> None:
    report = replace(scan([PLAN], ScanOptions(no_config=True, engine="python")), engine=engine)
    assert engine in REPORTERS[fmt](report, False)


@pytest.mark.parametrize("backend", [b for b in BACKENDS if backend_available(b)])
def test_rego_engine_name_is_its_backend(backend: str) -> None:
    expected = {"opa": "rego/opa-lib", "regopy": "rego/regopy"}[backend]
    assert RegoEngine(backend).name == expected


def test_auto_runs_the_python_twins_for_the_bundled_library() -> None:
    assert scan([PLAN], ScanOptions(no_config=True)).engine == "python"


@pytest.mark.skipif(
    not any(backend_available(b) for b in BACKENDS), reason="no embedded Rego engine installed"
)
def test_auto_runs_rego_when_user_policies_are_loaded() -> None:
    user = FIXTURES / "user-policies"
    options = ScanOptions(no_config=True, policy_dirs=(user,))
    report = scan([str(user / "notebook-with-four-gpus.yaml")], options)
    assert report.engine.startswith("python+rego/")
    assert any(f.policy == "ACME-GPU-001" for f in report.findings)


def test_cost_views_say_no_policy_engine_ran() -> None:
    from guardrails.api import enriched_graph
    from guardrails.report.views.cost import cost_breakdown
    from guardrails.report.views.cost_render import (
        COST_ENGINE,
        COST_ENGINE_NOTE,
        render_cost_json,
        render_cost_markdown,
        render_cost_table,
    )

    breakdown = cost_breakdown(enriched_graph([PLAN], ScanOptions(no_config=True)))
    assert json.loads(render_cost_json(breakdown))["engine"] == COST_ENGINE
    assert COST_ENGINE_NOTE in render_cost_markdown(breakdown)
    assert COST_ENGINE_NOTE in render_cost_table(breakdown, color=False)
