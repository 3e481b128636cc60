"""The ``guardrails`` command line: check, graph, cost, budgets, policies, hook, test, bundle,
baseline, waivers, webhook."""

from __future__ import annotations

import gc
import importlib
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any

import typer

from guardrails import __version__
from guardrails.cli.common import print_error, silence_stdout
from guardrails.cli.help import PanelledCommand
from guardrails.cli.lazy import lazy_group
from guardrails.errors import GuardrailsError, current_input
from guardrails.output import Terminated

if TYPE_CHECKING:
    from typer._click import Command

#: A bug in guardrails (as pre-commit does): distinct from 2, an input, usage or config error.
EXIT_INTERNAL_ERROR = 3

#: Every command, in the order ``--help`` lists them: its module, the function or Typer app
#: there, and the one-line help the listing shows (None: the first line of its docstring).
#: A command's module is imported only when the command runs or a help lists it.
COMMANDS: dict[str, tuple[str, str, str | None]] = {
    "check": ("guardrails.cli.check", "check", None),
    "graph": ("guardrails.cli.graph", "graph", "The document policies receive: graph and facts."),
    "cost": ("guardrails.cli.cost", "cost", "GPU cost per resource and the monthly delta."),
    "hook": ("guardrails.cli.hook", "hook", "Check the files a commit changes (pre-commit)."),
    "test": ("guardrails.cli.test", "test_policies", "Rego unit tests and verdict cases."),
    "baseline": ("guardrails.cli.baseline", "baseline_app", None),
    "budgets": (
        "guardrails.cli.budgets",
        "budgets_app",
        "GPU budgets: prove them, compile limits.",
    ),
    "bundle": ("guardrails.cli.bundle", "bundle_app", None),
    "policies": ("guardrails.cli.policies", "policies_app", None),
    "waivers": ("guardrails.cli.waivers", "waivers_app", None),
    "webhook": ("guardrails.cli.webhook", "webhook_app", None),
}

_SETTINGS: dict[str, Any] = {
    "name": "guardrails",
    "help": "Policy-as-code guardrails for AI cloud infrastructure (Terraform, Pulumi, "
    "Kubernetes).",
    "no_args_is_help": True,
    "add_completion": False,
    "pretty_exceptions_enable": False,
    "rich_markup_mode": None,
}


def build_command(name: str) -> Command:
    """The Click command ``name``, built as registering it on the app would build it."""
    module, attribute, short_help = COMMANDS[name]
    target = getattr(importlib.import_module(module), attribute)
    single = typer.Typer(**_SETTINGS)
    single.callback()(_no_options)  # a group, even with one command
    if isinstance(target, typer.Typer):
        if short_help:
            single.add_typer(target, name=name, short_help=short_help)
        else:  # the app's own short help (the first line of its help)
            single.add_typer(target, name=name)
    else:
        single.command(name, cls=PanelledCommand, short_help=short_help)(target)
    built: Any = typer.main.get_command(single)
    command: Command = built.commands[name]
    return command


def _no_options() -> None:
    pass


app = typer.Typer(cls=lazy_group(COMMANDS, build_command), **_SETTINGS)


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


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a command runs.

    A parsed 10k-resource plan is millions of container objects, all alive until the command
    ends, and the collector rescans them again and again as they age: ~1 s of a 2.5 s run
    (measured, benchmarks/results). The run creates little cyclic garbage and the process ends
    with the command, so reference counting alone frees what it must.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def main(argv: Sequence[str] | None = None) -> int:
    """Console entry point; returns the exit code (0 ok, 1 findings, 2 error)."""
    args = list(argv) if argv is not None else sys.argv[1:]
    code = _run(args)
    try:
        if sys.stdout is not None:
            sys.stdout.flush()
    except OSError:
        silence_stdout()  # a closed pipe: the error (if any) is already on stderr
        code = code if code == 2 else 2
    return code


def _run(args: list[str]) -> int:
    token = current_input.set(None)
    try:
        with collector_paused():
            result = app(args=args, standalone_mode=False)
    except typer.Exit as exc:
        return int(exc.exit_code)
    except GuardrailsError as exc:
        print_error(str(exc))
        return 2
    except KeyboardInterrupt:
        return 130
    except Terminated:
        return 143
    except RecursionError:
        print_error(f"{_processing(args)}: input nests too deeply to be processed")
        return 2
    except MemoryError:
        print_error(f"{_processing(args)}: out of memory (use --max-resources or smaller inputs)")
        return 2
    except Exception as exc:
        # Usage errors come from the Click that Typer vendors: one line, like every error.
        if callable(getattr(exc, "format_message", None)) and hasattr(exc, "exit_code"):
            print_error(_usage_line(exc))
            return 2
        if type(exc).__name__ == "Abort":
            return 130
        print_error(
            f"internal error while processing {_processing(args)}: {type(exc).__name__}: "
            f"{str(exc)[:200]} (this is a bug in guardrails: please report it to the "
            "maintainers with this message and, if you can, the input)"
        )
        return EXIT_INTERNAL_ERROR
    finally:
        current_input.reset(token)
    return result if isinstance(result, int) else 0


def _processing(args: list[str]) -> str:
    """The input being read when an error struck, else the command line's paths."""
    current = current_input.get()
    if current:
        return current
    named = [a for a in args[1:] if not a.startswith("-")]
    return ", ".join(named[:3]) or "the command line"


def _usage_line(exc: Exception) -> str:
    message = exc.format_message()  # type: ignore[attr-defined]
    context = getattr(exc, "ctx", None)
    command = getattr(context, "command_path", None) if context is not None else None
    hint = f" (see '{command} --help')" if command else ""
    return f"{message}{hint}"
