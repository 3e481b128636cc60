"""``guardrails test``: run the Rego unit tests and verdict cases of policy directories."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from guardrails.cli.common import OutputOpt, emit, fail, print_error, print_warning


class TestFormat(StrEnum):
    __test__ = False  # not a pytest class

    TABLE = "table"
    JSON = "json"
    JUNIT = "junit"


def test_policies(
    dirs: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Policy directories: *.rego policies, *_test.rego unit tests and a cases/ "
            "folder of verdict cases (docs/writing-policies.md).",
            show_default="the current directory",
        ),
    ] = None,
    cases: Annotated[
        list[Path] | None,
        typer.Option(
            "--cases",
            help="Another folder of verdict cases, one <POLICY-ID> folder each (repeatable).",
            show_default="<dir>/cases",
        ),
    ] = None,
    format: Annotated[
        TestFormat, typer.Option("--format", "-f", help="Report format.")
    ] = TestFormat.TABLE,
    output: OutputOpt = None,
    all_engines: Annotated[
        bool,
        typer.Option(
            "--all-engines",
            help="Run on every available engine (OPA library, regopy, the Python twins for "
            "bundled policies, and the OPA server of --opa-url), not only the default one.",
        ),
    ] = False,
    opa_url: Annotated[
        str | None,
        typer.Option(
            "--opa-url",
            envvar="GUARDRAILS_OPA_URL",
            help="With --all-engines: also run on this OPA server.",
            show_default="none",
        ),
    ] = None,
    allow_network_builtins: Annotated[
        bool,
        typer.Option(
            "--allow-network-builtins",
            help="Let the policies and tests call http.send and the other network builtins.",
        ),
    ] = False,
    policy_timeout: Annotated[
        float,
        typer.Option("--policy-timeout", min=0.1, help="Seconds one evaluation may take."),
    ] = 120.0,
    policy_memory_mb: Annotated[
        int | None,
        typer.Option(
            "--policy-memory-mb",
            min=64,
            help="Resident memory (MB) one evaluation may use.",
            show_default="512 + 64 x the input JSON size",
        ),
    ] = None,
) -> None:
    """Run policy unit tests (*_test.rego) and verdict cases; exit 1 when one fails."""
    from guardrails.engines.sandbox import UserPolicyLimits
    from guardrails.errors import GuardrailsError
    from guardrails.policytest.harness import TestOptions, run_tests
    from guardrails.policytest.render import RENDERERS

    options = TestOptions(
        dirs=tuple(dirs or ([] if cases else [Path(".")])),
        case_dirs=tuple(cases or ()),
        all_engines=all_engines,
        opa_url=opa_url,
        limits=UserPolicyLimits(
            allow_network=allow_network_builtins,
            timeout_s=policy_timeout,
            memory_mb=policy_memory_mb,
        ),
    )
    if opa_url and not all_engines:
        print_warning("--opa-url is used with --all-engines only; running on the default engine")
    try:
        run = run_tests(options)
        emit(RENDERERS[format.value](run), output)
    except GuardrailsError as exc:
        raise fail(str(exc)) from None
    for result in run.results:
        if result.input_error:
            print_error(
                result.detail
                if result.detail.startswith(result.file)
                else f"{result.file}: {result.detail}"
            )
    raise typer.Exit(run.exit_code())
