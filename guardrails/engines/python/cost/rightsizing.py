"""Python twin of GR-COST-008: inference capacity not right-sized."""

from __future__ import annotations

from typing import Any

from guardrails.engines.base import RawFinding
from guardrails.engines.python.index import Resources
from guardrails.engines.python.registry import twin
from guardrails.engines.python.util import (
    Doc,
    Resource,
    finding,
    is_number,
)


def _floor(r: Resource) -> str:
    f = r["facts"]
    shown = f["monthly_usd_display"]
    if f.get("priced") and shown is not None:
        display = (f.get("price_assumption") or {}).get("display")
        assumed = f" ({display})" if isinstance(display, str) else ""
        return f"an idle floor of {shown['desired']}/month{assumed}"
    return "an idle floor whose cost is unknown (unpriced)"


@twin("GR-COST-008")
def inference_not_right_sized(resources: Resources, config: Doc) -> list[RawFinding]:
    out = []
    for r in resources.group("gpu"):
        f = r["facts"]
        if not isinstance(r.get("workload"), dict):
            continue
        if f.get("environment") != "prod" or f.get("workload_class") != "inference":
            continue
        found = f.get("autoscaling")
        scaling: Doc = found if isinstance(found, dict) else {}
        replicas = f.get("replicas")
        copies: Any = replicas.get("groups") if isinstance(replicas, dict) else None
        if not scaling.get("enabled") and is_number(copies) and copies > 1:
            out.append(
                finding(
                    r,
                    f"serves production GPU inference on a fixed "
                    f"{copies} replicas with no autoscaling: {_floor(r)} paid whether or not "
                    "traffic needs it",
                )
            )
        low: Any = scaling.get("min")
        high: Any = scaling.get("max")
        if (
            scaling.get("enabled")
            and is_number(low)
            and is_number(high)
            and low == high
            and low > 1
        ):
            out.append(
                finding(
                    r,
                    f"pins its GPU autoscaling at min = max = {low} "
                    f"replicas: {_floor(r)} that can never scale down",
                )
            )
    return out
