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
from guardrails.engines.base import RawFinding, error_line
from guardrails.engines.builtins import check_sources
from guardrails.engines.findings import CHANGE
from guardrails.engines.rego import collect, policy_data, policy_sources, user_sources
from guardrails.engines.sandbox import UserPolicyLimits
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

    Both modes send the input in bounded batches (:mod:`guardrails.engines.scoped`) through
    OPA's ad-hoc query API, so the server's working set is bounded by a batch, not the input,
    and a preloaded server (bundle mode) needs nothing uploaded: merged aggregates are injected
    in the query itself. In bundle mode a catalog policy the server does not hold (an older
    bundle) is reported as an ``unknown`` finding, never a silent pass.
    """

    name = "opa/remote"

    def __init__(
        self, url: str, *, upload: bool = True, limits: UserPolicyLimits | None = None
    ) -> None:
        self.url = url
        self.upload = upload
        self.limits = limits or UserPolicyLimits()
        self.client = _client(url)
        try:
            self.client.check_connection()
        except Exception as exc:  # opa-python-client wraps requests errors in its own types
            raise OpaUnavailable(unreachable_reason(exc)) from None

    def evaluate(
        self, input_doc: dict[str, Any], config: dict[str, Any], catalog: Catalog
    ) -> dict[str, list[RawFinding]]:
        policy_plans = scoped.plans(catalog)
        missing: list[scoped.PolicyPlan] = []
        sources = policy_sources(catalog) if self.upload else []
        # The server's own capabilities apply too; this refuses what a pull request could
        # upload to run there (a request from the OPA server's network).
        check_sources(user_sources(sources), self.limits.allow_network)
        try:
            if self.upload:
                for name, text in sources:
                    self.client.update_policy_from_string(text, _policy_id(name), rego_compat=False)
                self.client.update_or_create_data(policy_data(config)["guardrails"], "guardrails")
            else:
                policy_plans, missing = self._on_server(policy_plans, input_doc.get("version"))
            session = _AdHocSession(self, policy_plans)
            denies = scoped.evaluate_scoped(session, input_doc, policy_plans)
        except EngineError:
            raise
        except Exception as exc:
            raise EngineError(f"OPA server {self.url}: {_describe(exc)}") from None
        found = collect({key: {"deny": value} for key, value in denies.items()}, catalog)
        packages = catalog.by_package()
        for plan in missing:
            policy = packages[f"{scoped.POLICY_PREFIX}.{plan.key}"]
            found[policy.id] = [self._not_on_server(policy.package)]
        return found

    def _on_server(
        self, policy_plans: Sequence[scoped.PolicyPlan], version: Any
    ) -> tuple[list[scoped.PolicyPlan], list[scoped.PolicyPlan]]:
        """(plans to evaluate, catalog policies the server lacks), asked once per run on an
        input without resources (a package that exists is defined even when its rules are not).

        The plans are what the server's bundle declares its policies read
        (``data.guardrails.scopes``): its policies may be another version than the local
        catalog's. A policy it declares nothing for gets the whole document in one query."""
        held = ", ".join(
            f"{json.dumps(p.key)}: [1 | data.{scoped.POLICY_PREFIX}.{p.key}]" for p in policy_plans
        )
        query = f'probe := {{"held": {{{held}}}, "scopes": [s | s := data.guardrails.scopes]}}'
        probe = {"version": version, "resources": [], "summary": {}}
        answer = scoped.bound(_result(self.client.ad_hoc_query(query, probe)), "probe")
        if answer is None or not isinstance(answer.get("held"), dict):
            raise EngineError(f"OPA server {self.url}: no answer to the policy probe")
        found = {key for key, value in answer["held"].items() if value}
        scopes = answer.get("scopes")
        declared = (
            scoped.declared(scopes[0], "data.guardrails.scopes")
            if isinstance(scopes, list) and scopes
            else {}
        )
        plans = [declared.get(p.key, scoped.PolicyPlan(p.key, "graph")) for p in policy_plans]
        return [p for p in plans if p.key in found], [p for p in policy_plans if p.key not in found]

    def _not_on_server(self, package: str) -> RawFinding:
        return {
            "resource": CHANGE,
            "outcome": "unknown",
            "unknown_reason": "not on the OPA server",
            "message": (
                f"not evaluated: the OPA server {self.url} holds no package {package} (a bundle "
                "older than this guardrails, or built without this policy); rebuild and publish "
                "it with `guardrails bundle build`"
            ),
        }


class _AdHocSession:
    """One POST /v1/query per batch: the gather query of :mod:`guardrails.engines.scoped`, with
    merged aggregates injected in the query (nothing generated lives on the server)."""

    def __init__(self, engine: OpaRemoteEngine, policy_plans: Sequence[scoped.PolicyPlan]) -> None:
        self.engine = engine
        self.policy_plans = policy_plans

    def values(self, batch: scoped.Batch, refs: Sequence[str]) -> dict[str, Any]:
        query = scoped.gather_query(refs, inline=self.policy_plans)
        response = self.engine.client.ad_hoc_query(query, batch.doc)
        value = scoped.gathered(_result(response))
        if value is None:  # never a silent pass: the query always binds
            raise EngineError(f"OPA server {self.engine.url}: no answer to a batch query")
        return value


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


def _result(response: Any) -> Any:
    """The ``result`` of an ad-hoc query's answer (absent when the query is undefined)."""
    return response.get("result") if isinstance(response, dict) else None


def server_message(exc: BaseException) -> str | None:
    """OPA's own ``message`` from the JSON body of a failed call's response, if it sent one."""
    response = getattr(exc, "response", None)
    try:
        body = response.json() if response is not None else None
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return str(body["message"])
    return None


def _describe(exc: BaseException) -> str:
    """One line about a failed call, with OPA's own message when the server sent one."""
    text = str(exc)
    message = server_message(exc)
    if message is not None:
        text = f"{text}: {message}"
    return error_line(text) or type(exc).__name__
