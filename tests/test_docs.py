"""The documentation runs as written: every ```console block of README.md and docs/*.md.

Each ``$ guardrails ...`` command runs in-process, from a copy of the repository's tracked
files (so commands that write files leave the checkout alone), and its output is compared with
the lines the document shows; the convention and what is normalised are in docs/testing.md.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from guardrails import __version__
from testing.console_blocks import ConsoleCommand, console_commands, first_difference, normalise
from testing.console_run import NotRunnable, actual_lines, copy_tracked, run_documented
from tests.conftest import ROOT

DOCS = (ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")))
COMMANDS = [command for doc in DOCS for command in console_commands(doc, ROOT)]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's tracked files in a scratch directory marked as a git top level."""
    return copy_tracked(ROOT, tmp_path_factory.mktemp("docs"), COMMANDS)


def test_documentation_has_console_blocks() -> None:
    # The README's first-hour commands are the ones a newcomer copies: they must be tested.
    assert any(c.file.name == "README.md" for c in COMMANDS), "README.md has no console block"


@pytest.mark.parametrize("command", COMMANDS, ids=[c.where for c in COMMANDS])
def test_console_block(command: ConsoleCommand, workspace: Path) -> None:
    try:
        code, output = run_documented(command, workspace)
    except NotRunnable as exc:
        pytest.fail(str(exc), pytrace=False)
    actual = actual_lines(output, workspace)
    shown = f"{command.where}: `$ {command.command}` exited {code}"
    if code == 3:
        pytest.fail(f"{shown} (internal error):\n{output}", pytrace=False)
    if not command.expected:
        if code not in (0, 1):
            pytest.fail(f"{shown} and the document shows no output:\n{output}", pytrace=False)
        return
    expected = normalise("\n".join(command.expected), {__version__: "<version>"})
    difference = first_difference(expected, actual)
    if difference:
        pytest.fail(
            f"{shown}; its output differs from the document:\n  {difference}", pytrace=False
        )


#: "28 bundled policies", "the 28 policies": a count of the catalog written in prose (not "from 7
#: policies" in a shown output, which counts the policies that found something).
_POLICY_COUNT = re.compile(
    r"\b(?:the )?(\d+) bundled polic(?:y|ies)\b|\bthe (\d+) polic(?:y|ies)\b"
)


def test_policy_counts_in_the_docs_are_the_catalogs() -> None:
    from guardrails.catalog import load_catalog

    total = len(load_catalog(()).policies)
    stale = [
        f"{doc.relative_to(ROOT)}:{number}: says {match.group(0)!r}, the catalog has {total}"
        for doc in DOCS
        if doc.name != "policies.md"  # generated from the catalog itself
        for number, line in enumerate(doc.read_text(encoding="utf-8").splitlines(), start=1)
        for match in _POLICY_COUNT.finditer(line)
        if int(match.group(1) or match.group(2)) != total
    ]
    if stale:
        pytest.fail("\n".join(stale), pytrace=False)


def _check_synopsis() -> list[str]:
    """The long option names in the README's `guardrails check` synopsis, as often as given."""
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("guardrails check PATH"))
    block: list[str] = []
    for line in lines[start + 1 :]:
        if line.startswith("guardrails ") or line.startswith("```"):
            break
        block.append(line)
    return re.findall(r"--[a-z][a-z0-9-]*", "\n".join(block))


def test_readme_lists_every_check_option_once() -> None:
    import typer

    from guardrails.cli import app

    command = typer.main.get_command(app).commands["check"]  # type: ignore[attr-defined]
    options = {
        name
        for param in command.params
        for name in (*param.opts, *param.secondary_opts)
        if name.startswith("--")
    }
    listed = _check_synopsis()
    twice = sorted({name for name in listed if listed.count(name) > 1})
    assert not twice, f"README.md lists {twice} more than once"
    assert set(listed) == options, (
        f"README.md's check synopsis misses {sorted(options - set(listed))} "
        f"and lists {sorted(set(listed) - options)}, which `guardrails check` does not have"
    )
