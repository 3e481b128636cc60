"""The environment a resource belongs to: label, else namespace, else the configured default."""

from __future__ import annotations

import re
from collections.abc import Mapping

from guardrails.enrich.tags import DEFAULT_TAG_ALIASES, alias_table, canonical_tags
from guardrails.model import Resource

ENVIRONMENTS = ("dev", "staging", "prod")
_ALIASES = {
    "prod": "prod",
    "production": "prod",
    "prd": "prod",
    "live": "prod",
    "staging": "staging",
    "stage": "staging",
    "stg": "staging",
    "preprod": "staging",
    "pre-prod": "staging",
    "qa": "staging",
    "uat": "staging",
    "dev": "dev",
    "development": "dev",
    "develop": "dev",
    "sandbox": "dev",
    "test": "dev",
    "testing": "dev",
}


def normalize_environment(value: str | None) -> str | None:
    """``Production`` → ``prod``; None when the value names no known environment."""
    if not value:
        return None
    return _ALIASES.get(value.strip().lower())


def namespace_environment(namespace: str) -> str | None:
    """The environment a namespace's name holds (``prod``, ``ml-staging``), else None."""
    whole = normalize_environment(namespace)
    if whole:
        return whole
    found = {normalize_environment(token) for token in re.split(r"[-_.]", namespace)}
    found.discard(None)
    return found.pop() if len(found) == 1 else None


def environment_of(
    resource: Resource, default: str | None, tags: Mapping[str, str] | None = None
) -> tuple[str, str]:
    """(environment, where it came from: label | namespace | default | none).

    ``tags`` are the resource's canonical tags (enrich.tags): the ``environment`` key in any
    case or under a configured alias (``env``, ``stage`` by default), the rule the tagging
    policies use too.
    """
    if tags is None:
        tags, _ = canonical_tags(resource.labels, alias_table(DEFAULT_TAG_ALIASES))
    env = normalize_environment(tags.get("environment"))
    if env:
        return env, "label"
    if resource.namespace:
        env = namespace_environment(resource.namespace)
        if env:
            return env, "namespace"
    env = normalize_environment(default)
    if env:
        return env, "default"
    return "unknown", "none"
