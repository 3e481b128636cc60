"""The pure-Python evaluator: one function per bundled policy, no native dependency."""

from __future__ import annotations

from typing import Any, cast

from guardrails.catalog import Catalog
from guardrails.engines.base import RawFinding

# Importing the category modules registers their policies in TWINS.
# One module (or package) per policies/<category>/ folder, named for it.
from guardrails.engines.python import (  # noqa: F401
    cost,
    input,
    security,
    spot,
    tagging,
)
from guardrails.engines.python.index import Resources
from guardrails.engines.python.registry import TWINS
from guardrails.errors import EngineError
from guardrails.model.contract import InputDocument


class PythonEngine:
    """Runs the Python twin of every bundled policy."""

    name = "python"

    def evaluate(
        self, input_doc: dict[str, Any], config: dict[str, Any], catalog: Catalog
    ) -> dict[str, list[RawFinding]]:
        # Graph.to_input builds the document; tests/model/test_contract.py pins its shape.
        resources = Resources(cast(InputDocument, input_doc))
        results: dict[str, list[RawFinding]] = {}
        for policy in catalog:
            function = TWINS.get(policy.id)
            if function is None:
                if policy.bundled:
                    raise EngineError(f"bundled policy {policy.id} has no Python implementation")
                continue  # user Rego policies need a Rego engine; api warns about them
            results[policy.id] = function(resources, config)
        return results


__all__ = ["TWINS", "PythonEngine"]
