"""Untrusted text made safe to show: no control character reaches a terminal (no imports)."""

from __future__ import annotations

import re

#: C0 controls except tab and newline, DEL, and the C1 controls (ESC's 8-bit forms).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """``text`` with every control character (except tab and newline) shown as ``\\xNN``."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
