"""The one entry point every front door (CLI, hook, action, webhook) uses: :func:`scan`.

Rooms, each with one job: ``options`` (what a front door can choose), ``config`` (which
configuration applies), ``graph`` (parse and enrich), ``policies`` (catalog and engine, loaded
once), ``evaluation`` (the engine's results as waived findings), ``verdict`` (unknown mode,
baseline, ``fail_on``), ``ledger`` (findings against a base) and ``pipeline`` (all of them in
order). Import from ``guardrails.api``: the rooms may move, these names stay.
"""

from guardrails.api.config import refuse_other_configs, resolve_config
from guardrails.api.evaluation import (
    collect_waivers,
    config_source,
    evaluate,
    evaluate_prepared,
    scan_documents,
)
from guardrails.api.graph import build_graph, build_input, enrich_graph, enriched_graph
from guardrails.api.ledger import base_scan, plan_prior_findings, with_ledger
from guardrails.api.options import ScanOptions
from guardrails.api.pipeline import scan
from guardrails.api.policies import PreparedPolicies, check_policy_ids, prepare_policies
from guardrails.api.verdict import apply_baseline, judge, repo_origin

__all__ = [
    "PreparedPolicies",
    "ScanOptions",
    "apply_baseline",
    "base_scan",
    "build_graph",
    "build_input",
    "check_policy_ids",
    "collect_waivers",
    "config_source",
    "enrich_graph",
    "enriched_graph",
    "evaluate",
    "evaluate_prepared",
    "judge",
    "plan_prior_findings",
    "prepare_policies",
    "refuse_other_configs",
    "repo_origin",
    "resolve_config",
    "scan",
    "scan_documents",
    "with_ledger",
]
