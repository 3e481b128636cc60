"""A real webhook server in a subprocess on loopback, and an HTTPS client that verifies it."""

from __future__ import annotations

import http.client
import json
import socket
import ssl
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from guardrails.webhook.certs import write_certificates
from testing.webhook_server import webhook_process


def make_certs(directory: Path) -> Path:
    write_certificates(directory, "guardrails-webhook", "guardrails", ips=["127.0.0.1"])
    return directory


@dataclass
class Server:
    port: int
    certs: Path
    log: Path
    process: subprocess.Popen[bytes]

    def context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.certs / "ca.crt"))

    def connect(self) -> http.client.HTTPSConnection:
        return http.client.HTTPSConnection(
            "127.0.0.1", self.port, context=self.context(), timeout=30
        )

    def request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
        connection = self.connect()
        try:
            headers = {"Content-Type": "application/json"} if body is not None else {}
            connection.request(method, path, body=body, headers=headers)
            answer = connection.getresponse()
            return answer.status, answer.read()
        finally:
            connection.close()

    def post(self, review: dict[str, Any], path: str = "/validate") -> dict[str, Any]:
        status, body = self.request("POST", path, json.dumps(review).encode())
        assert status == 200, body
        answer: dict[str, Any] = json.loads(body)["response"]
        return answer

    def log_lines(self) -> list[dict[str, Any]]:
        return [
            json.loads(line) for line in self.log.read_text().splitlines() if line.startswith("{")
        ]

    def peer_certificate(self) -> bytes:
        with (
            socket.create_connection(("127.0.0.1", self.port), timeout=10) as raw,
            self.context().wrap_socket(raw, server_hostname="127.0.0.1") as tls,
        ):
            der = tls.getpeercert(binary_form=True)
        assert der is not None
        return der


@contextmanager
def running_server(certs: Path, log: Path, *args: str) -> Iterator[Server]:
    with webhook_process(certs, log, "--engine", "python", "--cert-check-every", "0.2", *args) as (
        port,
        process,
    ):
        yield Server(port, certs, log, process)
