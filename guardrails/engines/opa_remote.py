"""A remote OPA server through opa-python-client: upload the library or query a loaded bundle."""

from __future__ import annotations

import hashlib
import re
import socket
import ssl
from typing import Any
from urllib.parse import urlsplit

from guardrails.catalog import Catalog
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
    """Evaluates on an OPA server; ``upload`` puts the policies and data there first."""

    name = "opa/remote"

    def __init__(self, url: str, *, upload: bool = True) -> None:
        self.url = url
        self.upload = upload
        self.client = _client(url)
        try:
            self.client.check_connection()
        except Exception as exc:  # opa-python-client wraps requests errors in its own types
            raise OpaUnavailable(unreachable_reason(exc)) from None

    def evaluate(
        self, input_doc: dict[str, Any], config: dict[str, Any], catalog: Catalog
    ) -> dict[str, list[RawFinding]]:
        try:
            if self.upload:
                for name, text in policy_sources(catalog):
                    self.client.update_policy_from_string(text, _policy_id(name), rego_compat=False)
                self.client.update_or_create_data(policy_data(config)["guardrails"], "guardrails")
            response = self.client.query_rule(input_doc, QUERY_PATH)
        except Exception as exc:
            raise EngineError(f"OPA server {self.url}: {_one_line(exc)}") from None
        return collect(response.get("result", {}) if isinstance(response, dict) else {}, catalog)


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
