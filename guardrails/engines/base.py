"""What every policy engine provides, and the raw finding shape they all return."""

from __future__ import annotations

from typing import Any, Protocol

from guardrails.catalog import Catalog

#: A finding as a policy returns it: ``resource`` (id or "change"), ``message``,
#: optional ``outcome`` ("unknown") and ``attribute`` (the path known only after apply).
RawFinding = dict[str, Any]


class Engine(Protocol):
    """Evaluates the catalog's policies on one input document."""

    name: str

    def evaluate(
        self, input_doc: dict[str, Any], config: dict[str, Any], catalog: Catalog
    ) -> dict[str, list[RawFinding]]:
        """Raw findings keyed by policy id, for every policy of ``catalog`` it can run."""
        ...
