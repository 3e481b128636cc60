"""The registry that ties each policy id to its Python twin."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from guardrails.engines.base import RawFinding
from guardrails.engines.python.index import Resources

#: A twin: the input document's resources (grouped once per evaluation, with the document
#: itself as ``.doc``) and the resolved configuration in, raw findings out.
PolicyFunction = Callable[[Resources, dict[str, Any]], list[RawFinding]]

TWINS: dict[str, PolicyFunction] = {}


def twin(policy_id: str) -> Callable[[PolicyFunction], PolicyFunction]:
    """Register the decorated function as the Python implementation of ``policy_id``."""

    def register(function: PolicyFunction) -> PolicyFunction:
        if policy_id in TWINS:
            raise ValueError(f"two Python implementations of {policy_id}")
        TWINS[policy_id] = function
        return function

    return register
