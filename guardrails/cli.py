"""The ``guardrails`` command line: check, graph."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from guardrails import __version__
from guardrails.api import ScanOptions, build_graph, scan
from guardrails.errors import GuardrailsError
from guardrails.model import Graph, Severity
from guardrails.output import write_atomic
from guardrails.report import REPORTERS

app = typer.Typer(
    name="guardrails",
    help="Policy-as-code guardrails for AI cloud infrastructure (Terraform, Pulumi, Kubernetes).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class FailOn(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"
    NEVER = "never"


class CheckFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


class GraphFormat(StrEnum):
    JSON = "json"
    TABLE = "table"


PathsArg = Annotated[
    list[str],
    typer.Argument(
        help="Files, directories (walked) or '-' for standard input.", show_default=False
    ),
]
SourceRootOpt = Annotated[
    Path | None,
    typer.Option(
        "--source-root", help="Directory of the .tf files a plan was made from (file:line)."
    ),
]
MaxSizeOpt = Annotated[
    int, typer.Option("--max-size-mb", min=1, help="Refuse input files larger than this.")
]
OutputOpt = Annotated[
    str | None,
    typer.Option("--output", "-o", help="Write the report to this file instead of stdout."),
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"guardrails {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Policy-as-code guardrails for AI cloud infrastructure."""


def _use_color() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


def _emit(text: str, output: str | None) -> None:
    if output:
        write_atomic(output, text)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()


def _print_error(message: str) -> None:
    """One line on stderr, never wrapped, so tools and people can grep it."""
    sys.stderr.write(f"error: {' '.join(message.split())}\n")
    sys.stderr.flush()


def _fail(message: str) -> typer.Exit:
    _print_error(message)
    return typer.Exit(2)


@app.command()
def check(
    paths: PathsArg,
    format: Annotated[CheckFormat, typer.Option("--format", "-f", help="Report format.")] = (
        CheckFormat.TABLE
    ),
    output: OutputOpt = None,
    fail_on: Annotated[
        FailOn,
        typer.Option("--fail-on", help="Exit 1 when a finding is at or above this severity."),
    ] = FailOn.HIGH,
    source_root: SourceRootOpt = None,
    max_size_mb: MaxSizeOpt = 200,
) -> None:
    """Check infrastructure changes against the guardrail policies."""
    try:
        report = scan(paths, ScanOptions(source_root=source_root, max_bytes=max_size_mb << 20))
        color = format is CheckFormat.TABLE and output is None and _use_color()
        _emit(REPORTERS[format.value](report, color), output)
    except GuardrailsError as exc:
        raise _fail(str(exc)) from None
    threshold = None if fail_on is FailOn.NEVER else Severity(fail_on.value)
    raise typer.Exit(1 if report.fails(threshold) else 0)


@app.command()
def graph(
    paths: PathsArg,
    format: Annotated[GraphFormat, typer.Option("--format", "-f", help="Output format.")] = (
        GraphFormat.JSON
    ),
    output: OutputOpt = None,
    source_root: SourceRootOpt = None,
    max_size_mb: MaxSizeOpt = 200,
) -> None:
    """Print the normalized resource graph (the document policies receive as input)."""
    try:
        g = build_graph(paths, ScanOptions(source_root=source_root, max_bytes=max_size_mb << 20))
        text = _graph_json(g) if format is GraphFormat.JSON else _graph_table(g, output is None)
        _emit(text, output)
    except GuardrailsError as exc:
        raise _fail(str(exc)) from None


def _graph_json(g: Graph) -> str:
    return json.dumps(g.to_input(), indent=2, default=str) + "\n"


def _graph_table(g: Graph, to_terminal: bool) -> str:
    from rich.table import Table

    buffer_console = Console(
        record=True,
        width=160,
        force_terminal=to_terminal and _use_color(),
        no_color=not (to_terminal and _use_color()),
        file=open(os.devnull, "w"),  # noqa: SIM115
    )
    table = Table(title=f"{len(g.resources)} resources, {len(g.edges)} edges")
    for column in ("Address", "Type", "Format", "Action", "Location"):
        table.add_column(column, overflow="fold")
    for r in g.resources:
        where = (
            f"{r.location.file}:{r.location.line}"
            if r.location and r.location.line
            else (r.location.file if r.location else "")
        )
        table.add_row(r.address, r.type, str(r.source_format), str(r.action), where)
    buffer_console.print(table)
    if g.edges:
        by_id = {r.id: r.address for r in g.resources}
        edges = Table(title="Edges")
        for column in ("From", "Kind", "To"):
            edges.add_column(column, overflow="fold")
        for e in g.edges:
            edges.add_row(by_id.get(e.source, e.source), str(e.kind), by_id.get(e.target, e.target))
        buffer_console.print(edges)
    return buffer_console.export_text(styles=to_terminal and _use_color())


def main(argv: Sequence[str] | None = None) -> int:
    """Console entry point; returns the exit code (0 ok, 1 findings, 2 error)."""
    try:
        result = app(args=list(argv) if argv is not None else None, standalone_mode=False)
    except typer.Exit as exc:
        return int(exc.exit_code)
    except GuardrailsError as exc:
        _print_error(str(exc))
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        # Usage errors come from the Click that Typer vendors; they know how to show themselves.
        if callable(getattr(exc, "show", None)) and hasattr(exc, "exit_code"):
            exc.show()  # type: ignore[attr-defined]
            return 2
        if type(exc).__name__ == "Abort":
            return 130
        _print_error(f"internal error: {type(exc).__name__}: {exc}")
        return 2
    return result if isinstance(result, int) else 0


if __name__ == "__main__":
    sys.exit(main())
