"""Styled lines of the terminal report: the same look as rich printing each line, in bulk."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.padding import Padding
from rich.text import Text

from guardrails.report.lines import StyledLines


def _rich(text: str, indent: int, width: int) -> str:
    """How the report printed a line before: rich, one ``Padding`` per line."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, no_color=True, highlight=False)
    console.print(Padding(Text(text), (0, 0, 0, indent), expand=False))
    return "".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines())


def _ours(text: str, indent: int, width: int | None) -> str:
    lines = StyledLines(width)
    lines.add(indent, (text, ""))
    return lines.plain()


#: Words that fit a line (wide characters count two cells, as rich counts them).
_WORDS = st.text(alphabet="abcdefghijk$.,/-_:`()→—日本🚀é", min_size=1, max_size=10)


@settings(max_examples=300, deadline=None)
@given(
    words=st.lists(_WORDS, min_size=1, max_size=40),
    indent=st.sampled_from([0, 2, 4]),
    width=st.integers(min_value=20, max_value=160),
)
def test_prose_wraps_exactly_as_rich_wraps_it(words: list[str], indent: int, width: int) -> None:
    text = " ".join(words)
    assert _ours(text, indent, width) == _rich(text, indent, width)


def test_off_a_terminal_a_line_is_never_wrapped() -> None:
    text = "word " * 5000
    assert _ours(text, 2, None) == "  " + text + "\n"


def test_a_word_longer_than_a_line_breaks_after_its_separators() -> None:
    """Rich would cut ``aws_eks_n|ode_group``; the report breaks after a separator."""
    address = 'module.gpu_cluster.aws_eks_node_group.this["a-very-long-pool-name"]'
    assert _ours(f"GR-X {address} is wrong", 2, 30) == (
        "  GR-X\n"
        "  module.gpu_cluster.aws_eks_\n"
        '  node_group.this["a-very-\n'
        '  long-pool-name"] is wrong\n'
    )


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("esc \x1b[2J here", "  esc \\x1b[2J here\n"),
        ("a\tb", "  a       b\n"),  # tab stops every 8 columns of the line
        ("one\ntwo", "  one\n  two\n"),  # each line keeps the indent
        ("[bold]not markup[/bold] :rocket:", "  [bold]not markup[/bold] :rocket:\n"),
    ],
)
def test_input_text_is_shown_not_obeyed(raw: str, shown: str) -> None:
    assert _ours(raw, 2, None) == shown


def test_styles_come_from_the_console_and_none_without_colour() -> None:
    lines = StyledLines(None)
    lines.add(2, ("GR-1", "bold"), (" message", ""), ("  (", ""), ("unknown", "magenta"), (")", ""))
    coloured = Console(file=io.StringIO(), force_terminal=True, color_system="standard")
    assert lines.styled(coloured) == "  \x1b[1mGR-1\x1b[0m message  (\x1b[35munknown\x1b[0m)\n"
    assert lines.plain() == "  GR-1 message  (unknown)\n"


def test_wrapped_styled_pieces_keep_their_style_on_every_line() -> None:
    lines = StyledLines(20)
    lines.add(4, ("↳ " + "alpha beta gamma delta epsilon", "dim"))
    console = Console(file=io.StringIO(), force_terminal=True, color_system="standard")
    rendered = lines.styled(console).splitlines()
    assert rendered == [
        "    \x1b[2m↳ alpha beta\x1b[0m",
        "    \x1b[2mgamma delta\x1b[0m",
        "    \x1b[2mepsilon\x1b[0m",
    ]
