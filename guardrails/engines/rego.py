"""In-process Rego v1: the real OPA library (opa-golib-python-bindings) where it is importable,
else regopy (Microsoft rego-cpp). Both load the same files and data and answer one query."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import threading
from pathlib import Path
from typing import Any

from guardrails.bundled import bundled_policy_dir, gpu_catalog_path, shared_data_documents
from guardrails.catalog import Catalog
from guardrails.catalog.metadata import MAX_POLICY_BYTES
from guardrails.engines import scoped
from guardrails.engines.base import RawFinding
from guardrails.engines.builtins import check_sources
from guardrails.engines.embedded import OpaSession, evaluate_on, opa_engine
from guardrails.engines.projection import projected, resource_paths
from guardrails.engines.reach import reached
from guardrails.engines.sandbox import UserPolicyLimits, evaluate_isolated
from guardrails.errors import EngineError
from guardrails.inputs.safe_io import read_text

QUERY_PATH = "guardrails.policy"
BACKENDS = ("opa", "regopy")
#: Pins the in-process backend (``opa`` or ``regopy``); default: the OPA library when installed.
BACKEND_ENV = "GUARDRAILS_REGO_BACKEND"


def backend_available(backend: str) -> bool:
    """Whether the Python package behind ``backend`` is importable here."""
    module = {"opa": "opa_bindings", "regopy": "regopy"}[backend]
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def policy_sources(catalog: Catalog) -> list[tuple[str, str]]:
    """(module name, text) of every .rego file the catalog needs: policies plus their libraries."""
    directories = {bundled_policy_dir()} | {p.file.parent for p in catalog if not p.bundled}
    files: set[Path] = set(catalog.rego_files())
    for directory in directories:
        files.update(directory.rglob("*.rego"))
    sources = []
    for file in sorted(f for f in files if not f.name.endswith("_test.rego")):
        sources.append((str(file), read_text(str(file), MAX_POLICY_BYTES)))
    return sources


def policy_data(config: dict[str, Any]) -> dict[str, Any]:
    """The ``data`` document: configuration, the GPU catalog and the constants the policies
    share with their Python twins (``policies/data``, see :data:`guardrails.bundled.SHARED_DATA`).
    Every Rego engine loads this one document: the OPA library, regopy, a remote OPA server
    (uploaded, or in the bundle ``guardrails bundle`` builds)."""
    catalog = json.loads(gpu_catalog_path().read_text(encoding="utf-8"))
    return {"guardrails": {"config": config, "catalog": catalog, **shared_data_documents()}}


def collect(result: Any, catalog: Catalog) -> dict[str, list[RawFinding]]:
    """Findings per policy id from the value of ``data.guardrails.policy``."""
    packages = catalog.by_package()
    found: dict[str, list[RawFinding]] = {p.id: [] for p in catalog}
    for key, document in (result or {}).items():
        policy = packages.get(f"{QUERY_PATH}.{key}")
        if policy is None or not isinstance(document, dict):
            continue
        deny = document.get("deny", [])
        found[policy.id] = (
            [f for f in deny if isinstance(f, dict)] if isinstance(deny, list) else []
        )
    return found


#: How to install each in-process backend (the OPA library's wheel declares Python < 3.11,
#: though it runs on 3.11+, hence --ignore-requires-python; docs/engines.md).
INSTALL = {
    "opa": "pip install --ignore-requires-python 'opa-golib-python-bindings==0.4.4'",
    "regopy": "pip install regopy",
}


def _not_installed(backend: str | None) -> str:
    if backend is None:
        return (
            "no embedded Rego engine is installed: install the OPA library "
            f"(`{INSTALL['opa']}`) or regopy (`{INSTALL['regopy']}`), or use --engine python"
        )
    package = {"opa": "opa-golib-python-bindings (module opa_bindings)", "regopy": "regopy"}
    hint = f"{BACKEND_ENV}={backend}: " if os.environ.get(BACKEND_ENV) == backend else ""
    return (
        f"{hint}the {backend} backend needs {package[backend]}, not installed: `{INSTALL[backend]}`"
    )


#: The name reports give each in-process backend.
BACKEND_NAMES = {"opa": "rego/opa-lib", "regopy": "rego/regopy"}


class RegoEngine:
    """Evaluates the catalog's policies on an embedded Rego engine, on bounded batches of
    resources where their METADATA allows (see :mod:`guardrails.engines.scoped`).

    The bundled policies are evaluated in this process. Policies the project does not ship
    (``--policy-dir``, which a pull request can add) are checked for builtins that reach out
    (:mod:`guardrails.engines.builtins`) and evaluated apart, in a child process bounded in
    time and memory (:mod:`guardrails.engines.sandbox`): they never share a compiled engine
    with the bundled policies, so they cannot change what those find either.
    """

    def __init__(self, backend: str | None = None, limits: UserPolicyLimits | None = None) -> None:
        if backend is None:
            backend = os.environ.get(BACKEND_ENV) or None
            if backend is not None and backend not in BACKENDS:
                raise EngineError(f"{BACKEND_ENV}={backend}: choose one of {', '.join(BACKENDS)}")
        if backend is None:
            backend = next((b for b in BACKENDS if backend_available(b)), None)
        if backend is None or not backend_available(backend):
            raise EngineError(_not_installed(backend))
        self.backend = backend
        self.limits = limits or UserPolicyLimits()
        #: What reports say ran: ``rego/opa-lib`` or ``rego/regopy``.
        self.name = BACKEND_NAMES[backend]
        self._local = threading.local()  # one interpreter per thread (regopy is not shareable)

    def evaluate(
        self, input_doc: dict[str, Any], config: dict[str, Any], catalog: Catalog
    ) -> dict[str, list[RawFinding]]:
        data = policy_data(config)
        bundled = Catalog({k: p for k, p in catalog.policies.items() if p.bundled})
        user = Catalog({k: p for k, p in catalog.policies.items() if not p.bundled})
        result: dict[str, Any] = {}
        if len(user):
            result.update(self._evaluate_user(user, input_doc, data))
        if len(bundled):
            policy_plans = scoped.plans(bundled)
            sources = policy_sources(bundled) + scoped.wrapper_modules(policy_plans)
            if self.backend == "opa":
                session = self._opa_session(sources, data)
                denies = scoped.evaluate_scoped(session, input_doc, policy_plans)
                result.update({key: {"deny": value} for key, value in denies.items()})
            else:
                labels = {p.rule_key: f"{p.file}: {p.id}" for p in bundled}
                result.update(evaluate_on("regopy", sources, data, input_doc, policy_plans, labels))
        return collect(result, catalog)

    def _evaluate_user(
        self, user: Catalog, input_doc: dict[str, Any], data: dict[str, Any]
    ) -> dict[str, Any]:
        """The user policies' ``{package key: {"deny": value}}``, from a bounded child."""
        policy_plans = scoped.plans(user)
        everything = policy_sources(user)
        own = user_sources(everything)
        check_sources(own, self.limits.allow_network, self.backend)
        # Compile only the bundled modules they reach (lib/util, ...): not the whole library.
        sources = reached(own, [s for s in everything if s not in own])
        sources += scoped.wrapper_modules(policy_plans)
        labels = {p.rule_key: f"{p.file}: {p.id}" for p in user}
        files = sorted({str(p.file) for p in user})
        return evaluate_isolated(
            self.backend,
            sources,
            data,
            projected(input_doc, resource_paths(sources)),
            policy_plans,
            labels,
            self.limits,
            files,
        )

    def _opa_session(self, sources: list[tuple[str, str]], data: dict[str, Any]) -> OpaSession:
        key = hashlib.sha256(json.dumps([sources, data], sort_keys=True).encode()).hexdigest()
        cache: dict[str, Any] = getattr(self._local, "engines", {})
        engine = cache.get(key)
        if engine is None:
            engine = opa_engine(sources, data)
            for old in cache.values():
                old.close()  # release the Go heap of a previous policy set now, not at exit
            self._local.engines = {key: engine}  # keep one compiled engine per thread
        return OpaSession(engine)


def user_sources(sources: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The sources that are not files of the bundled library."""
    bundled = bundled_policy_dir().resolve()
    return [
        (name, text) for name, text in sources if not Path(name).resolve().is_relative_to(bundled)
    ]
