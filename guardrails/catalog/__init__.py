"""The policy catalog, read from the OPA ``# METADATA`` blocks of the .rego files."""

from guardrails.catalog.metadata import (
    Catalog,
    PolicyMeta,
    bundled_policy_dir,
    load_catalog,
    parse_metadata,
)

__all__ = ["Catalog", "PolicyMeta", "bundled_policy_dir", "load_catalog", "parse_metadata"]
