"""Rewrite the shown output of the docs' ```console commands with what they print today.

Only commands whose shown output has no ``...`` wildcard are rewritten (an elided output is
written by hand). Run from the repository root: ``python tools/update_console_blocks.py [FILE...]``.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from testing.console_blocks import ELLIPSIS, console_commands  # noqa: E402
from testing.console_run import actual_lines, copy_tracked, run_documented  # noqa: E402


def main(argv: list[str]) -> int:
    docs = [Path(a).resolve() for a in argv] or [
        ROOT / "README.md",
        *sorted(ROOT.glob("docs/*.md")),
    ]
    with tempfile.TemporaryDirectory() as scratch:
        commands = [c for doc in docs for c in console_commands(doc, ROOT)]
        workspace = copy_tracked(ROOT, Path(scratch), commands)
        for doc in docs:
            lines = doc.read_text(encoding="utf-8").splitlines()
            edits = []
            for command in console_commands(doc, ROOT):
                if any(ELLIPSIS in line for line in command.expected):
                    continue
                _, output = run_documented(command, workspace)
                edits.append((command, actual_lines(output, workspace)))
            for command, new in reversed(edits):
                start = _after_command(lines, command.line)
                end = start + len(command.expected)
                lines[start:end] = new
            doc.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


def _after_command(lines: list[str], line: int) -> int:
    """Index of the first output line of the command on 1-based ``line`` (after continuations)."""
    index = line - 1
    while lines[index].rstrip().endswith("\\"):
        index += 1
    return index + 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
