"""Evaluation: the engine's raw results over an enriched graph, as waived findings in a Report."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from guardrails.api.graph import enrich_graph
from guardrails.api.options import ScanOptions
from guardrails.api.policies import PreparedPolicies, prepare_policies
from guardrails.config import Config
from guardrails.engines.findings import to_findings
from guardrails.engines.scoped import whole_input_warning
from guardrails.model import Graph
from guardrails.parsers import parse_documents
from guardrails.report import Report
from guardrails.report.model import ConfigSource
from guardrails.report.paths import repo_relative
from guardrails.waivers import (
    Waiver,
    annotation_waivers,
    apply_waivers,
    config_waivers,
    inline_waivers,
)


def evaluate(graph: Graph, config: Config, options: ScanOptions) -> Report:
    """Run the selected engine over an enriched graph."""
    return evaluate_prepared(graph, prepare_policies(config, options), options.today)


def evaluate_prepared(
    graph: Graph,
    prepared: PreparedPolicies,
    today: date | None = None,
    *,
    source_waivers: bool = True,
) -> Report:
    """Evaluate an enriched graph with policies loaded once (see :func:`prepare_policies`)."""
    config, catalog, root = prepared.config, prepared.catalog, prepared.root
    policy_config = config.for_policies()
    raw = prepared.engine.evaluate(dict(graph.to_input()), policy_config, catalog)
    whole_input = None
    if prepared.engine.name != "python":  # the python engine skips user policies (warned)
        whole_input = whole_input_warning(catalog, len(graph.resources))
    findings = to_findings(
        raw, graph, catalog, policy_config, repo_path=lambda file: repo_relative(file, root)
    )
    del raw  # the engine's rows (~140 MB at 100,000 objects) go before the sources are re-read
    waived = apply_waivers(
        findings,
        collect_waivers(graph, config, today, from_sources=source_waivers),
        graph,
        today or date.today(),
    )
    return Report(
        graph=graph,
        findings=waived.findings,
        engine=prepared.engine.name,
        warnings=(*prepared.warnings, *([whole_input] if whole_input else []), *waived.warnings),
        waivers=waived.statuses,
        config=config.values,
        catalog=catalog,
        root=root,
        config_source=config_source(config, root),
    )


def collect_waivers(
    graph: Graph, config: Config, today: date | None = None, *, from_sources: bool = True
) -> list[Waiver]:
    """Waivers from the config file and, when ``from_sources``, the ones the scanned sources
    declare themselves (inline comments, Kubernetes ``guardrails.dev/ignore`` annotations)."""
    today = today or date.today()
    origin = str(config.path) if config.path else "config"
    max_days = int(config["waiver_max_days"])
    waivers = config_waivers(config.values, origin, today)
    if from_sources:
        waivers += inline_waivers(graph, today, max_days)
        waivers += annotation_waivers(graph, today, max_days)
    return waivers


def config_source(config: Config, root: Path) -> ConfigSource:
    """The report's account of the config: its path and relaxations, root-relative."""
    return ConfigSource(
        path=repo_relative(str(config.path), root) if config.path else None,
        compared_to=repo_relative(str(config.compared_to), root) if config.compared_to else None,
        relaxations=config.relaxations,
    )


def scan_documents(
    documents: Sequence[Any],
    prepared: PreparedPolicies,
    *,
    source: str = "<admission>",
    environment: str | None = None,
    source_waivers: bool = False,
    today: date | None = None,
) -> Report:
    """Judge in-memory Kubernetes documents (an AdmissionReview or objects) without re-loading
    anything: the admission webhook's fast path.

    ``environment`` is assigned by the operator and wins over the objects' own labels; the
    objects' own waivers count only when ``source_waivers``.
    """
    graph = enrich_graph(parse_documents(source, documents), prepared.config, environment)
    return evaluate_prepared(graph, prepared, today, source_waivers=source_waivers)
