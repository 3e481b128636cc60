"""scan(): the one entry point every front door (CLI, hook, action, webhook) uses."""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from guardrails.baseline import read_baseline, waiver_changes
from guardrails.catalog import Catalog, load_catalog
from guardrails.config import MAX_CONFIG_BYTES, Config, find_config, load_config, root_config
from guardrails.config_relax import relaxations
from guardrails.engines.base import Engine
from guardrails.engines.builtins import check_sources
from guardrails.engines.findings import to_findings
from guardrails.engines.rego import policy_sources, user_sources
from guardrails.engines.sandbox import DEFAULT_TIMEOUT_S, UserPolicyLimits
from guardrails.engines.scoped import whole_input_warning
from guardrails.engines.select import select_engine
from guardrails.enrich import EnrichOptions, enrich
from guardrails.errors import ConfigError, GuardrailsError, NoInputError
from guardrails.inputs.confine import Confinement
from guardrails.inputs.discovery import unscanned_files
from guardrails.inputs.safe_io import read_text
from guardrails.ledger import Change, Observed, classify, observe
from guardrails.model import Finding, Graph, Outcome, SourceFormat
from guardrails.model.contract import InputDocument
from guardrails.parsers import ParseOptions, parse_documents, parse_paths
from guardrails.report import Report
from guardrails.report.model import ConfigSource, WaiverChange
from guardrails.report.paths import repo_relative, repository_root, scan_root
from guardrails.waivers import (
    Waiver,
    WaiverStatus,
    annotation_waivers,
    apply_waivers,
    config_waivers,
    inline_waivers,
)


@dataclass(frozen=True)
class ScanOptions:
    """Everything a front door can choose about a scan."""

    #: How inputs are read (source root, size and resource limits, stdin name, var files);
    #: the scan adds the confinement to the repository root.
    parse: ParseOptions = field(default_factory=ParseOptions)
    #: Repository root paths are reported relative to (None: git top level of the first path).
    root: Path | None = None
    #: Explicit config file; None: search upward from the first path for .guardrails.yaml.
    config_path: Path | None = None
    #: Use the defaults only, never search for a config file.
    no_config: bool = False
    #: With ``config_path``: refuse (ConfigError) any other, different .guardrails.yaml that
    #: the search would find for an input (the Action's pinned ``config``).
    pin_config: bool = False
    environment: str | None = None
    #: Findings on unchanged resources are informational; None: the config's ``changed_only``.
    changed_only: bool | None = None
    engine: str = "auto"
    #: The embedded Rego library of ``rego`` (and of ``auto`` for user policies): ``opa`` or
    #: ``regopy``; None: GUARDRAILS_REGO_BACKEND, else the OPA library when installed.
    rego_backend: str | None = None
    opa_url: str | None = None
    opa_upload: bool = True
    opa_fallback: bool = True
    policy_dirs: tuple[Path, ...] = ()
    #: Let policies the project does not ship call http.send and the other network builtins
    #: (``--allow-network-builtins``; never from a config file, which a pull request can edit).
    allow_network_builtins: bool = False
    #: Wall-clock seconds and resident MB one evaluation of those policies may take
    #: (None: MEMORY_FLOOR_MB plus a multiple of the input size).
    policy_timeout_s: float = DEFAULT_TIMEOUT_S
    policy_memory_mb: int | None = None
    #: Today's date for waiver expiry (injected by tests); None: the real date.
    today: date | None = None
    progress: Callable[[str], None] | None = field(default=None, compare=False)
    #: Told what a scan does next ("enriching 100,000 resources"): a long scan's progress.
    on_stage: Callable[[str], None] | None = field(default=None, compare=False)
    #: Accept a scan that finds no supported input (otherwise an error: a mistyped path in CI
    #: must not pass).
    allow_empty: bool = False
    #: The verdict. ``fail_on``: the severity that fails the run (None: the config's, else
    #: high); ``unknown``: ignore, warn or fail (None: the config's, else warn).
    fail_on: str | None = None
    unknown: str | None = None
    #: Report only findings this baseline file does not record (and the waivers the change
    #: adds or extends).
    baseline: Path | None = None
    #: The same paths at the base commit (``--base``): the ledger's base. Without them the
    #: base is the baseline, else the plans' prior state.
    base_paths: tuple[str, ...] = ()
    #: Fail only on findings new or escalated against the base (``--fail-on-new``).
    fail_on_new: bool = False
    #: Build the ledger (new/fixed/unchanged/escalated) even without --base or --fail-on-new.
    ledger: bool = False


def resolve_config(paths: list[str], options: ScanOptions) -> Config:
    """The configuration a scan uses: --config, else the nearest .guardrails.yaml between the
    first path and the repository root, else the defaults; a config found below the root
    carries what it relaxes relative to the root's config (the built-in defaults if none)."""
    root = scan_root(paths, options.root)
    inputs = [Path(p) for p in paths if p != "-"] or [Path.cwd()]
    if options.no_config:
        path = None
    elif options.config_path is not None:
        if not options.config_path.exists():
            raise ConfigError(f"{options.config_path}: config file does not exist")
        # Anything else that is not a regular file (a FIFO, /dev/zero) is refused when read.
        path = options.config_path
        if options.pin_config:
            refuse_other_configs(inputs, root, path)
    else:
        path = find_config(inputs[0], root)
    config = load_config(path)
    # A config the search found below the root is measured against the root's; one the caller
    # named (--config, the Action's pinned one) is the caller's choice, like a flag.
    reference = root_config(root)
    searched = options.config_path is None
    if searched and path is not None and (reference is None or not _same_file(path, reference)):
        base = load_config(reference)
        config = replace(
            config, compared_to=reference, relaxations=relaxations(config.values, base.values)
        )
    if options.environment:
        config.values["default_environment"] = options.environment
    if options.changed_only is not None:
        config.values["changed_only"] = options.changed_only
    return config


def refuse_other_configs(inputs: list[Path], root: Path, pinned: Path) -> None:
    """A pinned config is the only one: a different .guardrails.yaml that the search would use
    for an input (a pull request's own, next to its files) is an error naming it."""
    wanted = _content(pinned)
    for start in inputs:
        found = find_config(start, root)
        if found is None or _same_file(found, pinned) or _content(found) == wanted:
            continue
        raise ConfigError(
            f"{found}: a config that differs from the pinned {pinned} would apply to {start}; "
            "only the pinned config is used (remove this file or make it identical)"
        )


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _content(path: Path) -> str | None:
    try:
        return read_text(str(path), MAX_CONFIG_BYTES)
    except GuardrailsError:
        return None


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


def with_ledger(
    report: Report, paths: list[str], options: ScanOptions, prepared: PreparedPolicies
) -> Report:
    """The report with its ledger against the base the user has: ``--base`` paths, else the
    baseline file, else the plans' prior state (inputs that are not plans then have no base:
    their findings count as new, and a warning says so)."""
    unknown = options.unknown or str(report.config_value("unknown", "warn"))
    head = observe(_kept(report.findings, unknown), report.graph)
    warnings: list[str] = []
    if options.base_paths:
        base_report, described = base_scan(options), "--base " + " ".join(options.base_paths)
        base = observe(_kept(base_report.findings, unknown), base_report.graph)
        warnings += [f"base: {w}" for w in base_report.warnings]
        # Whatever the base does not show counts as new: never a silent pass.
        warnings += [
            f"base: {p} does not exist at the base; its findings count as new"
            for p in options.base_paths
            if not os.path.lexists(p)
        ]
        warnings += [
            f"base: {i.path} could not be read; findings it would match count as new"
            for i in base_report.graph.input_errors
        ]
    elif options.baseline is not None:
        base, described = (
            list(read_baseline(options.baseline).records),
            f"baseline {options.baseline}",
        )
    else:
        base, described = plan_prior_findings(paths, options, prepared, unknown)
        others = [
            i.path for i in report.graph.inputs if i.evaluated and i.format != "terraform-plan"
        ]
        if others:
            warnings.append(
                f"no base for {len(others)} input(s) that are not Terraform plans (pass --base "
                "PATH at the base commit, or --baseline FILE): their findings count as new"
            )
    ledger = classify(head, base, described)
    return replace(report, ledger=ledger, warnings=(*report.warnings, *warnings))


def _kept(findings: Sequence[Finding], unknown: str) -> list[Finding]:
    return [f for f in findings if unknown != "ignore" or f.outcome != Outcome.UNKNOWN]


def base_scan(options: ScanOptions) -> Report:
    """The ``--base`` paths scanned as they are at the base commit, with the same options
    (their own repository root; a path the base does not have yet is left out)."""
    present = [p for p in options.base_paths if os.path.lexists(p)]
    if not present:
        return Report(graph=Graph(), findings=(), engine="none")
    base_options = replace(
        options,
        root=None,
        pin_config=False,
        allow_empty=True,
        base_paths=(),
        baseline=None,
        fail_on_new=False,
        ledger=False,
        progress=None,
    )
    config = resolve_config(present, base_options)
    graph = enrich_graph(build_graph(present, base_options), config)
    return evaluate(graph, config, replace(base_options, root=scan_root(present)))


def plan_prior_findings(
    paths: list[str], options: ScanOptions, prepared: PreparedPolicies, unknown: str
) -> tuple[list[Observed], str]:
    """The findings on the prior state of every Terraform plan among ``paths`` (each
    resource as ``change.before`` has it; what the plan creates is absent)."""
    prior_options = replace(options, parse=replace(options.parse, plan_side="before"))
    prior = enrich_graph(
        build_graph(paths, replace(prior_options, allow_empty=True)), prepared.config
    )
    plans = {r.id for r in prior.resources if r.source_format == SourceFormat.TERRAFORM_PLAN}
    if not plans:
        return [], "no base (no Terraform plan among the inputs)"
    report = evaluate_prepared(prior, prepared, options.today)
    kept = [f for f in _kept(report.findings, unknown) if f.resource_id in plans]
    return observe(kept, prior), "the plans' prior state"


def judge(report: Report, options: ScanOptions) -> Report:
    """The report as the run's verdict sees it: unknowns dropped under ``unknown: ignore``,
    baselined findings left out, and the threshold and unknown mode it is judged by."""
    unknown = options.unknown or str(report.config_value("unknown", "warn"))
    if unknown == "ignore":
        report = report.without_unknown()
    if options.baseline is not None:
        report = apply_baseline(report, options.baseline)
    fail_on = options.fail_on or str(report.config_value("fail_on", "high"))
    return report.with_fail_on(fail_on, unknown, gate="new" if options.fail_on_new else "all")


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


@dataclass(frozen=True)
class PreparedPolicies:
    """What evaluation loads once: the configuration, the policy catalog and the engine."""

    config: Config
    catalog: Catalog
    engine: Engine
    warnings: tuple[str, ...] = ()
    #: The root reported paths are relative to.
    root: Path = field(default_factory=Path.cwd)


_ID_SHAPE = re.compile(r"[A-Za-z]{1,8}-[A-Za-z]{1,12}-\d{1,5}")


def check_policy_ids(config: Config, catalog: Catalog) -> None:
    """Every policy id the configuration names must exist: a typo would silently disable
    nothing, override nothing or waive nothing. The error names the closest real id."""
    origin = str(config.path) if config.path else "config"
    named: list[tuple[str, str]] = [
        *(("disabled_policies", str(p)) for p in config["disabled_policies"] or ()),
        *(("severity_overrides", str(p)) for p in config["severity_overrides"] or {}),
        *(
            (f"waivers[{i}].policy", str(w.get("policy")))
            for i, w in enumerate(config["waivers"] or ())
            if isinstance(w, dict) and w.get("policy") != "*"
        ),
    ]
    known = sorted(catalog.policies)
    for key, policy_id in named:
        if policy_id in catalog.policies:
            continue
        close = difflib.get_close_matches(policy_id.upper(), known, n=1, cutoff=0.5)
        hint = (
            f"; did you mean {close[0]}?"
            if close
            else f" ({len(known)} policies: see `guardrails policies`)"
        )
        # Only an id-shaped value is echoed: a config may be a planted file holding a secret.
        named_id = policy_id if _ID_SHAPE.fullmatch(policy_id) else "a value"
        raise ConfigError(f"{origin}: {key} names {named_id}, which is not a policy{hint}")


def prepare_policies(config: Config, options: ScanOptions) -> PreparedPolicies:
    """Load the catalog and select the engine once, for one scan or a long-running server."""
    catalog: Catalog = load_catalog(options.policy_dirs)
    check_policy_ids(config, catalog)
    engine, warnings = select_engine(
        options.engine,
        opa_url=options.opa_url,
        allow_fallback=options.opa_fallback,
        upload=options.opa_upload,
        catalog=catalog,
        backend=options.rego_backend,
        limits=UserPolicyLimits(
            allow_network=options.allow_network_builtins,
            timeout_s=options.policy_timeout_s,
            memory_mb=options.policy_memory_mb,
        ),
    )
    user = Catalog({k: p for k, p in catalog.policies.items() if not p.bundled})
    preloaded = engine.name == "opa/remote" and not options.opa_upload
    if len(user) and engine.name != "python" and not preloaded:  # refused at start (webhook)
        backend = "regopy" if engine.name.endswith("rego/regopy") else None
        check_sources(user_sources(policy_sources(user)), options.allow_network_builtins, backend)
    if engine.name == "python" and any(not p.bundled for p in catalog):
        warnings = [
            *warnings,
            "user Rego policies need a Rego engine; the python engine skipped them",
        ]
    root = options.root or scan_root([])
    return PreparedPolicies(config, catalog, engine, tuple(warnings), root)


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


def apply_baseline(report: Report, path: Path) -> Report:
    """Findings not in the baseline, and the waivers the change adds or extends."""
    baseline = read_baseline(path)
    ledger = classify(observe(report.findings, report.graph), baseline.records, str(path))
    unchanged = {e.head.finding for e in ledger.of(Change.UNCHANGED) if e.head is not None}
    kept = tuple(f for f in report.findings if f not in unchanged)
    note = (
        f"{len(report.findings) - len(kept)} finding(s) are in the baseline {path} and not reported"
    )
    report = report.replace_findings(kept, extra_warning=note)
    if baseline.waivers is None:
        return report.replace_findings(
            report.findings,
            extra_warning=f"the baseline {path} records no waivers (made by an older guardrails):"
            " the waivers this change adds cannot be told; re-create it with"
            " `guardrails baseline create`",
        )
    in_force = [
        w
        for w, status, _ in report.waivers
        if isinstance(w, Waiver) and status != WaiverStatus.EXPIRED
    ]
    records = [w.record() for w in in_force]
    by_record = {id(r): w for r, w in zip(records, in_force, strict=True)}
    changes = tuple(
        WaiverChange(
            policy=w.policy,
            resource=w.resource,
            expires=w.expires.isoformat(),
            change=delta.change,
            previous=delta.previous,
            origin=repo_origin(w.origin, report.root),
            reason=w.reason,
            owner=w.owner,
        )
        for delta in waiver_changes(records, baseline.waivers)
        for w in [by_record[id(delta.waiver)]]
    )
    return replace(report, waiver_changes=changes)


def repo_origin(origin: str, root: Path | None) -> str:
    """A waiver's origin (``FILE: waivers[0]``, ``FILE:12``) with FILE root-relative."""
    file, sep, rest = origin.partition(":")
    return repo_relative(file, root or repository_root()) + sep + rest
