"""The configuration a scan uses: --config, else the nearest .guardrails.yaml, else built-ins."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from guardrails.api.options import ScanOptions
from guardrails.config import MAX_CONFIG_BYTES, Config, find_config, load_config, root_config
from guardrails.config_relax import relaxations
from guardrails.errors import ConfigError, GuardrailsError
from guardrails.inputs.safe_io import read_text
from guardrails.report.paths import scan_root


def resolve_config(paths: list[str], options: ScanOptions) -> Config:
    """The configuration a scan uses: --config, else the nearest .guardrails.yaml between the
    first path and the repository root, else the defaults; a config found below the root
    carries what it relaxes relative to the root's config (the built-in defaults if none)."""
    root = scan_root(paths, options.root)
    inputs = [Path(p) for p in paths if p != "-"] or [Path.cwd()]
    if options.no_config:
        path = None
    elif options.config_path is not None:
        if not options.config_path.exists():
            raise ConfigError(f"{options.config_path}: config file does not exist")
        # Anything else that is not a regular file (a FIFO, /dev/zero) is refused when read.
        path = options.config_path
        if options.pin_config:
            refuse_other_configs(inputs, root, path)
    else:
        path = find_config(inputs[0], root)
    config = load_config(path)
    # A config the search found below the root is measured against the root's; one the caller
    # named (--config, the Action's pinned one) is the caller's choice, like a flag.
    reference = root_config(root)
    searched = options.config_path is None
    if searched and path is not None and (reference is None or not _same_file(path, reference)):
        base = load_config(reference)
        config = replace(
            config, compared_to=reference, relaxations=relaxations(config.values, base.values)
        )
    if options.environment:
        config.values["default_environment"] = options.environment
    if options.changed_only is not None:
        config.values["changed_only"] = options.changed_only
    return config


def refuse_other_configs(inputs: list[Path], root: Path, pinned: Path) -> None:
    """A pinned config is the only one: a different .guardrails.yaml that the search would use
    for an input (a pull request's own, next to its files) is an error naming it."""
    wanted = _content(pinned)
    for start in inputs:
        found = find_config(start, root)
        if found is None or _same_file(found, pinned) or _content(found) == wanted:
            continue
        raise ConfigError(
            f"{found}: a config that differs from the pinned {pinned} would apply to {start}; "
            "only the pinned config is used (remove this file or make it identical)"
        )


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _content(path: Path) -> str | None:
    try:
        return read_text(str(path), MAX_CONFIG_BYTES)
    except GuardrailsError:
        return None
