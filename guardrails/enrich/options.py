"""What enrichment falls back on, from the configuration."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from guardrails.enrich.environment import DEFAULT_ENVIRONMENT_ALIASES, EnvironmentAliases
from guardrails.enrich.tags import DEFAULT_TAG_ALIASES


@dataclass(frozen=True)
class EnrichOptions:
    """Defaults enrichment falls back on (from the configuration)."""

    default_environment: str | None = None
    default_gpu_hourly_usd: float = 1.01
    #: The ``budgets:`` config (dimension → value → monthly USD) pools are built for.
    budgets: Mapping[str, Any] = field(default_factory=dict)
    #: The environment an operator assigned (the webhook's namespace mapping): wins over labels.
    assigned_environment: str | None = None
    #: ``tag_aliases``: canonical tag key → other keys that count as it (enrich.tags).
    tag_aliases: Mapping[str, Sequence[str]] = field(
        default_factory=lambda: dict(DEFAULT_TAG_ALIASES)
    )
    #: ``environment_aliases``: environment → values that count as it (enrich.environment).
    environment_aliases: EnvironmentAliases = field(
        default_factory=lambda: dict(DEFAULT_ENVIRONMENT_ALIASES)
    )
