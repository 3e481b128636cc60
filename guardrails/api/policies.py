"""What evaluation loads once: the policy catalog, checked against the config, and the engine."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

from guardrails.api.options import ScanOptions
from guardrails.catalog import Catalog, load_catalog
from guardrails.config import Config
from guardrails.engines.base import Engine
from guardrails.engines.builtins import check_sources
from guardrails.engines.rego import policy_sources, user_sources
from guardrails.engines.sandbox import UserPolicyLimits
from guardrails.engines.select import select_engine
from guardrails.errors import ConfigError
from guardrails.lazy_regex import LazyPattern
from guardrails.report.paths import scan_root


@dataclass(frozen=True)
class PreparedPolicies:
    """What evaluation loads once: the configuration, the policy catalog and the engine."""

    config: Config
    catalog: Catalog
    engine: Engine
    warnings: tuple[str, ...] = ()
    #: The root reported paths are relative to.
    root: Path = field(default_factory=Path.cwd)


_ID_SHAPE = LazyPattern(r"[A-Za-z]{1,8}-[A-Za-z]{1,12}-\d{1,5}")


def check_policy_ids(config: Config, catalog: Catalog) -> None:
    """Every policy id the configuration names must exist: a typo would silently disable
    nothing, override nothing or waive nothing. The error names the closest real id."""
    origin = str(config.path) if config.path else "config"
    named: list[tuple[str, str]] = [
        *(("disabled_policies", str(p)) for p in config["disabled_policies"] or ()),
        *(("severity_overrides", str(p)) for p in config["severity_overrides"] or {}),
        *(
            (f"waivers[{i}].policy", str(w.get("policy")))
            for i, w in enumerate(config["waivers"] or ())
            if isinstance(w, dict) and w.get("policy") != "*"
        ),
    ]
    known = sorted(catalog.policies)
    for key, policy_id in named:
        if policy_id in catalog.policies:
            continue
        close = difflib.get_close_matches(policy_id.upper(), known, n=1, cutoff=0.5)
        hint = (
            f"; did you mean {close[0]}?"
            if close
            else f" ({len(known)} policies: see `guardrails policies`)"
        )
        # Only an id-shaped value is echoed: a config may be a planted file holding a secret.
        named_id = policy_id if _ID_SHAPE.fullmatch(policy_id) else "a value"
        raise ConfigError(f"{origin}: {key} names {named_id}, which is not a policy{hint}")


def prepare_policies(config: Config, options: ScanOptions) -> PreparedPolicies:
    """Load the catalog and select the engine once, for one scan or a long-running server."""
    catalog: Catalog = load_catalog(options.policy_dirs)
    check_policy_ids(config, catalog)
    engine, warnings = select_engine(
        options.engine,
        opa_url=options.opa_url,
        allow_fallback=options.opa_fallback,
        upload=options.opa_upload,
        catalog=catalog,
        backend=options.rego_backend,
        limits=UserPolicyLimits(
            allow_network=options.allow_network_builtins,
            timeout_s=options.policy_timeout_s,
            memory_mb=options.policy_memory_mb,
        ),
    )
    user = Catalog({k: p for k, p in catalog.policies.items() if not p.bundled})
    preloaded = engine.name == "opa/remote" and not options.opa_upload
    if len(user) and engine.name != "python" and not preloaded:  # refused at start (webhook)
        backend = "regopy" if engine.name.endswith("rego/regopy") else None
        check_sources(user_sources(policy_sources(user)), options.allow_network_builtins, backend)
    if engine.name == "python" and any(not p.bundled for p in catalog):
        warnings = [
            *warnings,
            "user Rego policies need a Rego engine; the python engine skipped them",
        ]
    root = options.root or scan_root([])
    return PreparedPolicies(config, catalog, engine, tuple(warnings), root)
