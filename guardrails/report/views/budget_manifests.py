"""``guardrails budgets compile`` output: YAML documents, each headed by the arithmetic of the
limits it sets (budget, share, priciest allowed type, prices' source and date)."""

from __future__ import annotations

from typing import Any

import yaml

from guardrails.enrich.budget_limits import Compiled, Plan
from guardrails.safe_text import one_line


def _document(plan: Plan, body: dict[str, Any]) -> str:
    lines = [f"# {one_line(c)}" for c in dict.fromkeys(plan.comments)]
    if plan.new:
        lines.insert(0, "# new object: no ResourceQuota in the scan caps this namespace's GPUs")
    text = yaml.safe_dump(body, sort_keys=False, allow_unicode=True, width=100)
    return "\n".join([*lines, text.rstrip("\n")])


def render_manifests(compiled: Compiled, patch: bool) -> str:
    """The compiled manifests: merge patches (``kubectl patch --type merge``; every other field
    of the scanned object stays) or whole objects."""
    docs = [_document(plan, plan.patch if patch else plan.whole) for plan in compiled.plans]
    return "---\n" + "\n---\n".join(docs) + "\n" if docs else ""
