"""``guardrails baseline create``: record current findings so checks report only new ones."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from guardrails.cli.common import (
    ConfigOpt,
    EnvOpt,
    PathsArg,
    RootOpt,
    StdinPathOpt,
    emit,
    fail,
)
from guardrails.cli.help import PanelledCommand
from guardrails.errors import GuardrailsError

baseline_app = typer.Typer(
    rich_markup_mode=None, help="Record findings to accept for now (check --baseline FILE)."
)


@baseline_app.command(
    "create", cls=PanelledCommand, short_help="Record the findings and waivers of PATHS."
)
def create(
    paths: PathsArg,
    output: Annotated[Path, typer.Option("--output", "-o", help="Baseline file to write.")] = Path(
        ".guardrails-baseline.json"
    ),
    config: ConfigOpt = None,
    env: EnvOpt = None,
    root: RootOpt = None,
    stdin_path: StdinPathOpt = None,
) -> None:
    """Scan PATHS and write the fingerprints of every finding, and the waivers in force, to the
    baseline file."""
    from guardrails.api import ScanOptions, scan
    from guardrails.baseline import baseline_document
    from guardrails.parsers.base import ParseOptions
    from guardrails.waivers import Waiver, WaiverStatus

    try:
        options = ScanOptions(
            config_path=config,
            environment=env.value if env else None,
            root=root,
            parse=ParseOptions(stdin_path=stdin_path),
            unknown="warn",  # the config's ``unknown: ignore`` must not leave unknowns unrecorded
        )
        report = scan(paths, options)
        in_force = [
            w.record()
            for w, status, _ in report.waivers
            if isinstance(w, Waiver) and status != WaiverStatus.EXPIRED
        ]
        emit(baseline_document(report.findings, in_force, report.graph), str(output), report.root)
    except GuardrailsError as exc:
        raise fail(str(exc)) from None
    typer.echo(f"baseline {output}: {len(report.findings)} finding(s) recorded", err=True)
