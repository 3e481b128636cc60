"""Python twins of the cost policies (policies/cost)."""

from __future__ import annotations

from typing import Any

from guardrails.engines.python.registry import RawFinding, twin
from guardrails.engines.python.util import Doc, facts, finding, live, unknown_path


def dollars(amount: int) -> str:
    """Twin of lib/money.rego: ``$25,000``."""
    return f"${amount:,}"


def _gpu(doc: Doc) -> list[Doc]:
    return [r for r in doc["resources"] if live(r) and facts(r).get("is_gpu") is True]


@twin("GR-COST-001")
def over_environment_ceiling(doc: Doc, config: Doc) -> list[RawFinding]:
    ceilings = config["cost_ceilings"]
    out = []
    for r in doc["resources"]:
        f = facts(r)
        if not live(r) or f.get("priced") is not True:
            continue
        env = f["environment"]
        limit = ceilings.get(env, ceilings["unknown"])
        if f["monthly_usd"]["max"] > limit:
            out.append(
                finding(
                    r,
                    f"{r['type']} {r['address']} costs {f['monthly_usd_display']['max']}/month at "
                    f"max scale, over the {env} ceiling of {dollars(limit)}/month",
                )
            )
    return out


@twin("GR-COST-002")
def change_over_delta_ceiling(doc: Doc, config: Doc) -> list[RawFinding]:
    cost: dict[str, Any] = doc.get("summary", {}).get("cost") or {}
    if not cost or not cost["monthly_usd_delta"] > config["delta_ceiling"]:
        return []
    contributors = ", ".join(
        f"{c['address']} ({c['monthly_usd_delta_display']})" for c in cost["top_contributors"]
    )
    return [
        {
            "resource": "change",
            "message": (
                f"This change raises monthly GPU cost by {cost['monthly_usd_delta_display']} "
                f"({cost['monthly_usd_before_display']} to {cost['monthly_usd_after_display']}), "
                f"over the delta ceiling of {dollars(config['delta_ceiling'])}; "
                f"top contributors: {contributors}"
            ),
        }
    ]


@twin("GR-COST-003")
def gpu_model_not_allowed(doc: Doc, config: Doc) -> list[RawFinding]:
    models = config["allowed_gpu_models"]
    out = []
    for r in _gpu(doc):
        f = facts(r)
        model = (f.get("gpu") or {}).get("model")
        if not isinstance(model, str):
            continue
        env = f["environment"]
        permitted = models.get(env, models.get("unknown", ["*"]))
        if "*" in permitted or model.upper() in {m.upper() for m in permitted}:
            continue
        out.append(
            finding(
                r,
                f"{r['type']} {r['address']} uses {model} GPUs, which are not allowed in {env} "
                f"(allowed: {', '.join(sorted(permitted))})",
            )
        )
    return out


@twin("GR-COST-004")
def autoscaling_without_safe_max(doc: Doc, config: Doc) -> list[RawFinding]:
    out = []
    for r in _gpu(doc):
        scaling = facts(r)["autoscaling"]
        if scaling.get("enabled") is not True:
            continue
        path = unknown_path(r, scaling["attribute"]) if scaling.get("attribute") else None
        if path:
            out.append(
                finding(
                    r,
                    f"{r['type']} {r['address']}: the autoscaling maximum ({path}) is unknown "
                    "until apply",
                    outcome="unknown",
                    attribute=path,
                )
            )
        elif not scaling.get("explicit_max"):
            out.append(
                finding(
                    r,
                    f"{r['type']} {r['address']} autoscales GPU capacity without an explicit "
                    "maximum",
                )
            )
        elif scaling["max"] is not None and scaling["max"] > config["max_gpu_nodes"]:
            out.append(
                finding(
                    r,
                    f"{r['type']} {r['address']} can scale to {scaling['max']} GPU nodes or "
                    f"replicas, above max_gpu_nodes {config['max_gpu_nodes']}",
                )
            )
    return out


@twin("GR-COST-005")
def price_unknown(doc: Doc, config: Doc) -> list[RawFinding]:
    out = []
    for r in _gpu(doc):
        f = facts(r)
        if f.get("priced") is True:
            continue
        problem = f.get("price_unknown")
        if not isinstance(problem, dict) or not isinstance(problem.get("reason"), str):
            continue  # enrichment always explains an unpriced GPU resource
        message = (
            f"{r['type']} {r['address']}: GPU cost cannot be determined: {problem.get('reason')}"
        )
        attribute = problem.get("attribute")
        if isinstance(attribute, str):
            out.append(finding(r, message, outcome="unknown", attribute=attribute))
        else:
            out.append(finding(r, message))
    return out
