"""``guardrails budgets compile|prove``: dollar budgets to enforced limits, and the worst case
a scaling configuration can spend, per pool."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from guardrails.cli.common import (
    ConfigOpt,
    OutputOpt,
    PathsArg,
    emit,
    fail,
    print_error,
    report_input_errors,
    use_color,
)
from guardrails.cli.help import PanelledCommand
from guardrails.errors import ConfigError, GuardrailsError

budgets_app = typer.Typer(
    rich_markup_mode=None,
    help="Compile GPU budgets into NodePool/ClusterQueue/ResourceQuota limits; "
    "prove the worst case.",
)

#: compile refused a pool (unpriced allowed type, no upper bound): nothing is written.
EXIT_REFUSED = 2


class ManifestForm(StrEnum):
    PATCH = "patch"
    OBJECTS = "objects"


class ProofFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    MARKDOWN = "markdown"
    HTML = "html"


@budgets_app.command(
    "compile", cls=PanelledCommand, short_help="Limits and quotas that enforce the budgets."
)
def compile_command(
    paths: PathsArg,
    config: ConfigOpt = None,
    output: OutputOpt = None,
    form: Annotated[
        ManifestForm,
        typer.Option(
            "--as",
            help="patch: merge patches (kubectl patch --type merge) that keep every other "
            "field; objects: the whole scanned objects with their new limits.",
        ),
    ] = ManifestForm.PATCH,
) -> None:
    """Write the Karpenter NodePool limits, Kueue ClusterQueue quotas and ResourceQuotas that
    hold every budgeted pool's worst case within its budget (exit 2: a pool was refused)."""
    from guardrails.api import ScanOptions, enriched_graph, resolve_config
    from guardrails.enrich.budget_limits import compile_budgets
    from guardrails.report.paths import scan_root
    from guardrails.report.views.budget_manifests import render_manifests

    try:
        options = ScanOptions(config_path=config)
        graph = enriched_graph(paths, options)
        budgets = resolve_config(paths, options)["budgets"]
        _require_budgets(budgets)
        compiled = compile_budgets(graph.resources, budgets)
        if compiled.refused:
            for line in compiled.refused:
                print_error(f"budgets compile refused {line}")
            raise typer.Exit(EXIT_REFUSED)
        for note in compiled.notes:
            typer.echo(note, err=True)
        emit(render_manifests(compiled, form is ManifestForm.PATCH), output, scan_root(paths))
        partial = report_input_errors(graph)
    except GuardrailsError as exc:
        raise fail(str(exc)) from None
    if partial:
        raise typer.Exit(2)


@budgets_app.command(
    "prove", cls=PanelledCommand, short_help="Worst case the limits allow, per budget pool."
)
def prove_command(
    paths: PathsArg,
    config: ConfigOpt = None,
    output: OutputOpt = None,
    format: Annotated[ProofFormat, typer.Option("--format", "-f", help="Output format.")] = (
        ProofFormat.TABLE
    ),
    by: Annotated[
        str | None,
        typer.Option("--by", metavar="DIMENSION", help="Only this budget dimension."),
    ] = None,
) -> None:
    """Show each pool's budget, its cost at desired scale and the worst case its limits,
    quotas and max sizes allow (unknown where nothing bounds it)."""
    from guardrails.api import ScanOptions, enriched_graph, resolve_config
    from guardrails.enrich.budget_proof import proof_pools
    from guardrails.report.paths import scan_root
    from guardrails.report.views import budget_proof as view

    try:
        options = ScanOptions(config_path=config)
        graph = enriched_graph(paths, options)
        budgets = resolve_config(paths, options)["budgets"]
        if by is None:
            _require_budgets(budgets)
        pools = proof_pools(graph.resources, budgets, by)
        if format is ProofFormat.JSON:
            text = view.render_proof_json(pools)
        elif format is ProofFormat.MARKDOWN:
            text = view.render_proof_markdown(pools)
        elif format is ProofFormat.HTML:
            text = view.render_proof_html(pools)
        else:
            text = view.render_proof_table(pools, output is None and use_color())
        emit(text, output, scan_root(paths))
        partial = report_input_errors(graph)
    except GuardrailsError as exc:
        raise fail(str(exc)) from None
    if partial:
        raise typer.Exit(2)


def _require_budgets(budgets: dict[str, object]) -> None:
    from guardrails.enrich.budgets import budget_entries

    if not budget_entries(budgets):
        raise ConfigError("no budgets: set budgets in .guardrails.yaml (see docs/budgets.md)")
