"""A test server that speaks OPA's REST API with the real OPA library evaluating behind it.

No OPA binary installs here (see ../shared/reference/engines.md), so this server stands in for
`opa run --server`: policies (PUT/GET/DELETE /v1/policies/{id}), data (PUT/PATCH/GET
/v1/data/{path}), queries (POST /v1/data/{path} with {"input": ...}), ad-hoc queries (POST
/v1/query with {"query": ..., "input": ...}, GET /v1/query?q=...), /health, and a bundle
loaded at start like `opa run --server --bundle bundle.tar.gz`.

Ad-hoc answers follow OPA's server: ``{"result": [bindings, ...]}`` with one object of variable
bindings per solution (wildcards left out), ``{}`` when the query is undefined, 400
``invalid_parameter`` when it does not parse or compile, 500 ``internal_error`` when evaluation
fails.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from opa_bindings import OpaEngine, OpaError, OpaUndefinedError

from guardrails.engines.bundle import read_bundle


class OpaState:
    """Policies and data as an OPA server holds them; the engine is rebuilt on change."""

    def __init__(self) -> None:
        self.policies: dict[str, str] = {}
        self.data: dict[str, Any] = {}
        self.lock = threading.Lock()
        self._engine: OpaEngine | None = None
        self.queries = 0
        #: The most resources one query's input held (how much of the input a query carried).
        self.most_resources = 0

    def load_bundle(self, path: Path) -> None:
        for name, content in read_bundle(path).items():
            if name.endswith(".rego"):
                self.policies[name] = content.decode()
            elif name == "data.json":
                self.data = json.loads(content)

    def engine(self) -> OpaEngine:
        if self._engine is None:
            engine = OpaEngine()
            for name, text in sorted(self.policies.items()):
                engine.add_policy(name, text)
            engine.add_data(self.data)
            self._engine = engine
        return self._engine

    def count(self, input_doc: Any) -> None:
        self.queries += 1
        resources = input_doc.get("resources") if isinstance(input_doc, dict) else None
        if isinstance(resources, list):
            self.most_resources = max(self.most_resources, len(resources))

    def put_policy(self, policy_id: str, text: str) -> None:
        probe = OpaEngine()
        probe.add_policy(policy_id, text)  # compile check, like OPA's 400 on a bad module
        self.policies[policy_id] = text
        self._engine = None

    def put_data(self, path: list[str], value: Any) -> None:
        if not path:
            self.data = value
        else:
            node = self.data
            for key in path[:-1]:
                node = node.setdefault(key, {})
            node[path[-1]] = value
        self._engine = None


def _handler(state: OpaState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # keep test output quiet
            return

        def _send(self, status: int, body: Any) -> None:
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def _body(self) -> bytes:
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def _path(self, prefix: str) -> list[str]:
            rest = self.path.split("?", 1)[0][len(prefix) :].strip("/")
            return [p for p in rest.split("/") if p]

        def do_GET(self) -> None:
            with state.lock:
                if self.path.startswith("/health"):
                    self._send(200, {})
                elif self.path.startswith("/v1/policies"):
                    ids = self._path("/v1/policies")
                    if ids:
                        text = state.policies.get("/".join(ids))
                        self._send(200 if text else 404, {"result": {"id": ids, "raw": text}})
                    else:
                        self._send(200, {"result": [{"id": k} for k in sorted(state.policies)]})
                elif self.path.startswith("/v1/data"):
                    self._query(self._path("/v1/data"), None)
                elif self._path("/v1") == ["query"]:
                    query = parse_qs(urlsplit(self.path).query).get("q", [None])[0]
                    self._ad_hoc({"query": query})
                else:
                    self._send(404, {"code": "not_found"})

        def do_PUT(self) -> None:
            with state.lock:
                if self.path.startswith("/v1/policies/"):
                    try:
                        state.put_policy(
                            "/".join(self._path("/v1/policies")), self._body().decode()
                        )
                    except OpaError as exc:
                        self._send(400, {"code": "invalid_parameter", "message": str(exc)})
                        return
                    self._send(200, {})
                elif self.path.startswith("/v1/data"):
                    state.put_data(self._path("/v1/data"), json.loads(self._body() or b"null"))
                    self.send_response(204)
                    self.end_headers()
                else:
                    self._send(404, {"code": "not_found"})

        def do_DELETE(self) -> None:
            with state.lock:
                state.policies.pop("/".join(self._path("/v1/policies")), None)
                state._engine = None
                self._send(200, {})

        def do_POST(self) -> None:
            with state.lock:
                try:
                    body = json.loads(self._body() or b"{}")
                except ValueError as exc:
                    self._send(400, {"code": "invalid_parameter", "message": str(exc)})
                    return
                if self._path("/v1") == ["query"]:
                    self._ad_hoc(body)
                elif self.path.startswith("/v1/data"):
                    self._query(self._path("/v1/data"), body.get("input"))
                else:
                    self._send(404, {"code": "not_found"})

        def _ad_hoc(self, body: Any) -> None:
            query = body.get("query") if isinstance(body, dict) else None
            if not isinstance(query, str) or not query.strip():
                self._send(400, {"code": "invalid_parameter", "message": "missing query"})
                return
            state.count(body.get("input"))
            try:
                rows = state.engine().eval_query(query, input=body.get("input"))
            except OpaUndefinedError:
                rows = []
            except OpaError as exc:
                # A query that does not parse or compile is the client's error, as in OPA.
                status, code = (
                    (400, "invalid_parameter")
                    if str(exc).startswith("prepare_error")
                    else (500, "internal_error")
                )
                self._send(status, {"code": code, "message": str(exc)})
                return
            self._send(200, {"result": rows} if rows else {})

        def _query(self, path: list[str], input_doc: Any) -> None:
            state.count(input_doc)
            try:
                result = state.engine().eval_document(".".join(path), input=input_doc)
            except OpaUndefinedError:
                self._send(200, {})
                return
            except OpaError as exc:
                self._send(500, {"code": "internal_error", "message": str(exc)})
                return
            self._send(200, {"result": result})

    return Handler


class OpaTestServer:
    """Runs the server on a free local port in a thread (a context manager)."""

    def __init__(self, bundle: Path | None = None) -> None:
        self.state = OpaState()
        if bundle is not None:
            self.state.load_bundle(bundle)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.state))
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> OpaTestServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
