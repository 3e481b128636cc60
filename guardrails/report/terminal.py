"""Text from inputs shown on a terminal: escape sequences are shown, never obeyed.

An address, tag or message can carry ANSI/OSC escape sequences (``\\x1b[2J``, a hyperlink
``\\x1b]8;;…``) or a ``\\r`` that rewrites the line a reviewer reads. Rich strips some
control characters but passes ESC through; every control character is made visible instead.
"""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console
from rich.text import Text

from guardrails.report.width import UNWRAPPED
from guardrails.safe_text import printable


class SafeConsole(Console):
    """A rich Console whose strings (cells, markup) have their control characters made visible.

    The colours and styles rich itself emits are unaffected: they are added after this.
    """

    def render_str(self, text: str, *args: Any, **kwargs: Any) -> Text:
        return super().render_str(printable(text), *args, **kwargs)


def report_console(buffer: io.StringIO, color: bool, width: int | None) -> SafeConsole:
    """A console rendering a report into ``buffer``: styled when ``color``, ``width`` columns
    (None: off a terminal, nothing wraps), no automatic highlighting of numbers or names."""
    return SafeConsole(
        file=buffer,
        force_terminal=color,
        no_color=not color,
        width=width or UNWRAPPED,
        highlight=False,
    )
