"""A remote OPA server through opa-python-client: upload the library or query a loaded bundle."""

from __future__ import annotations

import hashlib
import json
import re
import socket
import ssl
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from guardrails.catalog import Catalog
from guardrails.engines import scoped
from guardrails.engines.base import RawFinding
from guardrails.engines.rego import QUERY_PATH, collect, policy_data, policy_sources
from guardrails.errors import EngineError


class OpaUnavailable(Exception):
    """The server cannot be reached (the caller may fall back to an offline engine)."""


def _client(url: str) -> Any:
    from opa_client import OpaClient

    parts = urlsplit(url if "://" in url else f"http://{url}")
    if not parts.hostname:
        raise EngineError(f"invalid OPA URL {url!r}")
    port = parts.port or (443 if parts.scheme == "https" else 8181)
    return OpaClient(host=parts.hostname, port=port, ssl=parts.scheme == "https", timeout=10)


def _policy_id(name: str) -> str:
    """A stable OPA policy id per file (the REST API identifies modules by id)."""
    stem = re.sub(r"[^A-Za-z0-9_]+", "_", name.rsplit("/", 1)[-1].removesuffix(".rego"))
    return f"guardrails_{stem}_{hashlib.sha256(name.encode()).hexdigest()[:8]}"


class OpaRemoteEngine:
    """Evaluates on an OPA server; ``upload`` puts the policies and data there first.

    With ``upload`` the input goes in bounded batches (:mod:`guardrails.engines.scoped`), so
    the server's working set is bounded too; a preloaded server gets the whole document in one
    query (its bundle holds no batch wrappers).
    """

    name = "opa/remote"

    def __init__(self, url: str, *, upload: bool = True) -> None:
        self.url = url
        self.upload = upload
        self.client = _client(url)
        self._gathers: set[str] = set()  # generated query packages already on the server
        try:
            self.client.check_connection()
        except Exception as exc:  # opa-python-client wraps requests errors in its own types
            raise OpaUnavailable(unreachable_reason(exc)) from None

    def evaluate(
        self, input_doc: dict[str, Any], config: dict[str, Any], catalog: Catalog
    ) -> dict[str, list[RawFinding]]:
        try:
            if not self.upload:
                response = self.client.query_rule(input_doc, QUERY_PATH)
                result = response.get("result", {}) if isinstance(response, dict) else {}
                return collect(result, catalog)
            policy_plans = scoped.plans(catalog)
            self._gathers.clear()  # upload them again with the policies, each run
            for name, text in policy_sources(catalog) + scoped.wrapper_modules(policy_plans):
                self._put(name, text)
            self.client.update_or_create_data(policy_data(config)["guardrails"], "guardrails")
            denies = scoped.evaluate_scoped(self, input_doc, policy_plans)
        except EngineError:
            raise
        except Exception as exc:
            raise EngineError(f"OPA server {self.url}: {_one_line(exc)}") from None
        return collect({key: {"deny": value} for key, value in denies.items()}, catalog)

    def _put(self, name: str, text: str) -> None:
        self.client.update_policy_from_string(text, _policy_id(name), rego_compat=False)

    def values(self, batch: scoped.Batch, refs: Sequence[str]) -> dict[str, Any]:
        """One POST per batch: a generated rule gathers the values of ``refs`` (uploaded once)."""
        name = "q_" + hashlib.sha256("\n".join(refs).encode()).hexdigest()[:16]
        package = f"{scoped.WRAPPER_PREFIX}.query.{name}"
        if package not in self._gathers:
            fields = ", ".join(f"{json.dumps(ref)}: [v | v := data.{ref}]" for ref in refs)
            text = f"package {package}\n\nimport rego.v1\n\nvalues := {{{fields}}}\n"
            self._put(f"<generated>/{package}.rego", text)
            self._gathers.add(package)
        response = self.client.query_rule(batch.doc, package, "values")
        value = response.get("result") if isinstance(response, dict) else None
        if not isinstance(value, dict):  # never a silent pass: the rule is always defined
            raise EngineError(f"OPA server {self.url}: no answer from {package} (was it removed?)")
        return {ref: found[0] for ref, found in value.items() if isinstance(found, list) and found}


def unreachable_reason(exc: BaseException) -> str:
    """Why a server could not be reached, in words (the client raises a tuple of phrases)."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ConnectionRefusedError):
            return "connection refused"
        if isinstance(seen, socket.gaierror):
            return "unknown host"
        if isinstance(seen, TimeoutError | socket.timeout):
            return "no answer within 10 s"
        if isinstance(seen, ssl.SSLError):
            return "TLS handshake failed"
        seen = seen.__cause__ or seen.__context__
    text = " ".join(str(exc).lower().split())
    if "refused" in text:
        return "connection refused"
    if "timed out" in text or "timeout" in text:
        return "no answer within 10 s"
    return "no OPA server answered"


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300] or type(exc).__name__
