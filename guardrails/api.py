"""scan(): the one entry point every front door (CLI, hook, action, webhook) uses."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from guardrails.catalog import Catalog, load_catalog
from guardrails.config import Config, find_config, load_config
from guardrails.engines.findings import to_findings
from guardrails.engines.select import select_engine
from guardrails.enrich import EnrichOptions, enrich
from guardrails.errors import ConfigError
from guardrails.model import Graph
from guardrails.parsers import DEFAULT_MAX_RESOURCES, ParseOptions, parse_paths
from guardrails.report import Report
from guardrails.report.paths import repo_relative, scan_root
from guardrails.waivers import Waiver, apply_waivers, config_waivers, inline_waivers


@dataclass(frozen=True)
class ScanOptions:
    """Everything a front door can choose about a scan."""

    source_root: Path | None = None
    #: Repository root paths are reported relative to (None: git top level of the first path).
    root: Path | None = None
    #: The file name standard input stands for (findings keep file:line, never "stdin").
    stdin_path: str | None = None
    #: Skip named files in no supported format instead of failing (pre-commit file lists).
    skip_unrecognized: bool = False
    max_bytes: int = 200 * 1024 * 1024
    max_resources: int = DEFAULT_MAX_RESOURCES
    #: Explicit config file; None: search upward from the first path for .guardrails.yaml.
    config_path: Path | None = None
    #: Use the defaults only, never search for a config file.
    no_config: bool = False
    environment: str | None = None
    #: Findings on unchanged resources are informational; None: the config's ``changed_only``.
    changed_only: bool | None = None
    engine: str = "auto"
    opa_url: str | None = None
    opa_upload: bool = True
    opa_fallback: bool = True
    policy_dirs: tuple[Path, ...] = ()
    #: Today's date for waiver expiry (injected by tests); None: the real date.
    today: date | None = None
    progress: Callable[[str], None] | None = field(default=None, compare=False)


def resolve_config(paths: list[str], options: ScanOptions) -> Config:
    """The configuration a scan uses: --config, else the nearest .guardrails.yaml, else defaults."""
    if options.no_config:
        path = None
    elif options.config_path is not None:
        if not options.config_path.is_file():
            raise ConfigError(f"{options.config_path}: config file does not exist")
        path = options.config_path
    else:
        first = next((p for p in paths if p != "-"), None)
        path = find_config(Path(first)) if first else find_config(Path.cwd())
    config = load_config(path)
    if options.environment:
        config.values["default_environment"] = options.environment
    if options.changed_only is not None:
        config.values["changed_only"] = options.changed_only
    return config


def build_graph(paths: list[str], options: ScanOptions | None = None) -> Graph:
    """Parse ``paths`` (files, directories, ``-`` for stdin) into one resource graph."""
    options = options or ScanOptions()
    parse_options = ParseOptions(
        source_root=options.source_root,
        max_bytes=options.max_bytes,
        stdin_path=options.stdin_path,
        max_resources=options.max_resources,
        skip_unrecognized=options.skip_unrecognized,
    )
    return parse_paths(paths, parse_options, options.progress)


def enrich_graph(graph: Graph, config: Config) -> Graph:
    """Add GPU, capacity, replica, cost, environment and workload facts to every resource."""
    return enrich(
        graph,
        EnrichOptions(
            default_environment=config["default_environment"],
            default_gpu_hourly_usd=float(config["default_gpu_hourly_usd"]),
            budgets=config["budgets"],
        ),
    )


def enriched_graph(paths: list[str], options: ScanOptions | None = None) -> Graph:
    """The graph of ``paths`` with every enrichment fact (what ``guardrails cost`` shows)."""
    options = options or ScanOptions()
    config = resolve_config(paths, options)
    return enrich_graph(build_graph(paths, options), config)


def build_input(paths: list[str], options: ScanOptions | None = None) -> dict[str, Any]:
    """The enriched input document policies receive for ``paths``."""
    return enriched_graph(paths, options).to_input()


def scan(paths: list[str], options: ScanOptions | None = None) -> Report:
    """Parse, build the graph, enrich it, evaluate the policies and return the report."""
    options = options or ScanOptions()
    config = resolve_config(paths, options)
    graph = enrich_graph(build_graph(paths, options), config)
    return evaluate(graph, config, replace(options, root=scan_root(paths, options.root)))


def collect_waivers(graph: Graph, config: Config, today: date | None = None) -> list[Waiver]:
    """Waivers from the config file and from inline comments in the scanned sources."""
    today = today or date.today()
    origin = str(config.path) if config.path else "config"
    max_days = int(config["waiver_max_days"])
    return [*config_waivers(config.values, origin, today), *inline_waivers(graph, today, max_days)]


def evaluate(graph: Graph, config: Config, options: ScanOptions) -> Report:
    """Run the selected engine over an enriched graph."""
    catalog: Catalog = load_catalog(options.policy_dirs)
    engine, warnings = select_engine(
        options.engine,
        opa_url=options.opa_url,
        allow_fallback=options.opa_fallback,
        upload=options.opa_upload,
        catalog=catalog,
    )
    policy_config = config.for_policies()
    raw = engine.evaluate(graph.to_input(), policy_config, catalog)
    if engine.name == "python" and any(not p.bundled for p in catalog):
        warnings = [
            *warnings,
            "user Rego policies need a Rego engine; the python engine skipped them",
        ]
    root = options.root or scan_root([])
    findings = to_findings(
        raw, graph, catalog, policy_config, repo_path=lambda file: repo_relative(file, root)
    )
    waived = apply_waivers(
        findings,
        collect_waivers(graph, config, options.today),
        graph,
        options.today or date.today(),
    )
    return Report(
        graph=graph,
        findings=waived.findings,
        engine=engine.name,
        warnings=(*warnings, *waived.warnings),
        waivers=waived.statuses,
        config=config.values,
        catalog=catalog,
        root=root,
    )
