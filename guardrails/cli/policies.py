"""``guardrails policies``: the policy catalog."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from guardrails.cli.common import OutputOpt, PolicyDirOpt, emit, fail, use_color
from guardrails.errors import GuardrailsError


class PoliciesFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    MARKDOWN = "markdown"


def policies(
    format: Annotated[
        PoliciesFormat, typer.Option("--format", "-f", help="Output format.")
    ] = PoliciesFormat.TABLE,
    policy_dir: PolicyDirOpt = None,
    output: OutputOpt = None,
) -> None:
    """List the policy catalog; ``--format markdown -o docs/policies.md`` writes the docs."""
    from guardrails.catalog import load_catalog
    from guardrails.catalog.docs import render_policies

    try:
        catalog = load_catalog(tuple(policy_dir or ()))
        emit(render_policies(catalog, format.value, color=output is None and use_color()), output)
    except GuardrailsError as exc:
        raise fail(str(exc)) from None
