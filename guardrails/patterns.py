"""Regular expressions from untrusted files, run on RE2 (no guardrails imports).

Patterns come from `.guardrails.yaml` (``tag_patterns``) and from `.tf` files (``regex()``),
which a pull request can write. Python's ``re`` backtracks: ``(a+)+$`` on forty ``a`` and a
``!`` runs for hours. RE2 runs in time linear in the text, and it is the engine OPA's
``regex.match`` and Terraform's ``regex()`` use, so a pattern means the same on every engine.
"""

from __future__ import annotations

import importlib.util
from functools import cache, lru_cache
from types import ModuleType
from typing import Any


@cache
def _re2() -> tuple[ModuleType, Any]:
    """google-re2 and the options patterns are compiled with, loaded on first use, after
    regopy when regopy is installed.

    rego-cpp (regopy) carries its own RE2 and abseil. Whichever of the two extensions loads
    first provides the C++ symbols they share, and with google-re2's first regopy evaluates
    with about four times the memory (414 MB instead of 110 MB on 5,000 ConfigMaps,
    benchmarks/results/hostile.md). Loading regopy first keeps both as they are alone.
    """
    if importlib.util.find_spec("regopy") is not None:
        import regopy  # noqa: F401

    import re2

    options = re2.Options()
    options.log_errors = False  # RE2 logs bad patterns to stderr itself; we report them once
    options.max_mem = 8 << 20  # RE2's memory for one compiled pattern (its default)
    return re2, options


class PatternError(ValueError):
    """A pattern RE2 does not accept (e.g. look-ahead or back-references)."""


@lru_cache(maxsize=512)
def compile_pattern(pattern: str) -> Any:
    """``pattern`` compiled by RE2; :class:`PatternError` saying why RE2 refuses it."""
    re2, options = _re2()
    try:
        return re2.compile(pattern, options=options)
    except re2.error as exc:
        detail = exc.args[0] if exc.args else exc
        text = detail.decode("utf-8", "replace") if isinstance(detail, bytes) else str(detail)
        raise PatternError(f"not a valid RE2 regular expression: {text}") from None
    except TypeError as exc:  # a str with lone surrogates cannot be encoded for RE2
        raise PatternError(f"not a valid RE2 regular expression: {exc}") from None


def full_match(pattern: str, text: str) -> bool:
    """True when ``pattern`` matches the whole of ``text`` (OPA: ``^(?:pattern)$``)."""
    return compile_pattern(f"^(?:{pattern})$").search(text) is not None
