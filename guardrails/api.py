"""scan(): the one entry point every front door (CLI, hook, action, webhook) uses."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from guardrails.model import Graph
from guardrails.parsers import ParseOptions, parse_paths
from guardrails.report import Report


@dataclass(frozen=True)
class ScanOptions:
    """Everything a front door can choose about a scan."""

    source_root: Path | None = None
    max_bytes: int = 200 * 1024 * 1024
    progress: Callable[[str], None] | None = field(default=None, compare=False)


def build_graph(paths: list[str], options: ScanOptions | None = None) -> Graph:
    """Parse ``paths`` (files, directories, ``-`` for stdin) into one resource graph."""
    options = options or ScanOptions()
    parse_options = ParseOptions(source_root=options.source_root, max_bytes=options.max_bytes)
    return parse_paths(paths, parse_options, options.progress)


def scan(paths: list[str], options: ScanOptions | None = None) -> Report:
    """Parse, build the graph, evaluate the policies and return the report."""
    graph = build_graph(paths, options)
    # No policy library is bundled yet: the evaluation stage honestly returns no findings.
    return Report(graph=graph, findings=(), engine="none")
