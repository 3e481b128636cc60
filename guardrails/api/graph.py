"""The resource graph of a scan: parsed from the inputs, then enriched with every fact."""

from __future__ import annotations

from dataclasses import replace

from guardrails.api.config import resolve_config
from guardrails.api.options import ScanOptions
from guardrails.config import Config
from guardrails.enrich import EnrichOptions, enrich
from guardrails.errors import NoInputError
from guardrails.inputs.confine import Confinement
from guardrails.inputs.discovery import unscanned_files
from guardrails.model import Graph
from guardrails.model.contract import InputDocument
from guardrails.parsers import parse_paths
from guardrails.report.paths import scan_root


def build_graph(paths: list[str], options: ScanOptions | None = None) -> Graph:
    """Parse ``paths`` (files, directories, ``-`` for stdin) into one resource graph."""
    options = options or ScanOptions()
    read = options.parse
    typed = [*paths, *read.var_files, *([str(read.source_root)] if read.source_root else [])]
    parse_options = replace(
        read,
        confinement=Confinement.of(scan_root(paths, options.root), typed),
        skip_dirs=options.policy_dirs,  # verdict cases of user policies are not infrastructure
    )
    graph = parse_paths(paths, parse_options, options.progress)
    if not options.allow_empty and not any(i.evaluated for i in graph.inputs):
        raise NoInputError(paths, len(graph.inputs), unscanned_files(paths))
    return graph


def enrich_graph(graph: Graph, config: Config, assigned_environment: str | None = None) -> Graph:
    """Add GPU, capacity, replica, cost, environment and workload facts to every resource.

    ``assigned_environment`` (an operator's namespace mapping) wins over resources' labels.
    """
    return enrich(
        graph,
        EnrichOptions(
            default_environment=config["default_environment"],
            default_gpu_hourly_usd=float(config["default_gpu_hourly_usd"]),
            budgets=config["budgets"],
            assigned_environment=assigned_environment,
            tag_aliases=config["tag_aliases"],
            environment_aliases=config["environment_aliases"],
        ),
    )


def enriched_graph(paths: list[str], options: ScanOptions | None = None) -> Graph:
    """The graph of ``paths`` with every enrichment fact (what ``guardrails cost`` shows)."""
    options = options or ScanOptions()
    config = resolve_config(paths, options)
    return enrich_graph(build_graph(paths, options), config)


def build_input(paths: list[str], options: ScanOptions | None = None) -> InputDocument:
    """The enriched input document policies receive for ``paths``."""
    return enriched_graph(paths, options).to_input()
