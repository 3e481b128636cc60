"""The configuration that gates is the one the platform team wrote.

A ``.guardrails.yaml`` above the git top level (a self-hosted runner's work directory) turned
exit 1 into 0; a config below the root that relaxed the root one won silently (a GPU plan then
read PASS). Now the search stops at the root, every report names the config and what it
relaxes, and a pinned config (the Action's ``config`` input) refuses any other.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from guardrails.cli import main
from guardrails.config import DEFAULTS, validate_config
from guardrails.config_relax import relaxations
from tests.conftest import FIXTURES

MANIFEST = FIXTURES / "kubernetes" / "core-workloads.yaml"
RELAXING = """\
fail_on: never
unknown: ignore
disabled_policies: [GR-SEC-007]
cost_ceilings: {prod: 999999999}
waiver_max_days: 3650
required_tags: [owner]
waivers:
  - {policy: GR-TAG-001, resource: "*", reason: r, owner: o, expires: 2026-12-31}
"""


def _repo(base: Path) -> Path:
    repo = base / "repo"
    (repo / "sub").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    shutil.copy(MANIFEST, repo / "sub" / "app.yaml")
    return repo


def _check(
    repo: Path, capsys: pytest.CaptureFixture[str], *args: str, fmt: str = "json"
) -> tuple[int, str, str]:
    code = main(["check", "--engine", "python", "-f", fmt, *args, str(repo / "sub" / "app.yaml")])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_config_above_the_repository_root_is_not_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = _repo(tmp_path)
    (tmp_path / ".guardrails.yaml").write_text("fail_on: never\n")  # the runner's work dir
    monkeypatch.chdir(repo)
    code, out, _ = _check(repo, capsys)
    assert code == 1  # was 0: the runner's config said never
    assert json.loads(out)["config"] == {"path": None, "compared_to": None, "relaxations": []}


def test_root_option_bounds_the_search_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = _repo(tmp_path)
    (repo / ".guardrails.yaml").write_text("fail_on: never\n")
    code, out, _ = _check(repo, capsys, "--root", str(repo / "sub"))
    assert code == 1 and json.loads(out)["config"]["path"] is None


def test_a_nested_config_that_relaxes_the_root_one_is_named_in_every_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = _repo(tmp_path)
    (repo / ".guardrails.yaml").write_text("fail_on: high\n")
    (repo / "sub" / ".guardrails.yaml").write_text(RELAXING)
    monkeypatch.chdir(repo)
    code, out, _ = _check(repo, capsys)
    config = json.loads(out)["config"]
    assert config["path"] == "sub/.guardrails.yaml"
    assert config["compared_to"] == ".guardrails.yaml"
    assert config["relaxations"] == [
        "cost_ceilings.prod: 100000 → 999999999",
        'disabled_policies: adds "GR-SEC-007"',
        "fail_on: high → never",
        'required_tags: drops "team", "cost-center", "environment"',
        "unknown: warn → ignore",
        "waiver_max_days: 180 → 3650",
        "waivers: adds GR-TAG-001 on * until 2026-12-31",
    ]
    assert code == 0  # the nested config still applies, but no report hides it:
    _, table, _ = _check(repo, capsys, fmt="table")
    assert "config: sub/.guardrails.yaml; relaxes .guardrails.yaml: cost_ceilings.prod" in table
    _, markdown, _ = _check(repo, capsys, fmt="markdown")
    assert "Config: `sub/.guardrails.yaml` — ⚠️ **relaxes .guardrails.yaml:**" in markdown
    _, github, _ = _check(repo, capsys, fmt="github")
    assert "::warning title=guardrails%3A sub/.guardrails.yaml relaxes .guardrails.yaml::" in github
    _, sarif, _ = _check(repo, capsys, fmt="sarif")
    assert json.loads(sarif)["runs"][0]["properties"]["config"] == config
    _, junit, _ = _check(repo, capsys, fmt="junit")
    assert 'name="guardrails.config.relaxes" value="fail_on: high → never"' in junit


def test_a_nested_config_without_a_root_config_is_measured_against_the_defaults(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = _repo(tmp_path)
    (repo / "sub" / ".guardrails.yaml").write_text("fail_on: never\n")
    _, out, _ = _check(repo, capsys)
    assert json.loads(out)["config"] == {
        "path": "sub/.guardrails.yaml",
        "compared_to": None,
        "relaxations": ["fail_on: high → never"],
    }
    _, table, _ = _check(repo, capsys, fmt="table")
    assert "relaxes the built-in defaults: fail_on: high → never" in table


def test_the_root_config_relaxes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = _repo(tmp_path)
    (repo / ".guardrails.yaml").write_text("fail_on: medium\n")
    _, out, _ = _check(repo, capsys)
    assert json.loads(out)["config"] == {
        "path": ".guardrails.yaml",
        "compared_to": None,
        "relaxations": [],
    }


def test_a_pinned_config_refuses_a_different_nested_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = _repo(tmp_path)
    pinned = repo / "platform.yaml"
    pinned.write_text("fail_on: high\n")
    (repo / "sub" / ".guardrails.yaml").write_text("fail_on: never\n")
    code, out, err = _check(repo, capsys, "--config", str(pinned), "--pin-config")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "sub/.guardrails.yaml: a config that differs" in err
    # An identical copy, or none, is fine; without --pin-config --config wins as before.
    (repo / "sub" / ".guardrails.yaml").write_text("fail_on: high\n")
    assert _check(repo, capsys, "--config", str(pinned), "--pin-config")[0] == 1
    (repo / "sub" / ".guardrails.yaml").write_text("fail_on: never\n")
    assert _check(repo, capsys, "--config", str(pinned))[0] == 1


def test_pin_config_needs_a_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _check(_repo(tmp_path), capsys, "--pin-config")
    assert code == 2 and "--pin-config needs --config" in err


def _merged(text: str) -> dict[str, object]:
    import yaml

    return validate_config(yaml.safe_load(text), "t")


@pytest.mark.parametrize(
    ("setting", "relaxed"),
    [
        ("fail_on: critical", ["fail_on: high → critical"]),
        ("fail_on: medium", []),
        ("unknown: fail", []),
        (
            "severity_overrides: {GR-TAG-001: low}",
            ["severity_overrides.GR-TAG-001: policy severity → low"],
        ),
        ("severity_overrides: {GR-TAG-001: critical}", []),
        ("delta_ceiling: 25001", ["delta_ceiling: 25000 → 25001"]),
        ("delta_ceiling: 100", []),
        ("max_gpu_nodes: 64", ["max_gpu_nodes: 16 → 64"]),
        ("default_gpu_hourly_usd: 0.01", ["default_gpu_hourly_usd: 1.01 → 0.01"]),
        (
            "allowed_gpu_models: {dev: [T4, L4, A10G, H100]}",
            ['allowed_gpu_models.dev: adds "H100"'],
        ),
        ("allowed_tag_values: {environment: [dev, prod]}", []),
        (
            "allowed_tag_values: {environment: [dev, prod, x]}",
            ['allowed_tag_values.environment: adds "x"'],
        ),
        ("allowed_workloads: [training, anything]", ['allowed_workloads: adds "anything"']),
        ("tag_aliases: {team: [squad]}", ['tag_aliases.team: adds "squad"']),
        ("changed_only: true", ["changed_only: False → True"]),
        ("default_environment: dev", ['default_environment: null → "dev"']),
        (
            "webhook: {exempt_namespaces: [kube-system, ml]}",
            ['webhook.exempt_namespaces: adds "ml"'],
        ),
        ("budgets: {team: {a: 10}}", []),
    ],
)
def test_each_relaxing_setting_is_listed(setting: str, relaxed: list[str]) -> None:
    assert list(relaxations(_merged(setting), DEFAULTS)) == relaxed


def test_raised_budgets_and_removed_ones_are_relaxations() -> None:
    root = _merged("budgets: {team: {a: 10, b: 20}, warn_at_percent: 80}")
    nested = _merged("budgets: {team: {a: 50}, warn_at_percent: 95}")
    assert relaxations(nested, root) == (
        "budgets.team.a: 10 → 50",
        "budgets.team.b: removed",
        "budgets.warn_at_percent: 80 → 95",
    )
