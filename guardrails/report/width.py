"""How wide terminal output may be, and wrapping addresses where a reader expects a break."""

from __future__ import annotations

import os
import shutil
import sys

from guardrails.lazy_regex import LazyPattern

#: Narrowest layout; a smaller terminal still gets 80 columns (it wraps, it does not garble).
MIN_WIDTH = 80
#: Off a terminal (pipes, CI logs, files) lines are not wrapped: one finding per line.
UNWRAPPED = 10_000
#: Break opportunities: after a separator or a space; never inside a number ("$1.01", "12,345").
_BREAK_AFTER = LazyPattern(r"(?<=[/:_#=-])|(?<= )|(?<=[.,])(?!\d)")


def output_width() -> int | None:
    """``COLUMNS``, else the terminal's real width (at least 80); None off a terminal."""
    columns = os.environ.get("COLUMNS", "").strip()
    if columns.isdigit():
        return max(MIN_WIDTH, int(columns))
    if sys.stdout.isatty():
        return max(MIN_WIDTH, shutil.get_terminal_size((MIN_WIDTH, 24)).columns)
    return None


def wrap_at_separators(text: str, width: int) -> str:
    """``text`` in lines of at most ``width``, broken after ``.``, ``/``, ``[``, ``-`` and the like
    (never inside a name unless one piece alone is longer than ``width``)."""
    if width < 1 or len(text) <= width:
        return text
    lines: list[str] = []
    current = ""
    for piece in (p for p in _BREAK_AFTER.split(text) if p):
        while len(piece) > width:  # no separator close enough: a hard break is the only way
            if current:
                lines.append(current)
                current = ""
            lines.append(piece[:width])
            piece = piece[width:]
        if len(current) + len(piece) > width:
            lines.append(current)
            current = piece
        else:
            current += piece
    if current:
        lines.append(current)
    return "\n".join(line.rstrip() for line in lines)


def wrap_words(text: str, width: int) -> str:
    """Prose in lines of at most ``width``: breaks at spaces (``on-demand`` stays whole); only a
    word longer than a line is broken, at its separators."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        current = ""
        for word in paragraph.split(" "):
            pieces = wrap_at_separators(word, width).split("\n") if len(word) > width else [word]
            for piece in pieces:
                candidate = f"{current} {piece}" if current else piece
                if len(candidate) <= width:
                    current = candidate
                else:
                    if current:
                        lines.append(current)
                    current = piece
        lines.append(current)
    return "\n".join(lines)
