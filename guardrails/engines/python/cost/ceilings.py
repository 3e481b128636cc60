"""Python twins of the cost ceilings: GR-COST-001 to GR-COST-005."""

from __future__ import annotations

from typing import Any

from guardrails.engines.base import RawFinding
from guardrails.engines.python.index import Resources
from guardrails.engines.python.registry import twin
from guardrails.engines.python.util import (
    Doc,
    finding,
    unknown_path,
)
from guardrails.model.contract import Facts


def dollars(amount: int) -> str:
    """Twin of lib/money.rego: ``$25,000``."""
    return f"${amount:,}"


def _assumption(f: Facts) -> str:
    display = (f.get("price_assumption") or {}).get("display")
    return f" ({display})" if isinstance(display, str) else ""


def _reason(f: Facts) -> str:
    unknown = f["price_unknown"]
    reason = unknown["reason"] if unknown is not None else None
    return reason if isinstance(reason, str) else "not priced"


@twin("GR-COST-001")
def over_environment_ceiling(resources: Resources, config: Doc) -> list[RawFinding]:
    ceilings = config["cost_ceilings"]
    over, unpriced = [], []
    # Only a priced resource has a cost to compare, only an unpriced GPU one is unknown.
    for r in resources.live_of(groups=("priced", "gpu")):
        f = r["facts"]
        month, shown = f["monthly_usd"], f["monthly_usd_display"]
        if f.get("priced") is True and month is not None and shown is not None:
            env = f.get("environment")
            limit = ceilings.get(env, ceilings["unknown"])
            if month["max"] > limit:
                over.append(
                    finding(
                        r,
                        f"costs {shown['max']}/month at max scale"
                        f"{_assumption(f)}, over the {env} ceiling of {dollars(limit)}/month",
                    )
                )
        elif f.get("is_gpu") is True:
            env = f.get("environment")
            limit = ceilings.get(env, ceilings["unknown"])
            unpriced.append(
                finding(
                    r,
                    f"the {env} ceiling of {dollars(limit)}/month cannot be checked: GPU cost "
                    f"cannot be determined ({_reason(f)})",
                    outcome="unknown",
                )
            )
    return over + unpriced


@twin("GR-COST-002")
def change_over_delta_ceiling(resources: Resources, config: Doc) -> list[RawFinding]:
    cost: dict[str, Any] = resources.doc.get("summary", {}).get("cost") or {}
    if not cost:
        return []
    ceiling = config["delta_ceiling"]
    if cost["monthly_usd_delta"] <= ceiling:
        if not cost.get("unpriced", 0) > 0:
            return []
        names = ", ".join(u["address"] for u in cost["unpriced_resources"])
        return [
            {
                "resource": "change",
                "outcome": "unknown",
                "unknown_reason": "unpriced",
                "message": (
                    "The priced part of this change raises monthly GPU cost by "
                    f"{cost['monthly_usd_delta_display']}, within the delta ceiling of "
                    f"{dollars(ceiling)}, but unpriced GPU resources are not in the total: {names}"
                ),
            }
        ]
    contributors = ", ".join(
        f"{c['address']} ({c['monthly_usd_delta_display']})" for c in cost["top_contributors"]
    )
    note = cost.get("coverage_note")
    coverage = f" ({note})" if isinstance(note, str) and note else ""
    return [
        {
            "resource": "change",
            "message": (
                f"This change raises monthly GPU cost by {cost['monthly_usd_delta_display']} "
                f"({cost['monthly_usd_before_display']} to {cost['monthly_usd_after_display']}), "
                f"over the delta ceiling of {dollars(ceiling)}{coverage}; "
                f"top contributors: {contributors}"
            ),
        }
    ]


@twin("GR-COST-003")
def gpu_model_not_allowed(resources: Resources, config: Doc) -> list[RawFinding]:
    models = config["allowed_gpu_models"]
    allowed: dict[str, tuple[list[str], set[str]]] = {}  # by environment, upper-cased once
    out = []
    for r in resources.group("gpu"):
        f = r["facts"]
        gpu = f["gpu"]
        model = gpu["model"] if gpu is not None else None
        if not isinstance(model, str):
            continue
        env = f["environment"]
        if env not in allowed:
            permitted = models.get(env, models.get("unknown", ["*"]))
            allowed[env] = (permitted, {m.upper() for m in permitted})
        permitted, upper = allowed[env]
        if "*" in permitted or model.upper() in upper:
            continue
        out.append(
            finding(
                r,
                f"uses {model} GPUs, which are not allowed in {env} "
                f"(allowed: {', '.join(sorted(permitted))})",
            )
        )
    return out


@twin("GR-COST-004")
def autoscaling_without_safe_max(resources: Resources, config: Doc) -> list[RawFinding]:
    out = []
    for r in resources.group("gpu"):
        scaling = r["facts"]["autoscaling"]
        if scaling.get("enabled") is not True:
            continue
        path = unknown_path(r, scaling["attribute"]) if scaling.get("attribute") else None
        if path:
            out.append(
                finding(
                    r,
                    f"the autoscaling maximum ({path}) is unknown until apply",
                    outcome="unknown",
                    attribute=path,
                )
            )
        elif (
            scaling.get("explicit_max")
            and scaling["max"] is not None
            and scaling["max"] > config["max_gpu_nodes"]
        ):
            out.append(
                finding(
                    r,
                    f"can scale to {scaling['max']} GPU nodes or "
                    f"replicas, above max_gpu_nodes {config['max_gpu_nodes']}",
                )
            )
    return out


@twin("GR-COST-005")
def price_unknown(resources: Resources, config: Doc) -> list[RawFinding]:
    out = []
    for r in resources.group("gpu"):
        f = r["facts"]
        if f.get("priced") is True:
            continue
        problem = f.get("price_unknown")
        if not isinstance(problem, dict) or not isinstance(problem.get("reason"), str):
            continue  # enrichment always explains an unpriced GPU resource
        message = f"GPU cost cannot be determined: {problem.get('reason')}"
        attribute = problem.get("attribute")
        if isinstance(attribute, str):
            out.append(finding(r, message, outcome="unknown", attribute=attribute))
        else:
            out.append(finding(r, message))
    return out


def _worst_case_pools(resources: Resources) -> list[Doc]:
    budgets = (resources.doc.get("summary") or {}).get("budgets")
    pools = budgets.get("worst_case") if isinstance(budgets, dict) else None
    return [p for p in pools if isinstance(p, dict)] if isinstance(pools, list) else []


@twin("GR-COST-010")
def budget_worst_case_exceeded(resources: Resources, config: Doc) -> list[RawFinding]:
    out: list[RawFinding] = []
    for p in _worst_case_pools(resources):
        budget = p.get("budget")
        if not isinstance(budget, int | float) or isinstance(budget, bool):
            continue
        members = f"; {p['members_display']}" if p["members_display"] != "" else ""
        if p["monthly_usd_worst"] > budget:
            unbounded = "" if p["bounded"] else f"; and with no bound: {p['problems_display']}"
            out.append(
                {
                    "resource": "change",
                    "message": (
                        f"Budget pool {p['name']} can spend {p['monthly_usd_worst_display']}"
                        f"/month at worst, {p['over_display']} over its {p['budget_display']} "
                        f"budget{members}{unbounded}"
                    ),
                }
            )
        elif not p["bounded"]:
            out.append(
                {
                    "resource": "change",
                    "outcome": "unknown",
                    "message": (
                        f"Budget pool {p['name']} has no provable worst case against its "
                        f"{p['budget_display']} budget: {p['problems_display']}; the bounded "
                        f"members alone come to {p['monthly_usd_worst_display']}"
                    ),
                }
            )
    return out
