"""``guardrails bundle build``: the policy library as a standard OPA bundle."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from guardrails.cli.common import PolicyDirOpt, fail
from guardrails.cli.help import PanelledCommand
from guardrails.errors import ConfigError, GuardrailsError

bundle_app = typer.Typer(rich_markup_mode=None, help="Package the policies for OPA servers.")


@bundle_app.command("build", cls=PanelledCommand, short_help="Write the policies as an OPA bundle.")
def build(
    output: Annotated[Path, typer.Option("--output", "-o", help="Bundle file to write.")] = Path(
        "bundle.tar.gz"
    ),
    policy_dir: PolicyDirOpt = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            "-c",
            help="Bake this .guardrails.yaml into data.json.",
            show_default="the built-in defaults",
        ),
    ] = None,
) -> None:
    """Write an OPA bundle (.manifest, Rego, data.json) that `opa run --server` can load."""
    from guardrails.catalog import load_catalog
    from guardrails.config import load_config
    from guardrails.engines.bundle import write_bundle

    try:
        catalog = load_catalog(tuple(policy_dir or ()))
        if config is not None and not config.is_file():
            raise ConfigError(f"{config}: config file does not exist")
        from guardrails.report.paths import repository_root

        config_values = load_config(config).for_policies()
        manifest = write_bundle(catalog, config_values, output, repository_root())
    except GuardrailsError as exc:
        raise fail(str(exc)) from None
    typer.echo(f"{output}: {len(catalog)} policies, revision {manifest['revision']}", err=True)
