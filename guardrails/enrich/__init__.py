"""Enrichment: facts derived from the bundled GPU catalog."""

from __future__ import annotations

from dataclasses import dataclass

from guardrails.model import Graph


@dataclass(frozen=True)
class EnrichOptions:
    """Defaults enrichment falls back on."""

    default_environment: str | None = None
    default_gpu_hourly_usd: float = 1.01


def enrich(graph: Graph, options: EnrichOptions) -> Graph:
    """Return ``graph`` with facts on every resource and change-level cost in its summary."""
    return graph
