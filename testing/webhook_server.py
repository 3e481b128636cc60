"""The webhook server in a subprocess on a free loopback port, ready to answer.

Shared by the load benchmark and the webhook tests so both start and stop it the same way.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

READY_TIMEOUT_S = 60.0


class ServerStartError(RuntimeError):
    """The server exited or did not answer /readyz in time; the message ends with its log."""


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def is_ready(port: int, context: ssl.SSLContext) -> bool:
    """Whether the server on `port` answers GET /readyz with 200."""
    try:
        connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=5)
        try:
            connection.request("GET", "/readyz")
            return connection.getresponse().status == 200
        finally:
            connection.close()
    except OSError:
        return False


@contextmanager
def webhook_process(
    certs: Path, log: Path, *args: str
) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    """`guardrails webhook serve` with the certificates in `certs`, logging to `log`.

    Yields the port and the process once /readyz answers; stops the process on exit.
    """
    port = free_port()
    command = [
        sys.executable, "-m", "guardrails", "webhook", "serve",
        "--cert", str(certs / "tls.crt"), "--key", str(certs / "tls.key"),
        "--host", "127.0.0.1", "--port", str(port), *args,
    ]  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_ready(port, ssl.create_default_context(cafile=str(certs / "ca.crt")), process, log)
        yield port, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_ready(
    port: int, context: ssl.SSLContext, process: subprocess.Popen[bytes], log: Path
) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerStartError(f"the webhook server exited: {_tail(log)}")
        if is_ready(port, context):
            return
        time.sleep(0.1)
    raise ServerStartError(f"the webhook server was not ready in 60 s: {_tail(log)}")


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-2000:]
