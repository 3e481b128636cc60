"""``count`` and ``for_each``: the instances of a resource or module call, or why their number
is unknown before apply."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from guardrails.parsers.terraform_hcl.adapter.documents import expression_source
from guardrails.parsers.terraform_hcl.scope import Scope
from guardrails.parsers.terraform_hcl.unknown import Unknown
from guardrails.parsers.terraform_hcl.values import evaluate

#: (address suffix, ``each`` key and value, ``count.index``) of one instance.
Instance = tuple[str, tuple[Any, Any] | None, int | None]


def instances(
    body: Mapping[str, Any], scope: Scope, check: Callable[[int], None]
) -> tuple[list[Instance], str | None]:
    """(address suffix, each, count.index) of every instance, and why their number is
    unknown (then one unkeyed instance stands for all of them). ``check`` is called with the
    number of instances before they are listed (it raises past the resource limit)."""
    if "count" in body:
        count = evaluate(body["count"], scope)
        finite = isinstance(count, int) or (isinstance(count, float) and count.is_integer())
        if isinstance(count, bool) or not finite or count < 0:
            return [("", None, None)], _uncounted("count", body["count"], count)
        check(int(count))
        return [(f"[{i}]", None, i) for i in range(int(count))], None
    if "for_each" in body:
        each = evaluate(body["for_each"], scope)
        if isinstance(each, list) and all(isinstance(k, str) for k in each):
            pairs: list[tuple[Any, Any]] = [(k, k) for k in each]
        elif isinstance(each, dict) and not isinstance(each, Unknown):
            pairs = list(each.items())
        else:
            return [("", None, None)], _uncounted("for_each", body["for_each"], each)
        check(len(pairs))
        return [(f'["{k}"]', (k, v), None) for k, v in pairs], None
    return [("", None, None)], None


def _uncounted(meta: str, raw: Any, value: Any) -> str:
    """Why the number of instances is unknown, naming the expression and what to do."""
    text = " ".join(expression_source(raw).split())
    text = text if len(text) <= 120 else text[:117] + "..."
    references = sorted(value.references) if isinstance(value, Unknown) else []
    if isinstance(value, Unknown):
        cause = "cannot be evaluated before apply (it depends on "
        cause += (
            f"{', '.join(references[:3])})"
            if references
            else "a resource attribute, a data source or a variable without a value)"
        )
    else:
        cause = "is not " + ("a whole number" if meta == "count" else "a map or a set of strings")
    return (
        f"{meta} = {text} {cause}, so the number of instances is unknown: one resource stands "
        "for all of them and its cost is not counted; give the value literally or through "
        "variables (terraform.tfvars, --var-file), or scan the plan (`terraform show -json`)"
    )
