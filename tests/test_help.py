"""Every ``--help`` reads at 80 columns: whole option names, value names, panels for check."""

from __future__ import annotations

import re

import pytest
import typer

from guardrails.cli import app, main

COMMAND = typer.main.get_command(app)
COMMANDS = [
    [name, *([sub] if sub else [])]
    for name, command in COMMAND.commands.items()  # type: ignore[attr-defined]
    for sub in [None, *getattr(command, "commands", {})]
]
#: What Typer's rich help printed: Python types, cut-off names, brace-wrapped arguments.
UNREADABLE = re.compile(r"<(list|str|path|int|float|bool|Path)\b|[…]|\{\w+|``")


def _help(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *words: str) -> str:
    monkeypatch.setenv("COLUMNS", "80")
    capsys.readouterr()
    assert main([*words, "--help"]) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("words", [[], *COMMANDS], ids=lambda w: " ".join(w) or "guardrails")
def test_help_reads_at_80_columns(
    words: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    text = _help(capsys, monkeypatch, *words)
    for line in text.splitlines():
        assert len(line) <= 80, line
        assert not UNREADABLE.search(line), line
    listed = text.partition("\nCommands:\n")[2]
    assert not re.search(r"\.\.\.$", listed, re.M), f"a command's help is cut off:\n{listed}"


def test_check_help_groups_every_option_once(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    text = _help(capsys, monkeypatch, "check")
    sections = re.findall(r"^(\w+):$", text, re.M)
    assert sections == ["Arguments", "Input", "Policies", "Output", "Gating", "Engine", "Options"]
    check = COMMAND.commands["check"]  # type: ignore[attr-defined]
    for param in check.params:
        for name in (*param.opts, *param.secondary_opts):
            if name.startswith("--"):
                assert len(re.findall(rf"(?<![\w-]){re.escape(name)}(?![\w-])\s", text)) >= 1, name
    assert "--skip-unrecognized " in text and "--max-size-mb MB" in text


def test_hook_help_says_what_auto_runs(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    text = " ".join(_help(capsys, monkeypatch, "hook").split())
    assert "rego when available" not in text
    assert "auto (the Python twins of the bundled policies" in text
