"""Reading policy metadata from ``# METADATA`` comment blocks, the OPA ecosystem's convention."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from guardrails.bundled import bundled_policy_dir as bundled_policy_dir
from guardrails.catalog.index import read_index
from guardrails.errors import ConfigError
from guardrails.inputs.safe_io import read_text
from guardrails.lazy_regex import LazyPattern
from guardrails.model import Resource, Severity

_PACKAGE = LazyPattern(r"^package\s+([\w.]+)", re.M)
_ID = LazyPattern(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$")
_RULE = LazyPattern(r"^[A-Za-z_][A-Za-z0-9_]*$")
POLICY_PACKAGE_PREFIX = "guardrails.policy."

#: What a policy reads (``custom.input``), which decides how engines hand it the input:
#: ``resources`` — each finding comes from one resource (its attributes, facts and neighbours)
#: plus ``data``, so the resources can be evaluated in bounded batches; ``summary`` — only
#: ``input.summary``; ``graph`` (the default) — the whole document at once.
INPUT_SCOPES = ("resources", "summary", "graph")
#: How an aggregate rule of a ``resources`` policy is merged across batches (``custom.aggregates``):
#: ``set`` — the union; ``boolean`` — true when true for any batch, else false.
AGGREGATE_KINDS = ("set", "boolean")


#: Human titles of the policy categories, in the order reports list them.
CATEGORY_TITLES = {
    "cost": "GPU cost",
    "spot": "Spot capacity",
    "tagging": "Tagging",
    "security": "Security",
    "input": "Input coverage",
}


#: Terraform/Pulumi provider names → the family ``remediation_by`` keys name.
_PROVIDER_FAMILIES = {
    "azurerm": "azure",
    "azapi": "azure",
    "azuread": "azure",
    "azure": "azure",
    "azure-native": "azure",
    "google": "google",
    "google-beta": "google",
    "gcp": "google",
    "aws": "aws",
    "awscc": "aws",
    "kubernetes": "kubernetes",
    "helm": "kubernetes",
}
#: The families a ``remediation_by`` key may name besides a resource type.
PROVIDER_FAMILIES = ("aws", "azure", "google", "kubernetes")


def provider_family(resource: Resource) -> str:
    """``aws``, ``azure``, ``google``, ``kubernetes`` or the provider's own name."""
    if resource.is_kubernetes_object:
        return "kubernetes"
    return _PROVIDER_FAMILIES.get(resource.provider, resource.provider)


def category_title(category: str) -> str:
    return CATEGORY_TITLES.get(category, category.title())


def category_order(category: str) -> tuple[int, str]:
    """Sort key: the known categories in report order, then any others by name."""
    order = list(CATEGORY_TITLES)
    return (order.index(category) if category in order else len(order), category)


@dataclass(frozen=True)
class PolicyMeta:
    """One policy as its METADATA block describes it."""

    id: str
    title: str
    description: str
    severity: Severity
    category: str
    remediation: str
    package: str
    file: Path
    config_keys: tuple[str, ...] = ()
    bundled: bool = True
    #: ``custom.remediation_by``: advice for one resource type (``aws_s3_bucket``, ``Service``)
    #: or provider family (``aws``, ``azure``, ``google``, ``kubernetes``), as sorted pairs.
    remediation_by: tuple[tuple[str, str], ...] = ()
    #: What the policy reads: one of INPUT_SCOPES (see there).
    input_scope: str = "graph"
    #: Rules of a ``resources`` policy computed over all resources: (rule name, kind).
    aggregates: tuple[tuple[str, str], ...] = ()

    def remediation_for(self, resource: Resource | None) -> str:
        """The remediation that fits ``resource``: by its type, then its provider family, then
        the policy's default (never Azure advice on an AWS bucket)."""
        if resource is None or not self.remediation_by:
            return self.remediation
        advice = dict(self.remediation_by)
        for key in (resource.type, resource.native_type, provider_family(resource)):
            if key and key in advice:
                return advice[key]
        return self.remediation

    @property
    def rule_key(self) -> str:
        """The package path below ``guardrails.policy`` (``gr_tag_003``)."""
        return self.package.removeprefix(POLICY_PACKAGE_PREFIX)


@dataclass(frozen=True)
class Catalog:
    """Every policy by id, in id order."""

    policies: dict[str, PolicyMeta]

    def __iter__(self) -> Iterator[PolicyMeta]:
        return iter(self.policies[k] for k in sorted(self.policies))

    def __len__(self) -> int:
        return len(self.policies)

    def by_package(self) -> dict[str, PolicyMeta]:
        return {p.package: p for p in self.policies.values()}

    def rego_files(self) -> list[Path]:
        return sorted({p.file for p in self.policies.values()})


def parse_metadata(text: str, file: Path) -> list[tuple[dict[str, Any], str | None]]:
    """Every METADATA block in ``text`` with the package it annotates (None for rule scope)."""
    import yaml  # only for policies the bundled index does not describe (catalog.index)

    # libyaml's safe loader where PyYAML has it: ~10x the pure-Python one, the same documents.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    lines = text.splitlines()
    package_match = _PACKAGE.search(text)
    package = package_match.group(1) if package_match else None
    blocks: list[tuple[dict[str, Any], str | None]] = []
    i = 0
    while i < len(lines):
        if lines[i].strip() == "# METADATA":
            body: list[str] = []
            i += 1
            while i < len(lines) and lines[i].startswith("#"):
                body.append(lines[i][2:] if lines[i].startswith("# ") else lines[i][1:])
                i += 1
            try:
                meta = yaml.load("\n".join(body), Loader=loader) or {}
            except yaml.YAMLError as exc:
                raise ConfigError(f"{file}: METADATA block is not valid YAML: {exc}") from None
            if not isinstance(meta, dict):
                raise ConfigError(f"{file}: METADATA block must be a mapping")
            blocks.append((meta, package))
        else:
            i += 1
    return blocks


def _policy_from(
    meta: dict[str, Any], package: str | None, file: Path, bundled: bool
) -> PolicyMeta:
    custom = meta.get("custom") or {}
    pid = str(custom.get("id") or "")
    if not _ID.match(pid):
        raise ConfigError(
            f"{file}: METADATA custom.id {pid!r} is missing or not an id like GR-COST-001"
        )
    if not package or not package.startswith(POLICY_PACKAGE_PREFIX):
        raise ConfigError(
            f"{file}: policy {pid} must be in a package under {POLICY_PACKAGE_PREFIX}"
        )
    try:
        severity = Severity(str(custom.get("severity", "")).lower())
    except ValueError:
        raise ConfigError(f"{file}: policy {pid} has no valid custom.severity") from None
    config = custom.get("config") or []
    scope, aggregates = input_scope(custom, pid, file)
    return PolicyMeta(
        id=pid,
        title=str(meta.get("title") or pid),
        description=" ".join(str(meta.get("description") or "").split()),
        severity=severity,
        category=str(custom.get("category") or "custom"),
        remediation=" ".join(str(custom.get("remediation") or "").split()),
        package=package,
        file=file,
        config_keys=tuple(str(c) for c in config) if isinstance(config, list) else (),
        bundled=bundled,
        remediation_by=_remediation_by(custom.get("remediation_by"), pid, file),
        input_scope=scope,
        aggregates=aggregates,
    )


def _remediation_by(value: Any, pid: str, file: Path) -> tuple[tuple[str, str], ...]:
    """``custom.remediation_by`` as sorted (key, text) pairs; anything but a mapping of
    non-empty strings is a one-line error naming the policy."""
    if value is None:
        return ()
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and k.strip() and isinstance(v, str) and v.strip()
        for k, v in value.items()
    ):
        raise ConfigError(
            f"{file}: policy {pid} custom.remediation_by must map a resource type or provider"
            " (aws, azure, google, kubernetes) to remediation text"
        )
    return tuple(sorted((k.strip(), " ".join(v.split())) for k, v in value.items()))


def input_scope(
    custom: dict[str, Any], pid: str, file: Path | str
) -> tuple[str, tuple[tuple[str, str], ...]]:
    """``custom.input`` and ``custom.aggregates``, checked: a wrong scope gives wrong findings.
    ``file`` names where the declaration was read (a policy file, or a bundle on a server)."""
    scope = custom.get("input", "graph")
    if scope not in INPUT_SCOPES:
        raise ConfigError(
            f"{file}: policy {pid} has custom.input {scope!r}; use one of {', '.join(INPUT_SCOPES)}"
        )
    raw = custom.get("aggregates") or {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{file}: policy {pid}: custom.aggregates must map rule names to kinds")
    if raw and scope != "resources":
        raise ConfigError(f"{file}: policy {pid}: custom.aggregates needs custom.input: resources")
    for rule, kind in raw.items():
        if not isinstance(rule, str) or not _RULE.match(rule) or rule == "deny":
            raise ConfigError(f"{file}: policy {pid}: aggregate {rule!r} is not a rule name")
        if kind not in AGGREGATE_KINDS:
            raise ConfigError(
                f"{file}: policy {pid}: aggregate {rule} has kind {kind!r}; "
                f"use one of {', '.join(AGGREGATE_KINDS)}"
            )
    return str(scope), tuple(sorted((str(r), str(k)) for r, k in raw.items()))


def _policy_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*.rego") if not p.name.endswith("_test.rego"))


def load_catalog(extra_dirs: Iterable[Path] = ()) -> Catalog:
    """The bundled catalog plus policies from ``extra_dirs`` (``--policy-dir``)."""
    policies = dict(_bundled().policies)
    for directory in extra_dirs:
        if not directory.is_dir():
            raise ConfigError(f"{directory}: policy directory does not exist")
        for policy in _read_dir(directory, bundled=False):
            if policy.id in policies:
                raise ConfigError(f"{policy.file}: policy id {policy.id} is already defined")
            policies[policy.id] = policy
    return Catalog(policies)


@cache
def _bundled() -> Catalog:
    policies: dict[str, PolicyMeta] = {}
    directory = bundled_policy_dir()
    texts = policy_texts(directory)
    found = read_index(directory, texts)
    for policy in found if found is not None else policies_in(texts, bundled=True):
        if policy.id in policies:
            raise ConfigError(f"{policy.file}: duplicate policy id {policy.id}")
        policies[policy.id] = policy
    return Catalog(policies)


#: A Rego module is a page of code; anything this large is not one.
MAX_POLICY_BYTES = 8 * 1024 * 1024


def _read_dir(directory: Path, bundled: bool) -> list[PolicyMeta]:
    return policies_in(policy_texts(directory), bundled)


def policy_texts(directory: Path) -> list[tuple[Path, str]]:
    """Every policy file under ``directory`` (tests excluded) with its text, in path order."""
    # A user policy directory is as untrusted as any input: the same guarded reader.
    return [(f, read_text(str(f), MAX_POLICY_BYTES)) for f in _policy_files(directory)]


def policies_in(texts: Iterable[tuple[Path, str]], bundled: bool) -> list[PolicyMeta]:
    """The policies the METADATA blocks of ``texts`` describe."""
    found: list[PolicyMeta] = []
    for file, text in texts:
        before = len(found)
        for meta, package in parse_metadata(text, file):
            if isinstance(meta.get("custom"), dict) and "id" in meta["custom"]:
                found.append(_policy_from(meta, package, file, bundled))
        package_match = _PACKAGE.search(text)
        if (
            len(found) == before
            and package_match
            and package_match.group(1).startswith(POLICY_PACKAGE_PREFIX)
        ):
            # A policy package nobody can see in the catalog would never report: say so.
            raise ConfigError(
                f"{file}: package {package_match.group(1)} has no METADATA block with custom.id"
            )
    return found
