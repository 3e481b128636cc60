"""``.guardrails.yaml``: found upward from the first path (never above the repository root),
validated, merged over the defaults."""

from __future__ import annotations

import json
import os
from copy import deepcopy
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from guardrails.enrich.environment import DEFAULT_ENVIRONMENT_ALIASES
from guardrails.enrich.tags import alias_conflicts
from guardrails.errors import ConfigError, InputError
from guardrails.inputs.loader import yaml_node_budget
from guardrails.inputs.safe_io import read_text
from guardrails.patterns import PatternError, full_match

CONFIG_NAMES = (".guardrails.yaml", ".guardrails.yml")
#: A config is a page of settings and waivers; anything this large is not one.
MAX_CONFIG_BYTES = 8 * 1024 * 1024

DEFAULTS: dict[str, Any] = {
    "default_environment": None,
    "required_tags": ["owner", "team", "cost-center", "environment"],
    "allowed_tag_values": {"environment": ["dev", "staging", "prod"]},
    "tag_patterns": {},
    "tag_aliases": {"environment": ["env", "stage"]},
    "environment_aliases": {k: list(v) for k, v in DEFAULT_ENVIRONMENT_ALIASES.items()},
    "allowed_workloads": ["training", "inference", "batch", "notebook", "dev"],
    "cost_ceilings": {"dev": 5000, "staging": 20000, "prod": 100000, "unknown": 10000},
    "delta_ceiling": 25000,
    "allowed_gpu_models": {
        "dev": ["T4", "L4", "A10G"],
        "staging": ["T4", "L4", "A10G", "A100"],
        "prod": ["*"],
        "unknown": ["*"],
    },
    "max_gpu_nodes": 16,
    "max_idle_shutdown_minutes": 1440,
    "default_gpu_hourly_usd": 1.01,
    "disabled_policies": [],
    "severity_overrides": {},
    "unknown": "warn",
    "fail_on": "high",
    "changed_only": False,
    "waivers": [],
    "waiver_max_days": 180,
    "budgets": {},
    "attribution_tags": ["team", ["model", "project"]],
    "attribution_scope": "gpu",
    "webhook": {
        "exempt_namespaces": ["kube-system"],
        "namespace_environments": {},
        "object_waiver_namespaces": [],
        "trusted_controllers": ["system:serviceaccount:kube-system:*"],
    },
}


@dataclass(frozen=True)
class Config:
    """The effective configuration and where it came from (None: defaults only)."""

    values: dict[str, Any] = field(default_factory=lambda: deepcopy(DEFAULTS))
    path: Path | None = None
    #: The config ``relaxations`` are measured against (None: the built-in defaults).
    compared_to: Path | None = None
    #: What this config lets through that ``compared_to`` does not (see config_relax).
    relaxations: tuple[str, ...] = ()

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def for_policies(self) -> dict[str, Any]:
        """The document policies see as ``data.guardrails.config``."""
        return {k: v for k, v in self.values.items() if k not in ("waivers", "webhook")}


@cache
def _schema() -> dict[str, Any]:
    text = files("guardrails").joinpath("schemas/config.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def find_config(start: Path, root: Path | None = None) -> Path | None:
    """The nearest .guardrails.yaml in ``start`` (or its directory) and its parents up to
    ``root`` (the repository root): a config above it (a self-hosted runner's work directory)
    is not the repository's. A ``start`` outside ``root`` finds only its own directory's.

    A symlink loop or a directory that cannot be searched is a ConfigError: silently using
    the defaults could drop the rules a repository's config sets. A candidate that is not a
    regular file (a FIFO, a device) is refused when it is read.
    """
    try:
        here = start.resolve()
        if not here.is_dir():
            here = here.parent
    except (OSError, RuntimeError) as exc:  # RuntimeError: symlink loop (Python < 3.13)
        raise ConfigError(f"{start}: cannot look for {CONFIG_NAMES[0]}: {_why(exc)}") from None
    for directory in _search_path(here, root):
        for name in CONFIG_NAMES:
            candidate = directory / name
            try:
                os.stat(candidate)
            except (FileNotFoundError, NotADirectoryError):
                continue
            except OSError as exc:
                raise ConfigError(
                    f"{candidate}: cannot look for {CONFIG_NAMES[0]}: {_why(exc)}"
                ) from None
            return candidate
    return None


def _search_path(here: Path, root: Path | None) -> tuple[Path, ...]:
    if root is None:
        return (here, *here.parents)
    if here != root and root not in here.parents:
        return (here,)
    return (here, *here.parents[: len(here.parents) - len(root.parents)])


def root_config(root: Path) -> Path | None:
    """The config at the repository root itself (the platform team's), if there is one."""
    for name in CONFIG_NAMES:
        candidate = root / name
        if os.path.lexists(candidate):
            return candidate
    return None


def _why(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return "symlink loop" if isinstance(exc, RuntimeError) else str(exc)


def load_config(path: Path | None) -> Config:
    """Read, validate and merge ``path`` over the defaults (defaults only when None)."""
    if path is None:
        return Config()
    from guardrails.inputs.safe_yaml import load_yaml  # PyYAML only when there is a config file

    try:
        text = read_text(str(path), MAX_CONFIG_BYTES)
        documents = load_yaml(str(path), text, yaml_node_budget(text)).documents
    except InputError as exc:
        what = (
            "config is not valid YAML"
            if exc.problem.startswith("malformed")
            else ("cannot read config")
        )
        raise ConfigError(f"{path}: {what}: {exc.problem}") from None
    if len(documents) > 1:
        raise ConfigError(f"{path}: config must be one YAML document, found {len(documents)}")
    raw = documents[0] if documents else {}
    return Config(validate_config(raw, str(path)), path)


def schema_problem(error: Any) -> str:
    """What the schema wants, in its own terms: jsonschema's message quotes the value found,
    and a config may be a planted file whose values must never reach an error line."""
    kind, wanted = error.validator, error.validator_value
    if kind == "type":
        types = wanted if isinstance(wanted, list) else [wanted]
        return "must be " + " or ".join(_A.get(str(t), str(t)) for t in types)
    if kind == "enum":
        return "must be one of " + ", ".join(str(v) for v in wanted)
    if kind in _BOUNDS:
        return f"must be {_BOUNDS[kind]} {wanted}"
    if kind == "format":
        return f"must be a {wanted}"
    if kind == "pattern":
        return f"must match {wanted}"
    if kind in ("required", "additionalProperties"):
        return str(error.message)[:200]  # names keys (the schema's or the file's), no values
    return f"does not satisfy the schema's {kind}"


_A = {
    "array": "a list",
    "object": "a mapping",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "null": "null",
}
_BOUNDS = {
    "minimum": "at least",
    "maximum": "at most",
    "exclusiveMinimum": "more than",
    "exclusiveMaximum": "less than",
    "minItems": "a list of at least",
    "maxItems": "a list of at most",
    "minLength": "a string of at least",
    "maxLength": "a string of at most",
}


def validate_config(raw: Any, origin: str) -> dict[str, Any]:
    """Validate ``raw`` against the config schema and return it merged over the defaults."""
    # YAML turns unquoted dates into date objects; the schema (and waivers) want ISO strings.
    raw = json.loads(json.dumps(raw, default=str))
    import jsonschema  # ~60 ms, only when there is a config to validate

    validator = jsonschema.Draft202012Validator(
        _schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    errors = sorted(validator.iter_errors(raw), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        where = ".".join(str(p) for p in first.absolute_path) or "(top level)"
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise ConfigError(f"{origin}: invalid config at {where}: {schema_problem(first)}{more}")
    for key, pattern in (raw.get("tag_patterns") or {}).items():
        try:  # as OPA reads it (RE2): a Python-only pattern must not pass on one engine only
            full_match(pattern, "")
        except PatternError as exc:
            raise ConfigError(f"{origin}: invalid config at tag_patterns.{key}: {exc}") from None
    values = deepcopy(DEFAULTS)
    problems = alias_conflicts({**DEFAULTS["tag_aliases"], **(raw.get("tag_aliases") or {})})
    if problems:
        raise ConfigError(f"{origin}: invalid config at tag_aliases: {problems[0]}")
    for key, value in raw.items():
        if isinstance(value, dict) and isinstance(values.get(key), dict) and key != "tag_patterns":
            values[key] = {**values[key], **value}
        else:
            values[key] = value
    return values
