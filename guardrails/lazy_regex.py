"""Module-level regular expressions compiled on first use (no guardrails imports).

Compiling a pattern costs 0.1-1 ms; a module's patterns were compiled when it was imported,
and a small check imports modules whose patterns it never runs (Kubernetes secrets on a
Terraform plan, the HCL sniffing on JSON): ~15 ms of a 180 ms pre-commit run. A
``LazyPattern`` compiles on its first call and then binds the compiled pattern's methods to
itself, so later calls cost what the compiled pattern's do.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from typing import Any

#: The methods bound to the compiled pattern on first use.
_METHODS = ("search", "match", "fullmatch", "finditer", "findall", "sub", "split")


class LazyPattern:
    """``re.compile(pattern, flags)``, done on the first call of one of its methods."""

    def __init__(self, pattern: str, flags: int | re.RegexFlag = 0) -> None:
        self.pattern = pattern
        self.flags = flags

    def compiled(self) -> re.Pattern[str]:
        """The compiled pattern; its methods replace this object's from now on."""
        found = re.compile(self.pattern, self.flags)
        for name in _METHODS:
            setattr(self, name, getattr(found, name))
        self.compiled = lambda: found  # type: ignore[method-assign]
        return found

    def search(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return self.compiled().search(string, pos, endpos)

    def match(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return self.compiled().match(string, pos, endpos)

    def fullmatch(
        self, string: str, pos: int = 0, endpos: int = sys.maxsize
    ) -> re.Match[str] | None:
        return self.compiled().fullmatch(string, pos, endpos)

    def finditer(
        self, string: str, pos: int = 0, endpos: int = sys.maxsize
    ) -> Iterator[re.Match[str]]:
        return self.compiled().finditer(string, pos, endpos)

    def findall(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> list[Any]:
        return self.compiled().findall(string, pos, endpos)

    def sub(self, repl: str | Callable[[re.Match[str]], str], string: str, count: int = 0) -> str:
        return self.compiled().sub(repl, string, count)

    def split(self, string: str, maxsplit: int = 0) -> list[str | Any]:
        return self.compiled().split(string, maxsplit)
