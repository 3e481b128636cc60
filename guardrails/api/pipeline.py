"""scan(): parse, enrich, evaluate, judge — the whole pipeline behind every front door."""

from __future__ import annotations

from dataclasses import replace

from guardrails.api.config import resolve_config
from guardrails.api.evaluation import evaluate_prepared
from guardrails.api.graph import build_graph, enrich_graph
from guardrails.api.ledger import with_ledger
from guardrails.api.options import ScanOptions
from guardrails.api.policies import prepare_policies
from guardrails.api.verdict import judge
from guardrails.report import Report
from guardrails.report.paths import scan_root


def scan(paths: list[str], options: ScanOptions | None = None) -> Report:
    """Parse, build the graph, enrich it, evaluate the policies and return the report judged
    by the options' (else the config's) ``fail_on``, ``unknown`` and baseline."""
    options = options or ScanOptions()
    stage = options.on_stage or (lambda _: None)
    config = resolve_config(paths, options)
    graph = build_graph(paths, options)
    stage(f"enriching {len(graph.resources):,} resources")
    graph = enrich_graph(graph, config)
    stage(f"evaluating the policies on {len(graph.resources):,} resources")
    scoped = replace(options, root=scan_root(paths, options.root))
    prepared = prepare_policies(config, scoped)
    report = evaluate_prepared(graph, prepared, options.today)
    if options.ledger or options.fail_on_new or options.base_paths:
        report = with_ledger(report, paths, scoped, prepared)
    return judge(report, options)
