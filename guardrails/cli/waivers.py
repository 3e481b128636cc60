"""``guardrails waivers list``: every waiver with its status, one place to audit exceptions."""

from __future__ import annotations

import io
import json
from datetime import date
from enum import StrEnum
from typing import Annotated

import typer

from guardrails.cli.common import ConfigOpt, EnvOpt, emit, fail, use_color
from guardrails.cli.help import PanelledCommand
from guardrails.errors import GuardrailsError
from guardrails.safe_text import one_line
from guardrails.waivers import Waiver

waivers_app = typer.Typer(rich_markup_mode=None, help="Audit waivers (config and inline).")


class WaiversFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


@waivers_app.command("list", cls=PanelledCommand)
def list_waivers(
    paths: Annotated[
        list[str] | None,
        typer.Argument(help="Inputs to match the waivers against (finds unused waivers)."),
    ] = None,
    config: ConfigOpt = None,
    env: EnvOpt = None,
    format: Annotated[WaiversFormat, typer.Option("--format", "-f")] = WaiversFormat.TABLE,
) -> None:
    """Show every waiver with its status: active, expired or unused."""
    from rich.table import Table

    from guardrails.api import ScanOptions, scan
    from guardrails.report.terminal import SafeConsole
    from guardrails.report.width import UNWRAPPED, output_width

    try:
        options = ScanOptions(config_path=config, environment=env.value if env else None)
        report = scan(list(paths or ["."]), options)
    except GuardrailsError as exc:
        raise fail(str(exc)) from None
    rows = [(w, str(status), uses) for w, status, uses in report.waivers if isinstance(w, Waiver)]
    if format is WaiversFormat.JSON:
        emit(json.dumps([_as_dict(w, s, n) for w, s, n in rows], indent=2) + "\n", None)
        return
    buffer = io.StringIO()
    color = use_color()
    # Off a terminal nothing wraps (one waiver per line for grep); on a terminal too narrow
    # for the table, each waiver is a short block whose paths wrap at their separators.
    width = output_width()
    console = SafeConsole(
        file=buffer, width=width or UNWRAPPED, force_terminal=color, no_color=not color
    )
    title = f"{len(rows)} waiver(s) as of {date.today()}"
    table = Table(title=title)
    for column in ("Status", "Policy", "Resource", "Owner", "Expires", "Matches", "Reason"):
        table.add_column(column, no_wrap=True)
    table.add_column("Where", no_wrap=True)
    for w, status, uses in rows:
        cells = (status, w.policy, w.resource, w.owner, str(w.expires), str(uses), w.reason)
        table.add_row(*map(one_line, cells), one_line(w.origin))
    natural = SafeConsole(file=io.StringIO(), width=UNWRAPPED).measure(table).maximum
    if width is not None and natural > width:
        emit(_blocks(title, rows, width), None)
        return
    console.print(table)
    emit(buffer.getvalue(), None)


def _blocks(title: str, rows: list[tuple[Waiver, str, int]], width: int) -> str:
    """One waiver per block of lines, for a terminal narrower than the table."""
    from guardrails.report.width import wrap_at_separators, wrap_words

    lines = [title]
    for w, status, uses in rows:
        head = f"{status}  {w.policy}  until {w.expires}  {uses} match(es)"
        lines += ["", head, *_indented(wrap_at_separators(one_line(w.resource), width - 2))]
        lines += _indented(wrap_words(f"{one_line(w.owner)}: {one_line(w.reason)}", width - 2))
        lines += _indented(wrap_at_separators(one_line(w.origin), width - 2))
    return "\n".join(lines) + "\n"


def _indented(text: str) -> list[str]:
    return ["  " + line for line in text.split("\n")]


def _as_dict(w: Waiver, status: str, uses: int) -> dict[str, object]:
    return {
        "status": status,
        "policy": w.policy,
        "resource": w.resource,
        "file": w.file,
        "environment": w.environment,
        "owner": w.owner,
        "reason": w.reason,
        "expires": w.expires.isoformat(),
        "ticket": w.ticket,
        "origin": w.origin,
        "matches": uses,
    }
