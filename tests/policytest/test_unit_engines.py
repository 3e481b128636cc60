"""Rego unit tests on each embedded engine, in the sandbox child: every status, and a file that
does not compile (or crashes regopy) costs only its own tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from guardrails.catalog import load_catalog
from guardrails.engines.rego import backend_available
from guardrails.engines.sandbox import UserPolicyLimits
from guardrails.policytest.options import EngineChoice, TestOptions
from guardrails.policytest.results import Status
from guardrails.policytest.unit import unit_results
from tests.conftest import FIXTURES

POLICY_DIR = FIXTURES / "user-policies"

GOOD = """package guardrails.policy.acme_gpu_001_test

import rego.v1

import data.guardrails.policy.acme_gpu_001

notebook(n) := {"id": "nb", "address": "Notebook/ml/nb", "facts": {"workload_class": "notebook", "gpu": {"count": n}}}

test_passes if {
	resources := [notebook(4)]
	count(acme_gpu_001.deny) == 1 with input.resources as resources
}

test_fails if {
	resources := [notebook(1)]
	count(acme_gpu_001.deny) == 1 with input.resources as resources
}

test_errs if {
	x := 1 / 0
	x == 1
}

test_not_true := 3

todo_test_later if {
	false
}
"""

BROKEN = "package guardrails.policy.broken_test\n\nimport rego.v1\n\ntest_x if {\n"

#: Replacing the whole input when the rule under test calls a builtin: regopy 1.5.2 aborts.
CRASHES_REGOPY = """package guardrails.policy.crash_test

import rego.v1

import data.guardrails.policy.acme_gpu_001

test_whole_input if {
	doc := {"resources": [{"id": "nb", "address": "a", "facts": {"workload_class": "notebook", "gpu": {"count": 4}}}]}
	count(acme_gpu_001.deny) == 1 with input as doc
}
"""


def _statuses(tmp_path: Path, backend: str, files: dict[str, str]) -> dict[str, tuple[str, str]]:
    if not backend_available(backend):
        pytest.skip(f"{backend} is not installed")
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    paths = sorted(tmp_path / name for name in files)
    choice = EngineChoice(backend, "rego", backend, backend)
    rows = unit_results(choice, load_catalog((POLICY_DIR,)), paths, TestOptions())
    return {r.name.rsplit(".", 1)[1]: (str(r.status), r.detail) for r in rows}


@pytest.mark.parametrize("backend", ["opa", "regopy"])
def test_every_status(tmp_path: Path, backend: str) -> None:
    got = _statuses(tmp_path, backend, {"a_test.rego": GOOD})
    assert {k: v[0] for k, v in got.items()} == {
        "test_passes": "pass",
        "test_fails": "fail",
        # OPA's builtin errors are strict; regopy's division by zero is undefined.
        "test_errs": "error" if backend == "opa" else "fail",
        "test_not_true": "fail",
        "todo_test_later": "skip",
    }
    assert "value 3, not true" in got["test_not_true"][1]
    if backend == "opa":
        assert "divide by zero" in got["test_errs"][1]


@pytest.mark.parametrize("backend", ["opa", "regopy"])
def test_a_broken_file_costs_only_its_own_tests(tmp_path: Path, backend: str) -> None:
    got = _statuses(tmp_path, backend, {"a_test.rego": GOOD, "b_test.rego": BROKEN})
    assert got["test_passes"][0] == "pass" and got["test_fails"][0] == "fail"
    assert got["test_x"][0] == "error" and "b_test.rego" in got["test_x"][1]


def test_a_regopy_crash_is_an_error_naming_the_file(tmp_path: Path) -> None:
    got = _statuses(tmp_path, "regopy", {"a_test.rego": GOOD, "c_test.rego": CRASHES_REGOPY})
    assert got["test_passes"][0] == "pass"
    status, detail = got["test_whole_input"]
    assert status == Status.ERROR and "c_test.rego" in detail and "crashed" in detail


CONFIG_POLICY = """# METADATA
# title: Too many GPUs
# description: More GPUs than max_gpu_nodes.
# scope: package
# custom:
#   id: ACME-CFG-001
#   severity: low
#   category: cost
#   remediation: Fewer GPUs.
#   input: resources
package guardrails.policy.acme_cfg_001

import rego.v1

deny := [f |
	some r in input.resources
	r.facts.gpu.count > data.guardrails.config.max_gpu_nodes
	f := {"resource": r.id, "message": "too many"}
]
"""

CONFIG_TESTS = """package guardrails.policy.acme_cfg_001_test

import rego.v1

import data.guardrails.policy.acme_cfg_001

test_a_config_value_replaced if {
	resources := [{"id": "a", "facts": {"gpu": {"count": 5}}}]
	findings := acme_cfg_001.deny with input.resources as resources with data.guardrails.config.max_gpu_nodes as 4
	count(findings) == 1
}

test_the_defaults_apply if {
	resources := [{"id": "a", "facts": {"gpu": {"count": 16}}}]
	findings := acme_cfg_001.deny with input.resources as resources
	count(findings) == 0
}
"""


@pytest.mark.parametrize("backend", ["opa", "regopy"])
def test_config_is_the_defaults_and_with_replaces_a_value(tmp_path: Path, backend: str) -> None:
    """data.guardrails.config holds the built-in defaults (max_gpu_nodes 16) during a test, and
    ``with data.guardrails.config.<key> as`` replaces one value, on both engines."""
    if not backend_available(backend):
        pytest.skip(f"{backend} is not installed")
    (tmp_path / "p.rego").write_text(CONFIG_POLICY)
    (tmp_path / "p_test.rego").write_text(CONFIG_TESTS)
    choice = EngineChoice(backend, "rego", backend, backend)
    rows = unit_results(
        choice, load_catalog((tmp_path,)), [tmp_path / "p_test.rego"], TestOptions()
    )
    assert [(r.name.rsplit(".", 1)[1], str(r.status)) for r in rows] == [
        ("test_a_config_value_replaced", "pass"),
        ("test_the_defaults_apply", "pass"),
    ]


SPIN = """package guardrails.policy.spin_test

import rego.v1

test_spins if {
	count(numbers.range(1, 2000000000)) > 0
}
"""


def test_a_test_past_the_time_limit_is_stopped(tmp_path: Path) -> None:
    """The #20 limits bound a test file as they bound a policy: one error naming the file."""
    backend = "opa" if backend_available("opa") else "regopy"
    (tmp_path / "spin_test.rego").write_text(SPIN)
    choice = EngineChoice(backend, "rego", backend, backend)
    options = TestOptions(limits=UserPolicyLimits(timeout_s=1.0))
    [row] = unit_results(choice, load_catalog(), [tmp_path / "spin_test.rego"], options)
    assert row.status == Status.ERROR
    assert "spin_test.rego" in row.detail and "stopped" in row.detail, row.detail
