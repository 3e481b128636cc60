"""Text from inputs never becomes a command, a link, an image or a mention, in any output.

A label value like ``x\\n::error title=…`` printed 36 workflow-command lines into a CI log
(the runner obeys any line starting with ``::``), and ``[l](https://…)``/``@team`` in a value
rendered and notified in the PR comment. Every command and format is run on one hostile
manifest; only the GitHub format may print ``::`` lines, one per annotation.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from guardrails.catalog import load_catalog
from guardrails.cli import main
from guardrails.model import Finding, Graph, Location, Outcome, Severity
from guardrails.report import REPORTERS, Report
from guardrails.report.md_text import cell, code
from guardrails.safe_text import one_line

PAYLOAD = (
    "x\n::error title=pwn::owned\n::stop-commands::abc\r\n::warning::y @octo/team "
    "[click](https://evil.example) ![i](https://evil.example/i.png) <img src=x> www.evil.example "
    "a@b.example `` `@octo/x`` ``"
)


def _manifest(tmp_path: Path) -> Path:
    doc = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": "train" + PAYLOAD,
            "labels": {"environment": PAYLOAD, "team": PAYLOAD},
        },
        "spec": {
            "replicas": 3,
            "template": {
                "spec": {
                    "containers": [
                        {
                            "name": "a",
                            "image": "x:latest",
                            "resources": {"limits": {"nvidia.com/gpu": 8}},
                        }
                    ]
                }
            },
        },
    }
    path = tmp_path / "evil.yaml"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _commands(text: str) -> list[str]:
    """Lines the Actions runner would read as workflow commands (it trims leading blanks)."""
    return [line for line in re.split(r"\r\n|\r|\n", text) if line.strip().startswith("::")]


COMMANDS = [
    ["check", "--engine", "python", "-f", "table"],
    ["check", "--engine", "python", "-f", "json"],
    ["check", "--engine", "python", "-f", "sarif"],
    ["check", "--engine", "python", "-f", "junit"],
    ["check", "--engine", "python", "-f", "markdown"],
    ["check", "--engine", "python", "-f", "github"],
    ["cost", "-f", "table"],
    ["cost", "-f", "markdown"],
    ["cost", "--by", "team", "-f", "table"],
    ["cost", "--by", "team", "-f", "markdown"],
    ["graph", "-f", "table"],
    ["graph", "-f", "json"],
    ["waivers", "list"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c))
def test_no_input_value_starts_a_line_in_any_output(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _manifest(tmp_path)
    assert main([*command, str(path)]) in (0, 1)
    out, err = capsys.readouterr()
    assert "::stop-commands" not in "\n".join(_commands(err))
    if "github" in command:
        # One line per annotation and the totals notice; the payload stays inside them.
        commands = _commands(out)
        assert len(commands) == len(out.splitlines())
        assert all(re.match(r"::(error|warning|notice) [^\n]*::", c) for c in commands)
        assert not [c for c in commands if c.startswith(("::stop-commands", "::error title=pwn"))]
    else:
        assert _commands(out) == [], _commands(out)[:3]
    if command[-1] == "markdown":
        _assert_inert_markdown(out, in_prose="check" in command)


def test_error_lines_stay_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(tmp_path / "missing\n::error::x.yaml")]) == 2
    assert _commands(capsys.readouterr().err) == []


def _assert_inert_markdown(text: str, *, in_prose: bool = True) -> None:
    """Rendered as GitHub would: no link, image or HTML from the payload; no mention or
    autolink outside code (``@`` is followed by a zero-width space, ``://`` is broken)."""
    html = MarkdownIt("commonmark").enable("table").render(text)
    assert "<a " not in html and "<img" not in html, html
    in_code = "".join(re.findall(r"<code>.*?</code>", html, flags=re.DOTALL))
    prose = re.sub(r"<code>.*?</code>", "", html, flags=re.DOTALL)
    assert "@octo" not in prose and "a@b.example" not in prose
    if in_prose:
        assert "@\u200bocto/team" in prose  # still readable, but no notification
    # GitHub autolinks bare URLs and www. names in the source: there they occur in code only.
    for bare in ("https://evil", "www.evil"):
        assert text.count(bare) == in_code.count(bare), bare


HOSTILE = Finding(
    policy="GR-TAG-002",
    title="t",
    severity=Severity.HIGH,
    category="tagging",
    resource="aws_instance.gpu[0]" + PAYLOAD,
    resource_type="aws_instance",
    message="has team=" + PAYLOAD,
    remediation="fix " + PAYLOAD,
    location=Location("main.tf", 3),
)


@pytest.mark.parametrize("name", sorted(REPORTERS))
@pytest.mark.parametrize("waived", [False, True])
@pytest.mark.parametrize("outcome", list(Outcome))
def test_every_reporter_keeps_values_on_their_line(
    name: str, waived: bool, outcome: Outcome
) -> None:
    finding = replace(
        HOSTILE, waived=waived, waiver_reason=PAYLOAD if waived else None, outcome=outcome
    )
    report = Report(
        graph=Graph(), findings=(finding,), engine="python", catalog=load_catalog()
    ).with_fail_on("high")
    text = REPORTERS[name](report, False)
    commands = _commands(text)
    if name == "github":
        assert len(commands) == 2 == len(text.splitlines())
    else:
        assert commands == []
    if name == "markdown":
        _assert_inert_markdown(text)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("a\nb", "a\\nb"),
        ("a\r\nb", "a\\x0d\\nb"),
        ("\x1b[2Jx", "\\x1b[2Jx"),
        ("a\u2028b", "a\\u2028b"),
        ("plain", "plain"),
    ],
)
def test_one_line(text: str, shown: str) -> None:
    assert one_line(text) == shown


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[l](https://e.x)", "\\[l\\](https:&#47;&#47;e.x)"),
        ("![i](u)", "\\!\\[i\\](u)"),
        ("@team", "@&#8203;team"),
        ("<b>", "&lt;b&gt;"),
        ("a|b", "a\\|b"),
        ("`@t``", "\\`@&#8203;t\\`\\`"),  # an unbalanced span cannot expose what follows
        ("\\[x]", "\\\\\\[x\\]"),  # an input backslash cannot undo an escape
    ],
)
def test_markdown_cell(text: str, expected: str) -> None:
    assert cell(text) == expected


def test_markdown_code_span_cannot_be_closed() -> None:
    assert code("a`b|c\nd") == "`a'b\\|c\\nd`"
