"""The policy catalog, read from the OPA ``# METADATA`` blocks of the .rego files."""

from guardrails.catalog.metadata import (
    CATEGORY_TITLES,
    Catalog,
    PolicyMeta,
    bundled_policy_dir,
    category_order,
    category_title,
    input_scope,
    load_catalog,
    parse_metadata,
)

__all__ = [
    "CATEGORY_TITLES",
    "Catalog",
    "PolicyMeta",
    "bundled_policy_dir",
    "category_order",
    "category_title",
    "input_scope",
    "load_catalog",
    "parse_metadata",
]
