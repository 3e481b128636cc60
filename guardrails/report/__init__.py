"""Check report formats: one module per output format, listed in REPORTERS.

The cost views (``guardrails cost``, ``guardrails budgets``) live in ``report.views``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from typing import Any

from guardrails.report.model import Report


def _renderer(
    module: str, function: str, takes_color: bool = False
) -> Callable[[Report, bool], str]:
    """A renderer that imports its module on first use (the table pulls in rich: ~50 ms)."""

    def render(report: Report, color: bool) -> str:
        target: Any = getattr(importlib.import_module(f"guardrails.report.{module}"), function)
        text: str = target(report, color) if takes_color else target(report)
        return text

    return render


#: format name -> renderer(report, color) -> text
REPORTERS: dict[str, Callable[[Report, bool], str]] = {
    "table": _renderer("table", "render_table", takes_color=True),
    "json": _renderer("json_report", "render_json"),
    "sarif": _renderer("sarif", "render_sarif"),
    "junit": _renderer("junit", "render_junit"),
    "github": _renderer("github", "render_github"),
    "markdown": _renderer("markdown", "render_markdown"),
    "codequality": _renderer("codequality", "render_codequality"),
}

#: format name -> streamer(report) -> the renderer's text in chunks, for the formats that grow
#: with the findings (written as made: a 100,000-object report is never whole in memory).
_STREAMERS = {"json": ("json_report", "stream_json"), "sarif": ("sarif", "stream_sarif")}


def render_chunks(name: str, report: Report, color: bool) -> Iterable[str]:
    """The text ``REPORTERS[name](report, color)`` gives, as chunks to write one after another.

    The document around the findings is built now (its errors raise here); the findings are
    encoded as the chunks are consumed."""
    streamer = _STREAMERS.get(name)
    if streamer is None:
        return (REPORTERS[name](report, color),)
    module, function = streamer
    target: Any = getattr(importlib.import_module(f"guardrails.report.{module}"), function)
    chunks: Iterable[str] = target(report)
    return chunks


__all__ = ["REPORTERS", "Report", "render_chunks"]
