"""What every command shares: option types, output writing, one-line errors."""

from __future__ import annotations

import os
import stat
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from guardrails.errors import ConfigError
from guardrails.lazy_regex import LazyPattern
from guardrails.output import write_atomic
from guardrails.safe_text import one_line

if TYPE_CHECKING:
    from collections.abc import Iterable

    from guardrails.model import Graph


class Environment(StrEnum):
    DEV = "dev"
    STAGING = "staging"
    PROD = "prod"


PathsArg = Annotated[
    list[str],
    typer.Argument(
        help="Files, directories (walked) or '-' for standard input.", show_default=False
    ),
]
SourceRootOpt = Annotated[
    Path | None,
    typer.Option(
        "--source-root",
        help="Directory of the .tf files a plan was made from (file:line).",
        show_default="the plan's directory when it holds .tf files",
    ),
]
VarFileOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--var-file",
        help="Terraform variable values for .tf inputs (like terraform -var-file; repeatable, "
        "applied after terraform.tfvars and *.auto.tfvars).",
        show_default="none",
    ),
]
RootOpt = Annotated[
    Path | None,
    typer.Option(
        "--root",
        help="Repository root for reported paths and fingerprints (default: git top level).",
    ),
]
StdinPathOpt = Annotated[
    str | None,
    typer.Option("--stdin-path", help="File name that '-' (standard input) stands for in reports."),
]
MaxSizeOpt = Annotated[
    int,
    typer.Option(
        "--max-size-mb", min=1, max=4096, help="Refuse input files larger than this (1-4096)."
    ),
]
AllowEmptyOpt = Annotated[
    bool,
    typer.Option(
        "--allow-empty",
        help="Accept a scan that finds no supported input (default: an error, exit 2).",
    ),
]
MaxResourcesOpt = Annotated[
    int,
    typer.Option(
        "--max-resources",
        min=1,
        max=10_000_000,
        help="Stop with an error when the inputs hold more resources than this.",
    ),
]
ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        help="Config file.",
        show_default="the nearest .guardrails.yaml upward from the first path, else built-ins",
    ),
]
EnvOpt = Annotated[
    Environment | None,
    typer.Option(
        "--env",
        help="Environment of resources that carry no environment tag.",
        show_default="default_environment in .guardrails.yaml, else unknown",
    ),
]
PolicyDirOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--policy-dir",
        help="Extra directory of Rego policies (repeatable).",
        show_default="bundled policies only",
    ),
]
OutputOpt = Annotated[
    str | None,
    typer.Option(
        "--output", "-o", help="Write to this file instead of stdout.", show_default="stdout"
    ),
]


def use_color() -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set."""
    stream = sys.stdout
    if stream is None or stream.closed:
        return False
    return stream.isatty() and "NO_COLOR" not in os.environ


def emit(text: str, output: str | None, root: Path | None = None) -> None:
    """Write ``text`` to ``output`` atomically, or to stdout.

    ``root``: the repository root the output is confined to (default: the working
    directory's; see :mod:`guardrails.output`).
    """
    # Lone surrogates (from JSON escapes like "\\ud800" in an input) cannot be encoded as UTF-8.
    if not text.isascii():  # JSON output is ASCII: no second copy of a large report
        text = text.encode("utf-8", "replace").decode("utf-8")
    if output:
        from guardrails.report.paths import repository_root

        write_atomic(output, text, root or repository_root())
    else:
        write_stdout(text)


def emit_chunks(chunks: Iterable[str]) -> None:
    """Write text to stdout a chunk at a time, as :func:`emit` writes it whole."""
    for chunk in chunks:
        if not chunk.isascii():  # a str holds code points: no chunk splits one
            chunk = chunk.encode("utf-8", "replace").decode("utf-8")
        write_stdout(chunk)


def write_stdout(text: str) -> None:
    """Write to stdout; a closed or full stdout or a broken pipe is a one-line error (exit 2)."""
    stream = sys.stdout
    if stream is None or stream.closed:
        raise ConfigError("standard output is closed; nothing could be written (use --output)")
    try:
        stream.write(text)
        stream.flush()
    except OSError as exc:
        silence_stdout()
        raise ConfigError(f"standard output: cannot write: {exc.strerror or exc}") from None


def silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail a second time."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


def print_error(message: str) -> None:
    """One line on stderr, never wrapped, so tools and people can grep it."""
    sys.stderr.write(f"error: {one_line(' '.join(message.split()))}\n")
    sys.stderr.flush()


def print_warning(message: str) -> None:
    sys.stderr.write(f"warning: {one_line(' '.join(message.split()))}\n")
    sys.stderr.flush()


def fail(message: str) -> typer.Exit:
    """Print ``message`` as an error (one line per line of it) and return the exit (code 2)."""
    for line in message.splitlines() or [message]:
        print_error(line)
    return typer.Exit(2)


def report_input_errors(graph: Graph) -> bool:
    """One error line per input that could not be read; True when there were any (exit 2)."""
    for item in graph.input_errors:
        print_error(f"{item.path}: {item.notes[0] if item.notes else 'could not be read'}")
    return bool(graph.input_errors)


#: What ``NAME=`` in ``--output NAME=FILE`` must look like to be read as a format name.
_FORMAT_NAME = LazyPattern(r"[A-Za-z][A-Za-z0-9_-]*")


def parse_outputs(
    outputs: list[str], formats: tuple[str, ...]
) -> tuple[str | None, dict[str, str]]:
    """Split ``--output`` values into the main output file and extra FORMAT=FILE outputs."""
    main: str | None = None
    extra: dict[str, str] = {}
    for value in outputs:
        name, sep, file = value.partition("=")
        if sep and name in formats:
            if not file:
                raise ConfigError(f"--output {value}: no file after '='")
            if name in extra:
                raise ConfigError(f"--output {value}: {name} is already written to {extra[name]}")
            extra[name] = file
        elif sep and _FORMAT_NAME.fullmatch(name):
            raise ConfigError(f"--output {value}: unknown format {name} ({', '.join(formats)})")
        elif main is None:
            main = value
        else:
            raise ConfigError(f"--output {value}: only one plain output file; use FORMAT=FILE")
    _one_report_per_file([f for f in (main, *extra.values()) if f])
    return main, extra


def _one_report_per_file(files: list[str]) -> None:
    """Two reports to one regular file would leave only the last: refused before writing
    (devices and FIFOs such as /dev/null take several)."""
    seen: dict[str, str] = {}
    for file in files:
        key = os.path.realpath(file)
        try:
            mode = os.stat(key).st_mode
        except OSError:
            mode = 0
        stream = stat.S_ISCHR(mode) or stat.S_ISFIFO(mode) or key == os.devnull
        if key in seen and not stream:
            raise ConfigError(
                f"--output {file}: the same file as {seen[key]}; each report needs its own file"
            )
        seen[key] = file
