"""The bundled library on its Python twins, user Rego policies on a Rego engine, in one run."""

from __future__ import annotations

from typing import Any

from guardrails.catalog import Catalog
from guardrails.engines.base import RawFinding
from guardrails.engines.python import PythonEngine
from guardrails.engines.rego import RegoEngine


class TwinsAndRegoEngine:
    """What ``auto`` runs when user policies are loaded.

    Every bundled policy has a Python twin proven identical to real OPA, and the twins are 5-30x
    faster end to end; user policies have no twin, so only they go to Rego. OPA evaluates
    lazily and regopy per entry point, so the Rego side costs what the user policies cost.
    """

    def __init__(self, rego: RegoEngine) -> None:
        self.python = PythonEngine()
        self.rego = rego
        #: Both backends, as reports name them: ``python+rego/opa-lib``.
        self.name = f"{self.python.name}+{rego.name}"

    def evaluate(
        self, input_doc: dict[str, Any], config: dict[str, Any], catalog: Catalog
    ) -> dict[str, list[RawFinding]]:
        bundled = Catalog({k: p for k, p in catalog.policies.items() if p.bundled})
        user = Catalog({k: p for k, p in catalog.policies.items() if not p.bundled})
        results = self.python.evaluate(input_doc, config, bundled)
        if len(user):
            results.update(self.rego.evaluate(input_doc, config, user))
        return results
