"""Untrusted text made safe to show: no control character reaches a terminal (no imports)."""

from __future__ import annotations

import re

#: C0 controls except tab and newline, DEL, and the C1 controls (ESC's 8-bit forms).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
#: Bidi overrides, embeddings, isolates and marks ("Trojan Source": a name that reads as
#: another), invisible characters (zero-width space, word joiner, BOM) and line/paragraph
#: separators. Zero-width (non-)joiners stay: scripts and emoji need them.
_INVISIBLE = re.compile("[\u061c\u200b\u200e\u200f\u2028-\u202e\u2060\u2066-\u2069\ufeff]")


def printable(text: str) -> str:
    """``text`` with every control character (except tab and newline) shown as ``\\xNN`` and
    every bidi control or invisible character as ``\\uNNNN``."""
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    if text.isascii():
        return text
    return _INVISIBLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def one_line(text: str) -> str:
    """Text from an input made safe for any text output: :func:`printable`, and each line
    break shown as ``\\n``, so a value can never start a line of its own (a CI log obeys a
    line that starts with ``::error``; a forged verdict line reads as the tool's own)."""
    if text.isascii() and text.isprintable():
        return text
    return printable(text).replace("\n", "\\n")
