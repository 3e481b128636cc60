"""Reporters: one module per output format, listed in REPORTERS."""

from __future__ import annotations

from collections.abc import Callable

from guardrails.report.github import render_github
from guardrails.report.json_report import render_json
from guardrails.report.junit import render_junit
from guardrails.report.markdown import render_markdown
from guardrails.report.model import Report
from guardrails.report.sarif import render_sarif
from guardrails.report.table import render_table

#: format name -> renderer(report, color) -> text
REPORTERS: dict[str, Callable[[Report, bool], str]] = {
    "table": render_table,
    "json": lambda report, color: render_json(report),
    "sarif": lambda report, color: render_sarif(report),
    "junit": lambda report, color: render_junit(report),
    "github": lambda report, color: render_github(report),
    "markdown": lambda report, color: render_markdown(report),
}

__all__ = ["REPORTERS", "Report"]
