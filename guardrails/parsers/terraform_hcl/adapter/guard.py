"""Keeping python-hcl2 within bounds: it needs hundreds of bytes of memory per byte of HCL.

Measured (benchmarks/results/hostile.md): about 400 bytes per byte of ordinary HCL, and its
heredoc rule backtracks over the whole body (a 10 MB heredoc took 2.2 GB). So a ``.tf`` file
over MAX_HCL_BYTES is refused, and heredocs over MAX_HEREDOC_BYTES are replaced, before
parsing, by a quoted placeholder that keeps their line count (file:line stays right).
"""

from __future__ import annotations

import re

from guardrails.errors import InputError
from guardrails.lazy_regex import LazyPattern

#: Largest .tf file parsed (real modules are far smaller; a plan has no such limit).
MAX_HCL_BYTES = 1024 * 1024
#: Longest heredoc body kept as written (user_data scripts, policies inline).
MAX_HEREDOC_BYTES = 64 * 1024
_HEREDOC_START = LazyPattern(r"<<-?([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\n")


def bounded_hcl(path: str, text: str) -> str:
    """``text`` ready for python-hcl2: InputError when too large, long heredocs shortened."""
    if len(text) > MAX_HCL_BYTES:
        raise InputError(
            path,
            f"HCL file is {len(text):,} characters, over the {MAX_HCL_BYTES:,} the HCL parser "
            "can read in bounded memory (scan the plan JSON of this configuration instead)",
        )
    if "<<" not in text:
        return text
    out: list[str] = []
    copied = 0  # text[:copied] is in ``out``
    scanned = 0  # heredoc starts before this are inside a body already seen
    for start in _HEREDOC_START.finditer(text):
        if start.start() < scanned:
            continue
        terminator = re.compile(rf"^[ \t]*{re.escape(start.group(1))}[ \t]*$", re.M)
        end = terminator.search(text, start.end())
        if end is None:
            break  # unterminated: the parser reports it
        scanned = end.end()
        body = text[start.end() : end.start()]
        if len(body) > MAX_HEREDOC_BYTES:
            # A quoted placeholder, then as many newlines as the heredoc spanned (blank lines
            # are allowed between attributes), so every later line keeps its number.
            note = f'"(heredoc of {len(body):,} characters not read)"'
            lines = text.count("\n", start.start(), end.end())
            out += [text[copied : start.start()], note, "\n" * lines]
            copied = end.end()
    return "".join(out) + text[copied:]


def hcl_syntax_error(exc: Exception) -> str:
    """Where python-hcl2 stopped, by line and column only, and what kind of thing it met.

    Lark's own message quotes the token and the text around it: a credentials file planted as
    ``x.tf`` had its key printed in the error line, on stderr and in the PR comment.
    """
    line, column = getattr(exc, "line", None), getattr(exc, "column", None)
    where = ""
    if isinstance(line, int) and line > 0:
        where = f" at line {line}"
        if isinstance(column, int) and column > 0:
            where += f", column {column}"
    name = type(exc).__name__
    kind = {
        "UnexpectedToken": "unexpected token",
        "UnexpectedCharacters": "unexpected character",
        "UnexpectedEOF": "unexpected end of file",
        "UnexpectedInput": "unexpected input",
    }.get(name, "syntax error")
    return f"invalid HCL{where}: {kind}"
