"""Bounds on what evaluating untrusted HCL expressions may build (no guardrails imports).

Each list and string an expression builds is capped (MAX_ITEMS), but caps multiply:
``[for a in range(10000) : [for b in range(10000) : b]]`` builds 10^8 values; a local that
repeats another by reference, ten times over a few lines, stands for 10^9 values that
``flatten``, ``jsonencode`` or the report would expand; ``format("%0999999999d", 1)`` or
``replace(s, "", s)`` make gigabytes from a few bytes. A scan gets a budget of work (``for``
iterations), and a value over MAX_VALUE (counted through every reference) is unknown.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

#: Largest list or string an expression may build (``range(1e9)`` must not exhaust memory).
MAX_ITEMS = 10_000
#: ``for`` iterations one scan of HCL may run (real configurations use a few thousand).
MAX_WORK = 1_000_000
#: Largest value (list items + map entries + string characters, counted through every
#: reference) an expression may build, or a function read or return.
MAX_VALUE = 1_000_000


class Budget:
    """What one scan may still spend, and the sizes of the values it has measured."""

    def __init__(self) -> None:
        self.work = MAX_WORK
        #: id -> (the value, kept alive so its id is not reused; its size, capped).
        self._sizes: dict[int, tuple[Any, int]] = {}

    def spend(self) -> bool:
        """Take one ``for`` iteration; False when the scan's budget is spent."""
        self.work -= 1
        return self.work >= 0

    def too_large(self, value: Any) -> bool:
        """True when ``value`` counts more than MAX_VALUE units through every reference."""
        try:
            return self._size(value) > MAX_VALUE
        except RecursionError:
            return True

    def _size(self, value: Any) -> int:
        if isinstance(value, str):
            return len(value) + 1
        if not isinstance(value, Mapping | list):
            return 1
        known = self._sizes.get(id(value))
        if known is not None and known[0] is value:
            return known[1]
        total = len(value) + 1
        for item in value.values() if isinstance(value, Mapping) else value:
            total += self._size(item)
            if total > MAX_VALUE:
                break
        self._sizes[id(value)] = (value, total)
        return total


_budget: ContextVar[Budget | None] = ContextVar("hcl_budget", default=None)


@contextmanager
def work_budget() -> Iterator[None]:
    """One shared budget for every expression evaluated inside."""
    token = _budget.set(Budget())
    try:
        yield
    finally:
        _budget.reset(token)


def current_budget() -> Budget:
    """The scan's budget, or a fresh one for an expression evaluated on its own."""
    return _budget.get() or Budget()


def amplified(name: str, args: list[Any]) -> bool:
    """True when calling function ``name`` on ``args`` would build a value over MAX_VALUE
    from small arguments (the functions whose output can outgrow their input)."""
    if name == "replace" and len(args) == 3 and all(isinstance(a, str) for a in args):
        text, old, new = args
        hits = len(text) + 1 if old == "" else text.count(old)
        return len(text) + hits * len(new) > MAX_VALUE
    if name == "join" and len(args) == 2 and isinstance(args[0], str):
        items = args[1] if isinstance(args[1], list) else []
        return len(args[0]) * len(items) > MAX_VALUE
    return False
