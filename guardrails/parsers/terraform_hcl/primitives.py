"""Operations on evaluated values: indexing, arithmetic, comparisons and conversions to
string and number the way Terraform does them; anything Terraform would refuse is unknown."""

from __future__ import annotations

import math
from typing import Any

from guardrails.parsers.terraform_hcl.unknown import UNKNOWN, Unknown, unknown_of


def index(value: Any, steps: list[Any]) -> Any:
    """``value`` followed through ``steps`` (map keys, list positions); unknown when a step
    is missing or unknown."""
    for step in steps:
        if isinstance(value, Unknown) or isinstance(step, Unknown):
            return unknown_of(value, step)
        if isinstance(value, dict):
            key = to_string(step) if isinstance(step, str | int | float | bool) else None
            if key is None or key not in value:
                return UNKNOWN
            value = value[key]
        elif isinstance(value, list) and isinstance(step, int | str):
            try:
                value = value[int(step)]
            except (ValueError, IndexError):
                return UNKNOWN
        else:
            return UNKNOWN
    return value


def is_number(value: Any) -> bool:
    """True for an int or float that is not a bool."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def to_string(value: Any) -> str:
    """A primitive as Terraform renders it in a string (``true``, ``2`` for 2.0)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def finite(value: Any) -> Any:
    """JSON has no infinity or NaN: such a number is unknown, not a crash later."""
    if isinstance(value, float) and not math.isfinite(value):
        return UNKNOWN
    return value


def binary(operator: str, left: Any, right: Any) -> Any:
    """``left operator right`` for known operands."""
    try:
        return finite(_arithmetic(operator, left, right))
    except OverflowError:
        return UNKNOWN


def _arithmetic(operator: str, left: Any, right: Any) -> Any:
    if operator in ("==", "!="):
        equal = left == right
        return equal if operator == "==" else not equal
    if operator in ("&&", "||") and isinstance(left, bool) and isinstance(right, bool):
        return (left and right) if operator == "&&" else (left or right)
    left, right = number(left), number(right)
    if left is None or right is None:
        return UNKNOWN
    if operator == "+":
        return left + right
    if operator == "-":
        return left - right
    if operator == "*":
        return left * right
    if operator == "/":
        return left / right if right else UNKNOWN
    if operator == "%":
        return left % right if right else UNKNOWN
    comparisons = {"<": left < right, ">": left > right, "<=": left <= right, ">=": left >= right}
    return comparisons.get(operator, UNKNOWN)


def number(value: Any) -> int | float | None:
    """``value`` as a number (a numeric string converts), None when it is not one."""
    if is_number(value):
        return value  # type: ignore[no-any-return]
    if isinstance(value, str):
        try:
            converted = float(value)
        except ValueError:
            return None
        return int(converted) if converted.is_integer() else converted
    return None
