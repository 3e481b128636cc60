"""What ``guardrails test`` runs on: its options and the engines it chooses."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from guardrails.engines.rego import BACKEND_ENV, BACKENDS, backend_available
from guardrails.engines.sandbox import UserPolicyLimits


@dataclass(frozen=True)
class EngineChoice:
    """One engine the harness runs tests on."""

    #: As reports name it: ``rego/opa-lib``, ``rego/regopy``, ``opa/remote``, ``python``, or
    #: ``default`` (what ``check`` picks: the twins for the bundled library, Rego for yours).
    name: str
    #: ``ScanOptions.engine`` for cases.
    scan_engine: str
    #: The embedded Rego library (``opa``, ``regopy``), ``remote``, or None (no unit tests).
    unit_backend: str | None
    rego_backend: str | None = None
    #: The Python twins: cases of bundled policies only.
    bundled_only: bool = False


@dataclass(frozen=True)
class TestOptions:
    """What ``guardrails test`` was asked to run."""

    __test__ = False  # not a pytest class

    #: Policy directories: policies, ``*_test.rego`` files and a ``cases/`` folder.
    dirs: tuple[Path, ...] = ()
    #: More cases directories (``<POLICY-ID>/allow_*|deny_*``) beside the ``cases/`` folders.
    case_dirs: tuple[Path, ...] = ()
    all_engines: bool = False
    opa_url: str | None = None
    limits: UserPolicyLimits = field(default_factory=UserPolicyLimits)
    root: Path | None = None


def default_backend() -> str | None:
    """The embedded Rego library ``check`` uses for user policies."""
    pinned = os.environ.get(BACKEND_ENV)
    if pinned:
        return pinned if pinned in BACKENDS else None
    return next((b for b in BACKENDS if backend_available(b)), None)


def engine_choices(options: TestOptions) -> list[EngineChoice]:
    """The engines to run on: what ``check`` uses by default, or every available one."""
    if not options.all_engines:
        return [EngineChoice("default", "auto", default_backend())]
    names = {"opa": "rego/opa-lib", "regopy": "rego/regopy"}
    choices = [EngineChoice("python", "python", None, bundled_only=True)]
    choices += [EngineChoice(names[b], "rego", b, b) for b in BACKENDS if backend_available(b)]
    if options.opa_url:
        choices.append(EngineChoice("opa/remote", "opa", "remote"))
    return choices
