"""ScanOptions: everything a front door can choose about a scan."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from guardrails.engines.sandbox import DEFAULT_TIMEOUT_S
from guardrails.parsers.base import ParseOptions


@dataclass(frozen=True)
class ScanOptions:
    """Everything a front door can choose about a scan."""

    #: How inputs are read (source root, size and resource limits, stdin name, var files);
    #: the scan adds the confinement to the repository root.
    parse: ParseOptions = field(default_factory=ParseOptions)
    #: Repository root paths are reported relative to (None: git top level of the first path).
    root: Path | None = None
    #: Explicit config file; None: search upward from the first path for .guardrails.yaml.
    config_path: Path | None = None
    #: Use the defaults only, never search for a config file.
    no_config: bool = False
    #: With ``config_path``: refuse (ConfigError) any other, different .guardrails.yaml that
    #: the search would find for an input (the Action's pinned ``config``).
    pin_config: bool = False
    environment: str | None = None
    #: Findings on unchanged resources are informational; None: the config's ``changed_only``.
    changed_only: bool | None = None
    engine: str = "auto"
    #: The embedded Rego library of ``rego`` (and of ``auto`` for user policies): ``opa`` or
    #: ``regopy``; None: GUARDRAILS_REGO_BACKEND, else the OPA library when installed.
    rego_backend: str | None = None
    opa_url: str | None = None
    opa_upload: bool = True
    opa_fallback: bool = True
    policy_dirs: tuple[Path, ...] = ()
    #: Let policies the project does not ship call http.send and the other network builtins
    #: (``--allow-network-builtins``; never from a config file, which a pull request can edit).
    allow_network_builtins: bool = False
    #: Wall-clock seconds and resident MB one evaluation of those policies may take
    #: (None: MEMORY_FLOOR_MB plus a multiple of the input size).
    policy_timeout_s: float = DEFAULT_TIMEOUT_S
    policy_memory_mb: int | None = None
    #: Today's date for waiver expiry (injected by tests); None: the real date.
    today: date | None = None
    progress: Callable[[str], None] | None = field(default=None, compare=False)
    #: Told what a scan does next ("enriching 100,000 resources"): a long scan's progress.
    on_stage: Callable[[str], None] | None = field(default=None, compare=False)
    #: Accept a scan that finds no supported input (otherwise an error: a mistyped path in CI
    #: must not pass).
    allow_empty: bool = False
    #: The verdict. ``fail_on``: the severity that fails the run (None: the config's, else
    #: high); ``unknown``: ignore, warn or fail (None: the config's, else warn).
    fail_on: str | None = None
    unknown: str | None = None
    #: Report only findings this baseline file does not record (and the waivers the change
    #: adds or extends).
    baseline: Path | None = None
    #: The same paths at the base commit (``--base``): the ledger's base. Without them the
    #: base is the baseline, else the plans' prior state.
    base_paths: tuple[str, ...] = ()
    #: Fail only on findings new or escalated against the base (``--fail-on-new``).
    fail_on_new: bool = False
    #: Build the ledger (new/fixed/unchanged/escalated) even without --base or --fail-on-new.
    ledger: bool = False
