"""The environment a resource belongs to: label, else namespace, else the configured default.

One rule for every reader: the value of the ``environment`` tag is the environment when it is
``dev``, ``staging`` or ``prod`` (any case) or one of that environment's aliases
(``environment_aliases`` in ``.guardrails.yaml``, by default ``development`` → dev,
``production`` → prod, ...). The cost ceilings, the allowed GPU models and GR-TAG-002 all go
by the same answer, so a value is an environment everywhere or invalid everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, MutableMapping, Sequence

from guardrails.enrich.tags import DEFAULT_TAG_ALIASES, alias_table, canonical_tags
from guardrails.model import Resource

ENVIRONMENTS = ("dev", "staging", "prod")
#: Values that count as an environment unless the configuration says otherwise.
DEFAULT_ENVIRONMENT_ALIASES: dict[str, list[str]] = {
    "prod": ["production", "prd", "live"],
    "staging": ["stage", "stg", "preprod", "pre-prod", "qa", "uat"],
    "dev": ["development", "develop", "sandbox", "test", "testing"],
}

EnvironmentAliases = Mapping[str, Sequence[str]]


def environment_table(aliases: EnvironmentAliases | None = None) -> dict[str, str]:
    """lower-case value → environment: each environment itself and its configured aliases."""
    table = {env: env for env in ENVIRONMENTS}
    for env, names in (DEFAULT_ENVIRONMENT_ALIASES if aliases is None else aliases).items():
        if env in ENVIRONMENTS:
            for name in names:
                table.setdefault(name.strip().lower(), env)
    return table


_DEFAULT_TABLE = environment_table()


def normalize_environment(value: str | None, table: Mapping[str, str] | None = None) -> str | None:
    """``Production`` → ``prod``; None when the value names no environment (``table``: from
    :func:`environment_table`, the defaults when None)."""
    if not value:
        return None
    return (_DEFAULT_TABLE if table is None else table).get(value.strip().lower())


def namespace_environment(namespace: str, table: Mapping[str, str] | None = None) -> str | None:
    """The environment a namespace's name holds (``prod``, ``ml-staging``), else None."""
    whole = normalize_environment(namespace, table)
    if whole:
        return whole
    found = {normalize_environment(token, table) for token in re.split(r"[-_.]", namespace)}
    found.discard(None)
    return found.pop() if len(found) == 1 else None


def environment_of(
    resource: Resource,
    default: str | None,
    tags: Mapping[str, str] | None = None,
    table: Mapping[str, str] | None = None,
    namespaces: MutableMapping[str, str | None] | None = None,
) -> tuple[str, str]:
    """(environment, where it came from: label | namespace | default | none).

    ``tags`` are the resource's canonical tags (enrich.tags): the ``environment`` key in any
    case or under a configured alias (``env``, ``stage`` by default), the rule the tagging
    policies use too. ``table``: the environment values (:func:`environment_table`).
    ``namespaces``: remembers each namespace's answer across calls with the same ``table``.
    """
    table = _DEFAULT_TABLE if table is None else table
    if tags is None:
        tags, _ = canonical_tags(resource.labels, alias_table(DEFAULT_TAG_ALIASES))
    env = normalize_environment(tags.get("environment"), table)
    if env:
        return env, "label"
    namespace = resource.namespace
    if namespace:
        if namespaces is None:
            env = namespace_environment(namespace, table)
        elif namespace in namespaces:
            env = namespaces[namespace]
        else:
            env = namespaces[namespace] = namespace_environment(namespace, table)
        if env:
            return env, "namespace"
    env = normalize_environment(default, table)
    if env:
        return env, "default"
    return "unknown", "none"
