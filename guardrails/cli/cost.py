"""``guardrails cost``: the GPU cost breakdown of a change, from the facts policies use."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

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
    emit,
    fail,
    report_input_errors,
    use_color,
)
from guardrails.errors import GuardrailsError
from guardrails.limits import DEFAULT_MAX_RESOURCES


class CostFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    MARKDOWN = "markdown"


def cost(
    paths: PathsArg,
    format: Annotated[CostFormat, typer.Option("--format", "-f", help="Output format.")] = (
        CostFormat.TABLE
    ),
    output: OutputOpt = None,
    config: ConfigOpt = None,
    env: EnvOpt = None,
    source_root: SourceRootOpt = None,
    max_size_mb: MaxSizeOpt = 200,
    max_resources: MaxResourcesOpt = DEFAULT_MAX_RESOURCES,
    allow_empty: AllowEmptyOpt = False,
) -> None:
    """Show GPU cost per resource (hourly, monthly, before → after) and the change's delta."""
    from guardrails.api import ScanOptions, enriched_graph
    from guardrails.report.cost import cost_breakdown
    from guardrails.report.cost_render import (
        render_cost_json,
        render_cost_markdown,
        render_cost_table,
    )

    try:
        options = ScanOptions(
            source_root=source_root,
            max_bytes=max_size_mb << 20,
            max_resources=max_resources,
            config_path=config,
            environment=env.value if env else None,
            allow_empty=allow_empty,
        )
        graph = enriched_graph(paths, options)
        breakdown = cost_breakdown(graph)
        if format is CostFormat.JSON:
            text = render_cost_json(breakdown)
        elif format is CostFormat.MARKDOWN:
            text = render_cost_markdown(breakdown)
        else:
            text = render_cost_table(breakdown, output is None and use_color())
        emit(text, output)
        partial = report_input_errors(graph)
    except GuardrailsError as exc:
        raise fail(str(exc)) from None
    if partial:  # the totals leave those inputs out
        raise typer.Exit(2)
