"""The ``guardrails`` command line: check, graph, cost, budgets, policies, hook, test, bundle,
baseline, waivers, webhook."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Annotated

import typer

from guardrails import __version__
from guardrails.cli.baseline import baseline_app
from guardrails.cli.budgets import budgets_app
from guardrails.cli.bundle import bundle_app
from guardrails.cli.check import check
from guardrails.cli.common import print_error, silence_stdout
from guardrails.cli.cost import cost
from guardrails.cli.graph import graph
from guardrails.cli.help import PanelledCommand
from guardrails.cli.hook import hook
from guardrails.cli.policies import policies_app
from guardrails.cli.test import test_policies
from guardrails.cli.waivers import waivers_app
from guardrails.cli.webhook import webhook_app
from guardrails.errors import GuardrailsError, current_input
from guardrails.output import Terminated

#: A bug in guardrails (as pre-commit does): distinct from 2, an input, usage or config error.
EXIT_INTERNAL_ERROR = 3

app = typer.Typer(
    name="guardrails",
    help="Policy-as-code guardrails for AI cloud infrastructure (Terraform, Pulumi, Kubernetes).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
app.command(cls=PanelledCommand)(check)
app.command(cls=PanelledCommand, short_help="The document policies receive: graph and facts.")(
    graph
)
app.command(cls=PanelledCommand, short_help="GPU cost per resource and the monthly delta.")(cost)
app.command(cls=PanelledCommand, short_help="Check the files a commit changes (pre-commit).")(hook)
app.command("test", cls=PanelledCommand, short_help="Rego unit tests and verdict cases.")(
    test_policies
)
app.add_typer(baseline_app, name="baseline")
app.add_typer(budgets_app, name="budgets", short_help="GPU budgets: prove them, compile limits.")
app.add_typer(bundle_app, name="bundle")
app.add_typer(policies_app, name="policies")
app.add_typer(waivers_app, name="waivers")
app.add_typer(webhook_app, name="webhook")


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
