"""Reporters: one module per output format, listed in REPORTERS."""

from __future__ import annotations

from collections.abc import Callable

from guardrails.report.json_report import render_json
from guardrails.report.model import Report
from guardrails.report.table import render_table

#: format name -> renderer(report, color) -> text
REPORTERS: dict[str, Callable[[Report, bool], str]] = {
    "json": lambda report, color: render_json(report),
    "table": render_table,
}

__all__ = ["REPORTERS", "Report"]
