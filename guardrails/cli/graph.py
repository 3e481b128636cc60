"""``guardrails graph``: print the normalized resource graph."""

from __future__ import annotations

import io
import json
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
from guardrails.model import Graph
from guardrails.safe_text import one_line


class GraphFormat(StrEnum):
    JSON = "json"
    TABLE = "table"


def graph(
    paths: PathsArg,
    format: Annotated[GraphFormat, typer.Option("--format", "-f", help="Output format.")] = (
        GraphFormat.JSON
    ),
    output: OutputOpt = None,
    raw: Annotated[
        bool,
        typer.Option(
            "--raw",
            help="The parser's graph without enrichment (no facts, no summary).",
        ),
    ] = False,
    config: ConfigOpt = None,
    env: EnvOpt = None,
    source_root: SourceRootOpt = None,
    max_size_mb: MaxSizeOpt = 200,
    max_resources: MaxResourcesOpt = DEFAULT_MAX_RESOURCES,
    allow_empty: AllowEmptyOpt = False,
) -> None:
    """Print the document policies receive as input: the graph with every enrichment fact
    (facts.gpu, facts.monthly_usd ...) and summary.cost; --raw for the parser's graph."""
    from guardrails.api import ScanOptions, build_graph, enriched_graph
    from guardrails.parsers.base import ParseOptions
    from guardrails.report.paths import scan_root

    try:
        options = ScanOptions(
            parse=ParseOptions(
                source_root=source_root, max_bytes=max_size_mb << 20, max_resources=max_resources
            ),
            allow_empty=allow_empty,
            config_path=config,
            environment=env.value if env else None,
        )
        g = build_graph(paths, options) if raw else enriched_graph(paths, options)
        color = output is None and use_color()
        text = render_graph_json(g) if format is GraphFormat.JSON else render_graph_table(g, color)
        emit(text, output, scan_root(paths))
        partial = report_input_errors(g)
    except GuardrailsError as exc:
        raise fail(str(exc)) from None
    if partial:  # the graph leaves those inputs out
        raise typer.Exit(2)


def render_graph_json(g: Graph) -> str:
    # Streamed into one buffer: json.dumps with indent keeps every small chunk alive in a list
    # until the end (about 3x the memory of the text for a large plan).
    buffer = io.StringIO()
    json.dump(g.to_input(), buffer, indent=2, default=str, allow_nan=False)
    buffer.write("\n")
    return buffer.getvalue()


def render_graph_table(g: Graph, color: bool) -> str:
    from rich.table import Table

    from guardrails.report.terminal import SafeConsole

    buffer = io.StringIO()
    console = SafeConsole(file=buffer, width=160, force_terminal=color, no_color=not color)
    table = Table(title=f"{len(g.resources)} resources, {len(g.edges)} edges")
    for column in ("Address", "Type", "Format", "Action", "Location"):
        table.add_column(column, overflow="fold")
    for r in g.resources:
        where = ""
        if r.location:
            where = f"{r.location.file}:{r.location.line}" if r.location.line else r.location.file
        cells = (r.address, r.type, str(r.source_format), str(r.action), where)
        table.add_row(*map(one_line, cells))
    console.print(table)
    if g.edges:
        by_id = {r.id: r.address for r in g.resources}
        edges = Table(title="Edges")
        for column in ("From", "Kind", "To"):
            edges.add_column(column, overflow="fold")
        for e in g.edges:
            ends = (by_id.get(e.source, e.source), str(e.kind), by_id.get(e.target, e.target))
            edges.add_row(*map(one_line, ends))
        console.print(edges)
    return buffer.getvalue()
