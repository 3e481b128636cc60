"""``guardrails check``: evaluate the policies and report, in one or several formats."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from guardrails.cli.common import (
    AllowEmptyOpt,
    ConfigOpt,
    EnvOpt,
    MaxResourcesOpt,
    MaxSizeOpt,
    PathsArg,
    PolicyDirOpt,
    RootOpt,
    SourceRootOpt,
    StdinPathOpt,
    VarFileOpt,
    emit_chunks,
    fail,
    parse_outputs,
    print_warning,
    report_input_errors,
    use_color,
)
from guardrails.errors import ConfigError, GuardrailsError
from guardrails.limits import DEFAULT_MAX_RESOURCES, TABLE_DETAILS_PER_POLICY
from guardrails.output import write_all

if TYPE_CHECKING:
    from guardrails.api import ScanOptions
    from guardrails.report import Report


class CheckFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    SARIF = "sarif"
    JUNIT = "junit"
    GITHUB = "github"
    MARKDOWN = "markdown"
    CODEQUALITY = "codequality"


class FailOn(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"
    NEVER = "never"


class EngineName(StrEnum):
    AUTO = "auto"
    REGO = "rego"
    OPA = "opa"
    PYTHON = "python"


class UnknownMode(StrEnum):
    IGNORE = "ignore"
    WARN = "warn"
    FAIL = "fail"


def check(
    paths: PathsArg,
    format: Annotated[CheckFormat, typer.Option("--format", "-f", help="Report format.")] = (
        CheckFormat.TABLE
    ),
    output: Annotated[
        list[str] | None,
        typer.Option(
            "--output",
            "-o",
            help="Write the report to FILE, or another format too with FORMAT=FILE (repeatable).",
            show_default="stdout",
        ),
    ] = None,
    fail_on: Annotated[
        FailOn | None,
        typer.Option(
            "--fail-on",
            help="Exit 1 when a finding is at or above this severity.",
            show_default="fail_on in .guardrails.yaml, else high",
        ),
    ] = None,
    unknown: Annotated[
        UnknownMode | None,
        typer.Option(
            "--unknown",
            help="Findings unknown until apply: ignore (drop them), warn (report, exit 0 for "
            "them) or fail (every one fails the run, whatever its severity).",
            show_default="unknown in .guardrails.yaml, else warn",
        ),
    ] = None,
    changed_only: Annotated[
        bool | None,
        typer.Option(
            "--changed-only/--all-resources",
            help="Judge only what the change touches: findings on unchanged (no-op, read) "
            "resources are reported as existing and never fail the run.",
            show_default="changed_only in .guardrails.yaml, else --all-resources",
        ),
    ] = None,
    config: ConfigOpt = None,
    pin_config: Annotated[
        bool,
        typer.Option(
            "--pin-config",
            help="With --config: the only config. Another .guardrails.yaml that differs from it "
            "and would apply to an input (between it and the repository root) is an error.",
        ),
    ] = False,
    env: EnvOpt = None,
    engine: Annotated[
        EngineName,
        typer.Option(
            "--engine",
            help="Policy engine (auto: the python twins for the bundled library, rego when "
            "user Rego policies are loaded).",
        ),
    ] = EngineName.AUTO,
    opa_url: Annotated[
        str | None,
        typer.Option(
            "--opa-url",
            envvar="GUARDRAILS_OPA_URL",
            help="OPA server for --engine opa.",
            show_default="none",
        ),
    ] = None,
    opa_fallback: Annotated[
        bool,
        typer.Option(
            "--opa-fallback/--no-opa-fallback",
            help="Evaluate offline (with a warning) when the OPA server is unreachable.",
        ),
    ] = True,
    opa_upload: Annotated[
        bool,
        typer.Option(
            "--opa-upload/--opa-preloaded",
            help="Upload the policies to the OPA server, or query a server that holds the bundle.",
        ),
    ] = True,
    policy_dir: PolicyDirOpt = None,
    allow_network_builtins: Annotated[
        bool,
        typer.Option(
            "--allow-network-builtins",
            help="Let --policy-dir policies call http.send, net.lookup_ip_addr and "
            "json.match_schema/verify_schema (remote $ref). Only for policies you trust: a "
            "pull request can add policies. Never settable from a config file.",
        ),
    ] = False,
    policy_timeout: Annotated[
        float,
        typer.Option(
            "--policy-timeout",
            min=0.1,
            help="Seconds one evaluation of the --policy-dir policies may take.",
        ),
    ] = 120.0,
    policy_memory_mb: Annotated[
        int | None,
        typer.Option(
            "--policy-memory-mb",
            min=64,
            help="Resident memory (MB) one evaluation of the --policy-dir policies may use.",
            show_default="512 + 64 x the input JSON size",
        ),
    ] = None,
    baseline: Annotated[
        Path | None,
        typer.Option(
            "--baseline",
            help="Report only findings not recorded in this baseline.",
            show_default="none",
        ),
    ] = None,
    base: Annotated[
        list[str] | None,
        typer.Option(
            "--base",
            help="The same paths as they are at the base commit (a checkout of the base ref; "
            "repeatable): findings are new, fixed, unchanged or escalated against them.",
            show_default="the baseline, else a plan's prior state",
        ),
    ] = None,
    fail_on_new: Annotated[
        bool,
        typer.Option(
            "--fail-on-new",
            help="Fail only on findings new or escalated against the base (--base, "
            "--baseline or a plan's prior state) at or above --fail-on.",
        ),
    ] = False,
    all_findings: Annotated[
        bool,
        typer.Option(
            "--all",
            help=f"Table: every finding in the details, not the first {TABLE_DETAILS_PER_POLICY} "
            "per policy (the summary and the other formats have them all).",
        ),
    ] = False,
    progress: Annotated[
        bool | None,
        typer.Option(
            "--progress/--no-progress",
            help="Progress on stderr.",
            show_default="--progress on a terminal, else --no-progress",
        ),
    ] = None,
    source_root: SourceRootOpt = None,
    var_file: VarFileOpt = None,
    root: RootOpt = None,
    stdin_path: StdinPathOpt = None,
    skip_unrecognized: Annotated[
        bool,
        typer.Option(
            "--skip-unrecognized",
            help="Skip named files in no supported format instead of failing (pre-commit).",
        ),
    ] = False,
    max_size_mb: MaxSizeOpt = 200,
    max_resources: MaxResourcesOpt = DEFAULT_MAX_RESOURCES,
    allow_empty: AllowEmptyOpt = False,
) -> None:
    """Check infrastructure changes against the guardrail policies."""
    # Imported here so `guardrails --help` stays fast (the pipeline is ~100 ms of imports).
    from guardrails.api import ScanOptions
    from guardrails.parsers.base import ParseOptions

    if pin_config and config is None:
        raise fail("--pin-config needs --config FILE (the config to pin)")
    if engine == EngineName.OPA and not opa_url:  # before reading any input
        raise fail(
            "--engine opa needs --opa-url URL or GUARDRAILS_OPA_URL (the OPA server to query); "
            "--engine rego evaluates the same Rego in-process"
        )
    options = ScanOptions(
        parse=ParseOptions(
            source_root=source_root,
            stdin_path=stdin_path,
            skip_unrecognized=skip_unrecognized,
            max_bytes=max_size_mb << 20,
            max_resources=max_resources,
            var_files=tuple(var_file or ()),
        ),
        root=root,
        config_path=config,
        pin_config=pin_config,
        environment=env.value if env else None,
        changed_only=changed_only,
        engine=engine.value,
        opa_url=opa_url,
        opa_fallback=opa_fallback,
        opa_upload=opa_upload,
        policy_dirs=tuple(policy_dir or ()),
        allow_network_builtins=allow_network_builtins,
        policy_timeout_s=policy_timeout,
        policy_memory_mb=policy_memory_mb,
        allow_empty=allow_empty,
        fail_on=fail_on.value if fail_on else None,
        unknown=unknown.value if unknown else None,
        baseline=baseline,
        base_paths=tuple(base or ()),
        fail_on_new=fail_on_new,
        ledger=baseline is not None,
    )
    raise typer.Exit(
        run_check(paths, options, format.value, list(output or ()), progress, all_findings)
    )


def run_check(
    paths: list[str],
    options: ScanOptions,
    format: str,
    output: list[str],
    progress: bool | None,
    all_findings: bool = False,
) -> int:
    """Scan (the API applies the verdict), print warnings, write every report; the exit code."""
    from guardrails.api import scan
    from guardrails.cli.progress import progress_reporter

    try:
        main_output, extra_outputs = parse_outputs(output, tuple(CheckFormat))
        with progress_reporter(progress) as reporter:
            report = scan(
                paths,
                replace(
                    options,
                    progress=reporter.file if reporter else None,
                    on_stage=reporter.stage if reporter else None,
                ),
            )
        for change in report.waiver_changes or ():
            print_warning(f"waiver {change.describe()}")
        for warning in report.warnings:
            print_warning(warning)
        # Every file is complete before any is replaced (then stdout, if no file); the JSON and
        # SARIF text is encoded as it is written, never whole in memory.
        files = [
            (file, _render(name, report, False, all_findings))
            for name, file in extra_outputs.items()
        ]
        main_text = _render(format, report, main_output is None and use_color(), all_findings)
        if main_output:
            files.append((main_output, main_text))
        write_all(files, report.root)
        if not main_output:
            emit_chunks(main_text)
        if "github" in (format, *extra_outputs):
            append_step_summary(report)
        partial = report_input_errors(report.graph)
    except GuardrailsError as exc:
        raise fail(str(exc)) from None
    return 2 if partial else (1 if report.failed else 0)


def _render(name: str, report: Report, color: bool, all_findings: bool = False) -> Iterable[str]:
    """The report in format ``name``, as chunks of text (see report.render_chunks)."""
    if name == "table" and all_findings:
        from guardrails.report.table import render_table

        return (render_table(report, color, limit=None),)
    from guardrails.report import REPORTERS, render_chunks

    if name not in REPORTERS:
        raise ConfigError(f"report format {name} is not available")
    return render_chunks(name, report, color)


def append_step_summary(report: Report) -> None:
    """Append the Markdown summary to ``$GITHUB_STEP_SUMMARY`` when running in Actions, within
    what is left of GitHub's 1 MiB per step, and the outputs to ``$GITHUB_OUTPUT``."""
    from guardrails.report.markdown import SUMMARY_LIMIT, render_markdown

    path = os.environ.get("GITHUB_STEP_SUMMARY")
    if path:
        try:
            used = os.path.getsize(path) if os.path.exists(path) else 0
            text = render_markdown(
                report,
                limit=SUMMARY_LIMIT - used,
                table_rows=1_000,
                details=1_000,
                marker=False,
                in_bytes=True,
                full_report="full report in the SARIF/JSON artifact",
            )
            with open(path, "a", encoding="utf-8") as summary:
                summary.write(text)
        except OSError as exc:
            raise ConfigError(f"{path}: cannot append the step summary: {exc.strerror}") from None
    outputs = os.environ.get("GITHUB_OUTPUT")
    if outputs:
        delta = float(report.cost.get("monthly_usd_delta", 0.0)) if report.cost else 0.0
        lines = (
            f"findings={len(report.judged)}\n"
            f"blocking={len(report.blocking_findings)}\n"
            f"monthly-cost-delta={delta:.2f}\n"
        )
        try:
            with open(outputs, "a", encoding="utf-8") as out:
                out.write(lines)
        except OSError as exc:
            raise ConfigError(f"{outputs}: cannot write step outputs: {exc.strerror}") from None
