"""The ```console blocks of the documentation: extracted, normalised and compared.

Convention (docs/testing.md): in a ```console fence, a line starting with ``$ `` is a command
run from the repository root (a line ending in `` \\`` continues on the next one); the lines
after it, up to the next ``$ `` or the fence's end, are its expected output. A line ``...``
stands for any number of lines, and ``...`` inside a line for any text. Commands that cannot
run offline go in a ```sh fence, which is never run.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

#: What varies from run to run or machine to machine, replaced on both sides before comparing.
_DURATION = re.compile(r"\b\d+(?:\.\d+)?\s?(?:ms|s|seconds?)\b")
_ENV_ASSIGNMENT = re.compile(r"^[A-Z_][A-Z0-9_]*=")
ELLIPSIS = "..."


@dataclass(frozen=True)
class ConsoleCommand:
    """One ``$`` command of a console block and the output the document shows for it."""

    file: Path
    line: int
    command: str
    expected: tuple[str, ...]

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"

    def argv(self) -> tuple[dict[str, str], list[str]]:
        """Leading ``NAME=value`` assignments (the environment) and the words of the command."""
        words = shlex.split(self.command, comments=True)  # "$ guardrails ...  # exit 1"
        env: dict[str, str] = {}
        while words and _ENV_ASSIGNMENT.match(words[0]):
            name, _, value = words.pop(0).partition("=")
            env[name] = value
        return env, words


def console_commands(path: Path, relative_to: Path) -> Iterator[ConsoleCommand]:
    """Every command of every ```console block in the Markdown file ``path``."""
    shown = path.relative_to(relative_to)
    lines = path.read_text(encoding="utf-8").splitlines()
    fence = ""  # the open fence's backticks, "" outside a fence
    indent = 0
    in_console = False
    current: tuple[int, str] | None = None
    output: list[str] = []
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not fence:
            if stripped.startswith("```"):
                indent = len(line) - len(line.lstrip(" "))  # a fence inside a list item
                fence = stripped[: len(stripped) - len(stripped.lstrip("`"))]
                in_console = stripped[len(fence) :].strip() == "console"
            continue
        if stripped.startswith(fence) and not stripped.strip("`"):
            if in_console and current:
                yield ConsoleCommand(shown, current[0], current[1], _trimmed(output))
            fence, in_console, current, output = "", False, None, []
            continue
        if not in_console:
            continue
        if line[:indent].strip() == "":
            line = line[indent:]
        if current and current[1].endswith("\\") and not output:
            current = (current[0], current[1][:-1] + " " + stripped)
        elif line.startswith("$ "):
            if current:
                yield ConsoleCommand(shown, current[0], current[1], _trimmed(output))
            current, output = (number, line[2:].strip()), []
        elif current:
            output.append(line)
        elif stripped:
            raise ValueError(f"{shown}:{number}: console block text before its first '$ ' command")
    if fence:
        raise ValueError(f"{shown}: a ``` fence opened in the file is not closed")


def _trimmed(lines: list[str]) -> tuple[str, ...]:
    kept = [line.rstrip() for line in lines]
    while kept and not kept[-1]:
        kept.pop()
    return tuple(kept)


def normalise(text: str, replacements: dict[str, str]) -> list[str]:
    """``text`` as lines to compare: literal ``replacements`` (absolute paths, the version),
    durations as ``<time>``, trailing spaces and blank lines at the end dropped."""
    for old, new in replacements.items():
        if old:
            text = text.replace(old, new)
    lines = [_DURATION.sub("<time>", line).rstrip() for line in text.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _line_pattern(expected: str) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(part) for part in expected.split(ELLIPSIS)) + r"\Z")


def first_difference(expected: list[str], actual: list[str]) -> str | None:
    """None when ``actual`` matches ``expected`` (with ``...`` wildcards), else what differs."""
    found = _match(expected, 0, actual, 0)
    if found is None:
        return None
    index, got = found
    want = expected[index] if index < len(expected) else "<end of output>"
    return f"expected line {index + 1}: {want!r}\n  got: {got!r}"


def _match(expected: list[str], e: int, actual: list[str], a: int) -> tuple[int, str] | None:
    """Match from ``expected[e]``/``actual[a]``; the first mismatch (expected index, actual
    line) or None. ``...`` lines are tried against every number of lines, fewest first."""
    while e < len(expected):
        want = expected[e]
        if want.strip() == ELLIPSIS:
            if e + 1 == len(expected):
                return None
            deepest: tuple[int, str] | None = None
            for skip in range(a, len(actual) + 1):
                found = _match(expected, e + 1, actual, skip)
                if found is None:
                    return None
                if deepest is None or found[0] > deepest[0]:
                    deepest = found
            return deepest
        if a >= len(actual):
            return (e, "<end of output>")
        if not (_line_pattern(want).match(actual[a]) if ELLIPSIS in want else want == actual[a]):
            return (e, actual[a])
        e, a = e + 1, a + 1
    if a < len(actual):
        return (e, actual[a])
    return None
