"""Python twins of the security policies (policies/security), one module per topic."""

from guardrails.engines.python.security import (  # noqa: F401  (importing registers the twins)
    exposure,
    network,
    quotas,
    storage,
    workloads,
)
