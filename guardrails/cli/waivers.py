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
    console = SafeConsole(file=buffer, width=160, force_terminal=color, no_color=not color)
    table = Table(title=f"{len(rows)} waiver(s) as of {date.today()}")
    for column in (
        "Status",
        "Policy",
        "Resource",
        "Owner",
        "Expires",
        "Matches",
        "Reason",
        "Where",
    ):
        table.add_column(column, overflow="fold")
    for w, status, uses in rows:
        cells = (
            status,
            w.policy,
            w.resource,
            w.owner,
            str(w.expires),
            str(uses),
            w.reason,
            w.origin,
        )
        table.add_row(*map(one_line, cells))
    console.print(table)
    emit(buffer.getvalue(), None)


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
