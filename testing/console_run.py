"""Running the documentation's console commands as a reader would, from the repository root."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from pathlib import Path

from guardrails import __version__
from testing.console_blocks import ConsoleCommand, normalise

#: Environment a developer's shell or CI may set that would change what a command prints.
CLEARED = (
    "COLUMNS",
    "LINES",
    "GITHUB_ACTIONS",
    "GITHUB_STEP_SUMMARY",
    "GITHUB_OUTPUT",
    "GITHUB_WORKSPACE",
    "GUARDRAILS_OPA_URL",
    "GUARDRAILS_REGO_BACKEND",
    "FORCE_COLOR",
)


class NotRunnable(Exception):
    """A console block command that is not a ``guardrails`` command."""


def copy_tracked(root: Path, into: Path, commands: Iterable[ConsoleCommand] = ()) -> Path:
    """The git-tracked files of ``root`` copied into ``into``, marked as a git top level, so
    commands that write files leave the checkout alone.

    With ``commands``, only the top-level files and the top-level directories their words name
    are copied (the tests and goldens are most of the repository, and no command reads them)."""
    listing = subprocess.run(["git", "ls-files", "-z"], cwd=root, capture_output=True, check=True)
    names = list(filter(None, listing.stdout.decode().split("\0")))
    named = _top_levels(root, commands)
    for name in names:
        top, _, rest = name.partition("/")
        if named is not None and rest and top not in named:
            continue
        source = root / name
        if source.is_file() and not source.is_symlink():
            target = into / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
    (into / ".git").mkdir(exist_ok=True)
    return into


def _top_levels(root: Path, commands: Iterable[ConsoleCommand]) -> set[str] | None:
    """The top-level directories of ``root`` that the commands' words start with; None (copy
    everything) without commands."""
    listed = list(commands)
    if not listed:
        return None
    tops: set[str] = set()
    for command in listed:
        for word in command.argv()[1]:
            top = word.split("=", 1)[-1].split("/", 1)[0]
            if top and (root / top).is_dir():
                tops.add(top)
    return tops


@contextmanager
def _environment(cwd: Path, env: dict[str, str], stdin: bytes) -> Iterator[None]:
    saved_env = dict(os.environ)
    saved_cwd = Path.cwd()
    saved_stdin = sys.stdin
    try:
        for name in CLEARED:
            os.environ.pop(name, None)
        os.environ.update(env)
        os.chdir(cwd)
        sys.stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
        yield
    finally:
        sys.stdin = saved_stdin
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)


def run_documented(command: ConsoleCommand, cwd: Path) -> tuple[int, str]:
    """Run one documented command in-process from ``cwd``: its exit code and the output a
    terminal shows (stdout and stderr interleaved). ``< FILE`` at the end is standard input."""
    from guardrails.cli import main

    env, words = command.argv()
    stdin = b""
    if len(words) >= 2 and words[-2] == "<":
        stdin = (cwd / words[-1]).read_bytes()
        words = words[:-2]
    if not words or words[0] != "guardrails":
        raise NotRunnable(
            f"{command.where}: only `guardrails` commands run in a ```console block; "
            f"put `{command.command}` in a ```sh block"
        )
    buffer = io.StringIO()
    with _environment(cwd, env, stdin), redirect_stdout(buffer), redirect_stderr(buffer):
        code = main(words[1:])
    return code, buffer.getvalue()


def actual_lines(output: str, workspace: Path) -> list[str]:
    """The output normalised as docs/testing.md says: the workspace path, the version, durations."""
    replacements = {f"{workspace}/": "", str(workspace): ".", __version__: "<version>"}
    return normalise(output, replacements)
