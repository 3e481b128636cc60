"""What fails a run: --changed-only, --unknown fail, and the options every command documents."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer.main

from guardrails.api import ScanOptions, scan
from guardrails.cli import app, main
from tests.conftest import FIXTURES

PLAN = FIXTURES / "terraform-plan" / "gpu_training" / "plan.json"
SUBNET = "module.gpu.aws_subnet.training"  # no-op in the plan


def _json_report(tmp_path: Path, *args: str) -> tuple[int, dict[str, object]]:
    out = tmp_path / "report.json"
    code = main(["check", str(PLAN), "-f", "json", "-o", str(out), *args])
    return code, json.loads(out.read_text(encoding="utf-8"))


def test_changed_only_makes_findings_on_unchanged_resources_existing(tmp_path: Path) -> None:
    _, everything = _json_report(tmp_path, "--fail-on", "never")
    _, changed = _json_report(tmp_path, "--fail-on", "never", "--changed-only")
    on_subnet = [f for f in changed["findings"] if f["resource"] == SUBNET]  # type: ignore[union-attr]
    assert on_subnet and {f["outcome"] for f in on_subnet} == {"existing"}
    others = [f for f in changed["findings"] if f["resource"] != SUBNET]  # type: ignore[union-attr]
    assert "existing" not in {f["outcome"] for f in others}
    summary = changed["summary"]
    assert summary["existing"] == len(on_subnet)  # type: ignore[index]
    assert summary["findings"] == everything["summary"]["findings"] - len(on_subnet)  # type: ignore[index]


def test_changed_only_findings_never_fail_the_run(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("changed_only: true\nfail_on: low\n", encoding="utf-8")
    judged = scan([str(PLAN)], ScanOptions(config_path=config))
    assert judged.existing and not any(f.resource == SUBNET for f in judged.blocking_findings)
    everything = scan([str(PLAN)], ScanOptions(config_path=config, changed_only=False))
    assert any(f.resource == SUBNET for f in everything.blocking_findings)


def test_changed_only_is_shown_in_table_sarif_and_markdown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sarif, md = tmp_path / "r.sarif", tmp_path / "r.md"
    main(
        [
            "check",
            str(PLAN),
            "--changed-only",
            "--fail-on",
            "never",
            "-o",
            f"sarif={sarif}",
            "-o",
            f"markdown={md}",
        ]
    )
    table = " ".join(capsys.readouterr().out.split())
    assert "EXISTING" in table and "1 existing (unchanged resources)" in table
    results = json.loads(sarif.read_text())["runs"][0]["results"]
    existing = [r for r in results if r["properties"]["outcome"] == "existing"]
    assert existing and all(r["level"] == "note" for r in existing)
    assert all(r["baselineState"] == "unchanged" for r in existing)
    assert "(existing)" in md.read_text()


def test_unknown_fail_fails_on_every_unknown_whatever_its_severity(tmp_path: Path) -> None:
    files = [FIXTURES / "policies" / "GR-COST-004" / "deny_asg_max_unknown_until_apply.json"]
    out = tmp_path / "r.json"
    args = ["check", *map(str, files), "-f", "json", "-o", str(out), "--fail-on", "critical"]
    assert main([*args, "--unknown", "warn"]) == 0
    doc = json.loads(out.read_text())
    assert any(f["outcome"] == "unknown" and f["severity"] != "critical" for f in doc["findings"])
    assert main([*args, "--unknown", "fail"]) == 1
    assert main([*args[:-2], "--fail-on", "never", "--unknown", "fail"]) == 1


def _options() -> list[tuple[str, Any]]:
    """(command and option, option) for every option of every command (Typer vendors Click)."""
    command: Any = typer.main.get_command(app)
    found = []
    for name, sub in command.commands.items():
        subs = sub.commands.items() if hasattr(sub, "commands") else [("", sub)]
        for sub_name, leaf in subs:
            for param in leaf.params:
                if param.param_type_name == "option" and param.name != "help":
                    found.append((f"{name} {sub_name} {param.opts[0]}".replace("  ", " "), param))
    return found


@pytest.mark.parametrize("name,option", _options(), ids=[n for n, _ in _options()])
def test_help_shows_the_default_of_every_option(name: str, option: Any) -> None:
    if option.is_flag and not option.secondary_opts and option.default is False:
        return  # a plain on/off switch is off unless given
    assert (
        option.required or option.show_default not in (None, False) or (option.default is not None)
    ), f"{name}: --help shows no default"


def test_unknown_output_format_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(PLAN), "-o", "foo=x.txt"]) == 2
    err = capsys.readouterr().err
    assert "unknown format foo (table, json, sarif, junit, github, markdown, codequality)" in err
    assert not Path("x.txt").exists()


def test_graph_prints_the_enriched_document_and_raw_the_parsers(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["graph", str(PLAN)]) == 0
    doc = json.loads(capsys.readouterr().out)
    trainer = next(r for r in doc["resources"] if r["address"].endswith("trainer[0]"))
    assert trainer["facts"]["gpu"]["model"] == "A100"
    assert trainer["facts"]["monthly_usd"]["desired"] > 0
    assert doc["summary"]["cost"]["monthly_usd_delta"] > 0
    assert main(["graph", "--raw", str(PLAN)]) == 0
    raw = json.loads(capsys.readouterr().out)
    assert not any(r.get("facts") for r in raw["resources"]) and not raw["summary"]


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        (
            "disabled_policies: [GR-CST-001]\n",
            "disabled_policies names GR-CST-001, which is not a policy; did you mean GR-COST-001?",
        ),
        (
            "severity_overrides: {GR-TAG-0001: low}\n",
            "severity_overrides names GR-TAG-0001, which is not a policy; did you mean GR-TAG-001?",
        ),
        (
            "waivers:\n  - {policy: gr-sec-07, resource: '*', reason: r, owner: o, "
            "expires: 2026-12-31}\n",
            "waivers[0].policy names gr-sec-07, which is not a policy; did you mean GR-SEC-007?",
        ),
    ],
)
def test_unknown_policy_ids_in_config_are_an_error_naming_the_closest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], config: str, expected: str
) -> None:
    path = tmp_path / ".guardrails.yaml"
    path.write_text(config, encoding="utf-8")
    assert main(["check", "-c", str(path), str(PLAN)]) == 2
    err = capsys.readouterr().err
    assert err == f"error: {path}: {expected}\n"
