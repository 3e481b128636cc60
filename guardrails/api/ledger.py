"""The ledger of a scan: its findings new, fixed, unchanged or escalated against a base."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import replace

from guardrails.api.config import resolve_config
from guardrails.api.evaluation import evaluate, evaluate_prepared
from guardrails.api.graph import build_graph, enrich_graph
from guardrails.api.options import ScanOptions
from guardrails.api.policies import PreparedPolicies
from guardrails.baseline import read_baseline
from guardrails.ledger import Observed, classify, observe
from guardrails.model import Finding, Graph, Outcome, SourceFormat
from guardrails.report import Report
from guardrails.report.paths import scan_root


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
