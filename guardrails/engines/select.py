"""Choosing an engine: --engine auto|rego|opa|python.

``auto`` runs the fastest engine proven identical for the policy set at hand
(benchmarks/results/latest.md): the Python twins for the bundled policies (every twin is proven
against real OPA on every fixture, corpus file and random graph), and an in-process Rego engine
for user Rego policies only (no twin exists for them).
"""

from __future__ import annotations

import os

from guardrails.catalog import Catalog
from guardrails.engines.base import Engine
from guardrails.engines.python import PythonEngine
from guardrails.engines.rego import BACKENDS, RegoEngine, backend_available
from guardrails.engines.sandbox import UserPolicyLimits
from guardrails.errors import EngineError

ENGINE_NAMES = ("auto", "rego", "opa", "python")
OPA_URL_ENV = "GUARDRAILS_OPA_URL"


def rego_available() -> bool:
    """Whether an in-process Rego engine can be imported here."""
    return any(backend_available(b) for b in BACKENDS)


def needs_rego(catalog: Catalog | None) -> bool:
    """Whether ``catalog`` holds a policy only a Rego engine can run (a user policy)."""
    return catalog is not None and any(not p.bundled for p in catalog)


def select_engine(
    name: str,
    *,
    opa_url: str | None = None,
    allow_fallback: bool = True,
    upload: bool = True,
    catalog: Catalog | None = None,
    limits: UserPolicyLimits | None = None,
    backend: str | None = None,
) -> tuple[Engine, list[str]]:
    """The engine to run and any warnings about how it was chosen; ``limits`` bound what
    policies the project does not ship may do; ``backend`` pins the embedded Rego library."""
    if name not in ENGINE_NAMES:
        raise EngineError(f"unknown engine {name!r}; choose one of {', '.join(ENGINE_NAMES)}")
    if name == "python":
        return PythonEngine(), []
    if name == "rego":
        return RegoEngine(backend, limits=limits), []
    if name == "opa":
        from guardrails.engines.opa_remote import OpaRemoteEngine, OpaUnavailable

        url = opa_url or os.environ.get(OPA_URL_ENV)
        if not url:
            raise EngineError(f"--engine opa needs --opa-url or {OPA_URL_ENV}")
        try:
            return OpaRemoteEngine(url, upload=upload, limits=limits), []
        except OpaUnavailable as exc:
            if not allow_fallback:
                raise EngineError(
                    f"OPA server {url} is unreachable ({exc}); start it, fix --opa-url, or "
                    "leave out --no-opa-fallback to evaluate offline"
                ) from None
            fallback, _ = select_engine("auto", catalog=catalog, limits=limits, backend=backend)
            return fallback, [
                f"OPA server {url} is unreachable ({exc}); evaluated offline with the "
                f"{fallback.name} engine instead"
            ]
    if needs_rego(catalog) and rego_available():
        from guardrails.engines.split import TwinsAndRegoEngine

        return TwinsAndRegoEngine(RegoEngine(backend, limits=limits)), []
    return PythonEngine(), []
