"""Enrichment: the facts every policy reads (GPU, capacity, replicas, cost, environment, class).

Computed once in Python after parsing, from the resource, its edges and the bundled GPU catalog,
so every engine sees the same facts (docs/facts.md is the contract).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from guardrails.enrich import clouds
from guardrails.enrich.context import EnrichContext
from guardrails.enrich.cost import (
    ACCELERATORS_UNKNOWN,
    change_summary,
    coverage_summary,
    unevaluated_reason,
)
from guardrails.enrich.facts import resource_facts, with_facts
from guardrails.enrich.options import EnrichOptions as EnrichOptions
from guardrails.enrich.placement import GROUP_IDS, counted_share, overlap_summary, place
from guardrails.model import Graph, Resource
from guardrails.model.contract import Facts


def _guess_text(guess: dict[str, Any]) -> str:
    """``AWS p5.48xlarge at $6.88/GPU-hour``: the row an assumed-cloud price was taken from."""
    name = clouds.DISPLAY.get(str(guess["cloud"]), str(guess["cloud"]))
    return f"{name} {guess['sku']} at ${guess['usd_per_gpu_hour'] or 0:,.2f}/GPU-hour"


def enrich(graph: Graph, options: EnrichOptions) -> Graph:
    """Return ``graph`` with facts on every resource and change-level cost in its summary."""
    context = EnrichContext(graph, options)
    resources: list[Resource] = []
    #: The GPU resources in scan order: the only ones placement looks at (place,
    #: counted_share and overlap_summary skip every other resource).
    gpu_resources: list[Resource] = []
    own_facts: list[Facts] = []
    costs: list[tuple[str, str, float, float]] = []
    assumed: list[tuple[str, str]] = []
    cloud_assumed: list[tuple[str, str, str]] = []
    unpriced: list[tuple[str, str, str]] = []
    unevaluated: list[tuple[str, str, str]] = []
    for resource in graph.resources:
        if resource.unevaluated:
            unevaluated.append(
                (resource.id, resource.address, unevaluated_reason(resource.mode, resource.unknown))
            )
        facts, before, after = resource_facts(context, resource)
        enriched = with_facts(resource, facts)
        resources.append(enriched)
        own_facts.append(facts)
        if facts["accelerator_unknown"] and not resource.unevaluated:
            unevaluated.append((resource.id, resource.address, ACCELERATORS_UNKNOWN))
        if facts["is_gpu"]:
            gpu_resources.append(enriched)
            costs.append((resource.id, resource.address, before, after))
            guess = facts["price_assumption"]
            if guess is not None and guess["cloud"] is not None:
                cloud_assumed.append((resource.id, resource.address, _guess_text(guess)))
            elif guess is not None:
                assumed.append((resource.id, resource.address))
            elif not facts["priced"]:
                unknown = facts["price_unknown"]
                reason = str(unknown["reason"] if unknown and unknown["reason"] else "not priced")
                unpriced.append((resource.id, resource.address, reason))
    placements = place(gpu_resources)
    if placements:
        # A workload on a node group of this change runs on that group's GPUs: it adds only
        # the scale-up beyond the group's desired size (enrich.placement).
        shares = counted_share(gpu_resources, placements)
        for rid, share in shares.items():
            placements[rid] = {
                **placements[rid],
                "monthly_usd_counted": share["monthly_usd"],
                "gpus_counted": share["gpus"],
            }
        for found in placements.values():
            found.pop(GROUP_IDS, None)
        # The facts dicts are this run's own and not handed out yet: placement is filled in
        # place rather than copying every placed resource a second time.
        for r, facts in zip(resources, own_facts, strict=True):
            if r.id in placements:
                facts["placement"] = placements[r.id]
        costs = [
            (
                rid,
                address,
                0.0 if was == 0.0 else shares[rid]["monthly_usd"],
                shares[rid]["monthly_usd"],
            )
            if rid in shares
            else (rid, address, was, now)
            for rid, address, was, now in costs
        ]
        unpriced = [u for u in unpriced if u[0] not in shares]
        assumed = [a for a in assumed if a[0] not in shares or shares[a[0]]["monthly_usd"]]
        cloud_assumed = [
            a for a in cloud_assumed if a[0] not in shares or shares[a[0]]["monthly_usd"]
        ]
    coverage = coverage_summary(
        assumed, unpriced, options.default_gpu_hourly_usd, unevaluated, cloud_assumed
    )
    overlap = overlap_summary(gpu_resources, placements)
    notes = "; ".join(n for n in (coverage["coverage_note"], overlap.pop("note")) if n)
    summary = {
        **graph.summary,
        "cost": {**change_summary(costs), **coverage, **overlap, "coverage_note": notes},
        "budgets": budget_facts(resources, options.budgets),
    }
    return replace(graph, resources=tuple(resources), summary=summary)


def budget_facts(resources: Sequence[Resource], budgets: Mapping[str, Any]) -> dict[str, Any]:
    """``input.summary.budgets``: every pool of every budgeted dimension and its worst case.

    The pool and worst-case code (~20 ms to import) loads only when budgets are configured.
    """
    if not budgets:  # what the code below gives for none, without loading it
        return {"warn_at_percent": None, "pools": [], "worst_case": []}
    from guardrails.enrich.budget_proof import worst_case_summary
    from guardrails.enrich.budgets import budget_summary

    return {
        **budget_summary(resources, budgets),
        "worst_case": worst_case_summary(resources, budgets),
    }
