"""``guardrails cost``: the GPU cost breakdown of a change, from the facts policies use."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from guardrails.cli.common import (
    AllowEmptyOpt,
    ConfigOpt,
    EnvOpt,
    MaxResourcesOpt,
    MaxSizeOpt,
    OutputOpt,
    PathsArg,
    SourceRootOpt,
    VarFileOpt,
    emit,
    fail,
    report_input_errors,
    use_color,
)
from guardrails.errors import ConfigError, GuardrailsError
from guardrails.limits import DEFAULT_MAX_RESOURCES

if TYPE_CHECKING:
    from guardrails.model import Graph


class CostFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    MARKDOWN = "markdown"
    HTML = "html"


def cost(
    paths: PathsArg,
    format: Annotated[CostFormat, typer.Option("--format", "-f", help="Output format.")] = (
        CostFormat.TABLE
    ),
    output: OutputOpt = None,
    config: ConfigOpt = None,
    env: EnvOpt = None,
    source_root: SourceRootOpt = None,
    var_file: VarFileOpt = None,
    max_size_mb: MaxSizeOpt = 200,
    max_resources: MaxResourcesOpt = DEFAULT_MAX_RESOURCES,
    allow_empty: AllowEmptyOpt = False,
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            metavar="DIMENSION",
            help="Group by a tag/label key (team, model, workload, environment, ...): per pool "
            "before/after/delta, budget, headroom and GPUs. html defaults to the first "
            "dimension under budgets:, else team.",
        ),
    ] = None,
) -> None:
    """Show GPU cost per resource (hourly, monthly, before → after) and the change's delta."""
    from guardrails.api import ScanOptions, enriched_graph, resolve_config
    from guardrails.parsers.base import ParseOptions
    from guardrails.report.paths import scan_root
    from guardrails.report.views.cost import cost_breakdown
    from guardrails.report.views.cost_render import (
        render_cost_json,
        render_cost_markdown,
        render_cost_table,
    )

    try:
        options = ScanOptions(
            parse=ParseOptions(
                source_root=source_root,
                max_bytes=max_size_mb << 20,
                max_resources=max_resources,
                var_files=tuple(var_file or ()),
            ),
            config_path=config,
            environment=env.value if env else None,
            allow_empty=allow_empty,
        )
        graph = enriched_graph(paths, options)
        if by is not None or format is CostFormat.HTML:
            budgets = resolve_config(paths, options)["budgets"]
            text = _pools_text(graph, by, budgets, format, output)
            emit(text, output, scan_root(paths))
            partial = report_input_errors(graph)
            if partial:
                raise typer.Exit(2)
            return
        breakdown = cost_breakdown(graph)
        if format is CostFormat.JSON:
            text = render_cost_json(breakdown)
        elif format is CostFormat.MARKDOWN:
            text = render_cost_markdown(breakdown)
        else:
            text = render_cost_table(breakdown, output is None and use_color())
        emit(text, output, scan_root(paths))
        partial = report_input_errors(graph)
    except GuardrailsError as exc:
        raise fail(str(exc)) from None
    if partial:  # the totals leave those inputs out
        raise typer.Exit(2)


def _pools_text(
    graph: Graph, by: str | None, budgets: dict[str, Any], format: CostFormat, output: str | None
) -> str:
    """``cost --by``: the pools of one dimension in the chosen format."""
    from guardrails.enrich.budgets import budget_dimensions, pool_breakdown
    from guardrails.report.views.pools import (
        render_pools_json,
        render_pools_markdown,
        render_pools_table,
    )
    from guardrails.report.views.pools_html import render_pools_html

    dimension = by if by is not None else next(iter(budget_dimensions(budgets)), "team")
    if not dimension.strip():
        raise ConfigError("--by needs a tag/label key such as team")
    breakdown = pool_breakdown(graph.resources, dimension, budgets)
    if format is CostFormat.JSON:
        return render_pools_json(breakdown)
    if format is CostFormat.MARKDOWN:
        return render_pools_markdown(breakdown)
    if format is CostFormat.HTML:
        return render_pools_html(breakdown)
    return render_pools_table(breakdown, output is None and use_color())
