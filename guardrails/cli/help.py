"""``--help`` that reads at 80 columns: options in panels, value names instead of Python types.

Typer's rich help lays options out in six columns (flag, short flag, negative flag, type,
help) that cut names off at 80 columns (``--skip-unrecogn…``) and prints Python types
(``<list[str]>``). Commands use Click's plain two-column layout instead, with one section per
panel and a metavar per option (``--config FILE``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from typer.core import TyperArgument, TyperCommand, TyperGroup

if TYPE_CHECKING:  # Typer vendors its own Click; these are its types
    from typer._click import Context, HelpFormatter, Parameter

#: Value names by option; an option not listed shows its name in capitals.
METAVARS = {
    "--by": "DIMENSION",
    "--base": "PATH",
    "--baseline": "FILE",
    "--cert": "FILE",
    "--cert-check-every": "SECONDS",
    "--config": "FILE",
    "--days": "DAYS",
    "--dns": "NAME",
    "--eval-budget": "SECONDS",
    "--exempt-namespace": "GLOB",
    "--host": "ADDRESS",
    "--ip": "ADDRESS",
    "--key": "FILE",
    "--max-idle-per-client": "N",
    "--max-in-flight-mib": "MIB",
    "--max-resources": "N",
    "--max-size-mb": "MB",
    "--namespace": "NAMESPACE",
    "--opa-url": "URL",
    "--output": "FILE",
    "--path-env": "ENV",
    "--policy-dir": "DIR",
    "--policy-memory-mb": "MB",
    "--policy-timeout": "SECONDS",
    "--port": "PORT",
    "--read-timeout": "SECONDS",
    "--root": "DIR",
    "--service": "NAME",
    "--source-root": "DIR",
    "--stdin-path": "NAME",
    "--var-file": "FILE",
    "--workers": "N",
}

#: ``guardrails check``'s options by panel, in the order the panels are shown. An option a
#: command marks with ``rich_help_panel`` goes there; one in neither goes under "Options".
CHECK_PANELS = {
    "Input": (
        "--config", "--pin-config", "--env", "--var-file", "--source-root", "--root",
        "--stdin-path", "--skip-unrecognized", "--max-size-mb", "--max-resources",
        "--allow-empty",
    ),
    "Policies": (
        "--policy-dir", "--allow-network-builtins", "--policy-timeout", "--policy-memory-mb",
    ),
    "Output": ("--format", "--output", "--all", "--progress"),
    "Gating": ("--fail-on", "--unknown", "--changed-only", "--baseline", "--base", "--fail-on-new"),
    "Engine": ("--engine", "--opa-url", "--opa-fallback", "--opa-upload"),
}  # fmt: skip
PANELS = {"check": CHECK_PANELS}


def _metavar(param: Parameter) -> str | None:
    if isinstance(param, TyperArgument):
        name = "REVIEW" if param.name == "review_file" else (param.name or "arg").upper()
        return f"{name.rstrip('S')}..." if param.nargs == -1 else name
    if getattr(param, "is_flag", False) or getattr(param, "count", False):
        return None
    choices = getattr(param.type, "choices", None)  # an Enum option: Typer's Choice type
    if choices:
        return "[" + "|".join(str(getattr(c, "value", c)) for c in choices) + "]"
    long = next((o for o in param.opts if o.startswith("--")), "")
    return METAVARS.get(long, long.lstrip("-").upper().replace("-", "_"))


class PanelledCommand(TyperCommand):
    """A command whose help groups options in sections and names values, at any width."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:
            if param.metavar is None:
                param.metavar = _metavar(param)

    def format_options(self, ctx: Context, formatter: HelpFormatter) -> None:
        arguments: list[tuple[str, str]] = []
        sections: dict[str, list[tuple[str, str]]] = {}
        table = PANELS.get(self.name or "", {})
        for panel in table:
            sections[panel] = []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if isinstance(param, TyperArgument):  # its value name, not its Python type
                arguments.append((param.metavar or record[0], record[1]))
                continue
            panel = getattr(param, "rich_help_panel", None) or next(
                (p for p, names in table.items() if set(param.opts) & set(names)), "Options"
            )
            sections.setdefault(panel, []).append(record)
        if arguments:
            with formatter.section("Arguments"):
                formatter.write_dl(arguments)
        for panel, records in sections.items():
            if records:
                with formatter.section(panel):
                    formatter.write_dl(records)

    def collect_usage_pieces(self, ctx: Context) -> list[str]:
        """``[OPTIONS] PATH...``: arguments by value name (Typer shows ``{paths}...``)."""
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if isinstance(param, TyperArgument):
                name = param.metavar or (param.name or "").upper()
                pieces.append(name if param.required else f"[{name}]")
        return pieces


class PanelledGroup(TyperGroup):
    """A command group (``policies``, whose callback lists the catalog) with value names."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:
            if param.metavar is None:
                param.metavar = _metavar(param)
