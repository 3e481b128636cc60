"""``guardrails policies``: the policy catalog; ``policies new`` and ``policies lint`` for
writing your own."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from guardrails.cli.common import OutputOpt, PolicyDirOpt, emit, fail, use_color
from guardrails.cli.help import PanelledCommand, PanelledGroup
from guardrails.errors import GuardrailsError

policies_app = typer.Typer(
    cls=PanelledGroup,
    rich_markup_mode=None,
    help="The policy catalog; new and lint for writing your own policies.",
    invoke_without_command=True,
)


class PoliciesFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    MARKDOWN = "markdown"


class InputScope(StrEnum):
    RESOURCES = "resources"
    SUMMARY = "summary"
    GRAPH = "graph"


class SeverityName(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


@policies_app.callback()
def policies(
    ctx: typer.Context,
    format: Annotated[
        PoliciesFormat, typer.Option("--format", "-f", help="Output format.")
    ] = PoliciesFormat.TABLE,
    policy_dir: PolicyDirOpt = None,
    output: OutputOpt = None,
) -> None:
    """List the policy catalog (--format markdown -o docs/policies.md writes the docs)."""
    if ctx.invoked_subcommand is not None:
        return
    from guardrails.catalog import load_catalog
    from guardrails.catalog.docs import render_policies

    try:
        catalog = load_catalog(tuple(policy_dir or ()))
        emit(render_policies(catalog, format.value, color=output is None and use_color()), output)
    except GuardrailsError as exc:
        raise fail(str(exc)) from None


@policies_app.command(
    "new", cls=PanelledCommand, short_help="A new policy with its unit test and cases."
)
def new(
    policy_id: Annotated[str, typer.Argument(help="Policy id, e.g. ACME-GPU-002.")],
    category: Annotated[
        str, typer.Option("--category", help="Category (cost, spot, tagging, security, ...).")
    ],
    input: Annotated[
        InputScope,
        typer.Option(
            "--input",
            help="What the policy reads: each resource (resources), input.summary (summary) or "
            "the whole graph (graph); see docs/policy-contract.md.",
        ),
    ] = InputScope.RESOURCES,
    severity: Annotated[
        SeverityName, typer.Option("--severity", help="Severity of its findings.")
    ] = SeverityName.MEDIUM,
    title: Annotated[
        str | None,
        typer.Option("--title", help="Title (one line).", show_default="a starter rule's"),
    ] = None,
    directory: Annotated[
        Path, typer.Option("--dir", help="Policy directory to write into.")
    ] = Path("policies"),
) -> None:
    """Write a policy with its METADATA, a unit test and a deny and an allow case."""
    from guardrails.policytest.scaffold import NewPolicy, write_new_policy
    from guardrails.report.paths import repository_root

    if title is not None and (not title.strip() or "\n" in title or len(title) > 120):
        raise fail("--title: one line of at most 120 characters")
    request = NewPolicy(policy_id, category, input.value, severity.value, title)
    try:
        written = write_new_policy(request, directory, repository_root())
    except GuardrailsError as exc:
        raise fail(str(exc)) from None
    for path in written:
        typer.echo(f"wrote {path}")
    typer.echo(f"next: edit the rule, then run `guardrails test {directory}`")


@policies_app.command(
    "lint", cls=PanelledCommand, short_help="Check METADATA and the engine rules."
)
def lint(
    dirs: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Policy directories or .rego files.", show_default="the bundled library"
        ),
    ] = None,
) -> None:
    """Check METADATA and the rules that keep engines fast and identical; exit 1 on a problem."""
    from guardrails.bundled import bundled_policy_dir
    from guardrails.errors import ConfigError
    from guardrails.policytest.lint import lint_paths

    paths = list(dirs or [bundled_policy_dir()])
    try:
        for path in paths:
            if not path.exists():
                raise ConfigError(f"{path}: no such file or directory")
        problems = lint_paths(paths)
    except GuardrailsError as exc:
        raise fail(str(exc)) from None
    from guardrails.safe_text import one_line

    for problem in problems:
        typer.echo(one_line(str(problem)))
    count = len(problems)
    typer.echo(f"{count} problem{'s' if count != 1 else ''}", err=True)
    raise typer.Exit(1 if problems else 0)
