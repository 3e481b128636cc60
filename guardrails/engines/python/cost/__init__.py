"""Python twins of the cost policies (policies/cost), one module per concern."""

from guardrails.engines.python.cost import (  # noqa: F401  (importing registers the twins)
    budgets,
    ceilings,
    idle,
    rightsizing,
    scale,
)
