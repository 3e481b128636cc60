"""Hostile clients for the webhook load benchmark: idle TLS connections and large objects.

Both run in a process of their own (as other pods would; in the benchmark's process they
would compete with its client for the GIL) while ``webhook_load.run_phase`` measures ordinary
reviews; :class:`Attack` starts and stops them:

- :class:`IdleConnections` holds N TLS connections that never send a complete request (half
  send nothing after the handshake, half trickle one header byte a second), reconnecting
  each one the server closes, as a slowloris client does. They come from other loopback
  addresses (127.0.1.x, 16 connections each) than the measured client, as pods other than the
  API server would.
- :class:`LargeObjects` keeps K clients posting a ~3 MB AdmissionReview (a pod with 24,000
  containers) back to back (after a 429, once its Retry-After second has passed) and counts
  how each was answered.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import multiprocessing
import selectors
import socket
import ssl
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

#: Connections per source address: the server's default --max-idle-per-client.
PER_ADDRESS = 16


class IdleConnections:
    """``count`` idle TLS connections to ``port``, re-opened whenever the server closes one."""

    def __init__(self, port: int, context: ssl.SSLContext, count: int) -> None:
        self.port, self.context, self.count = port, context, count
        self.opened = 0
        self.failed = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._held: list[int] = []

    def __enter__(self) -> IdleConnections:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def held_mean(self) -> float:
        return round(sum(self._held) / len(self._held), 1) if self._held else 0.0

    def summary(self) -> dict[str, Any]:
        return {
            "idle_connections": self.count,
            "idle_opened": self.opened,
            "idle_held_mean": self.held_mean,
            "idle_connect_failures": self.failed,
        }

    def _connect(self, index: int) -> ssl.SSLSocket | None:
        source = f"127.0.1.{1 + index // PER_ADDRESS}"
        try:
            raw = socket.create_connection(
                ("127.0.0.1", self.port), timeout=5, source_address=(source, 0)
            )
            tls = self.context.wrap_socket(raw, server_hostname="127.0.0.1")
        except OSError:
            self.failed += 1
            return None
        self.opened += 1
        if index % 2:
            tls.sendall(b"POST /validate HTTP/1.1\r\n")
        tls.setblocking(False)
        return tls

    def _run(self) -> None:
        selector = selectors.DefaultSelector()
        sockets: dict[int, ssl.SSLSocket | None] = {}
        next_trickle = time.monotonic() + 1
        while not self._stop.is_set():
            for index in range(self.count):
                if sockets.get(index) is None and not self._stop.is_set():
                    tls = self._connect(index)
                    sockets[index] = tls
                    if tls is not None:
                        selector.register(tls, selectors.EVENT_READ, index)
            for key, _ in selector.select(timeout=0.05):
                held = sockets[key.data]
                assert held is not None
                try:
                    data = held.recv(1024)
                except (ssl.SSLWantReadError, BlockingIOError):
                    continue
                except OSError:
                    data = b""
                if not data:
                    selector.unregister(held)
                    held.close()
                    sockets[key.data] = None
            if time.monotonic() >= next_trickle:
                next_trickle += 1
                self._held.append(sum(1 for s in sockets.values() if s is not None))
                for index, tls in sockets.items():
                    if tls is not None and index % 2:
                        with contextlib.suppress(OSError):
                            tls.send(b"X")
        for tls in sockets.values():
            if tls is not None:
                tls.close()
        selector.close()


def large_review_body(pod_path: Path, containers: int = 24000) -> bytes:
    """A ~3 MB AdmissionReview: the benchmark pod with ``containers`` GPU containers."""
    pod = yaml.safe_load(pod_path.read_text())
    container = pod["spec"]["containers"][0]
    pod["spec"]["containers"] = [{**container, "name": f"c{i}"} for i in range(containers)]
    return pod_review(pod, "large", "bench-large")


def pod_review(pod: dict[str, Any], uid: str, username: str) -> bytes:
    """The AdmissionReview of creating ``pod``, as the API server sends it."""
    request = {
        "uid": uid,
        "kind": {"group": "", "version": "v1", "kind": "Pod"},
        "resource": {"group": "", "version": "v1", "resource": "pods"},
        "namespace": pod["metadata"]["namespace"],
        "name": pod["metadata"]["name"],
        "operation": "CREATE",
        "userInfo": {"username": username},
        "object": pod,
        "dryRun": False,
    }
    review = {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": request}
    return json.dumps(review).encode()


@dataclass
class LargeObjects:
    """``clients`` threads posting ``body`` back to back until stopped."""

    port: int
    context: ssl.SSLContext
    body: bytes
    clients: int
    answers: Counter[str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [
            threading.Thread(target=self._client, daemon=True) for _ in range(self.clients)
        ]

    def __enter__(self) -> LargeObjects:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()

    def _client(self) -> None:
        while not self._stop.is_set():
            started = time.perf_counter()
            try:
                connection = http.client.HTTPSConnection(
                    "127.0.0.1", self.port, context=self.context, timeout=30
                )
                connection.request(
                    "POST", "/validate", self.body, {"Content-Type": "application/json"}
                )
                answer = connection.getresponse()
                text = answer.read()
                connection.close()
                outcome = _outcome(answer.status, text)
            except (OSError, http.client.HTTPException):
                outcome = "connection error"
            with self._lock:
                self.answers[outcome] += 1
                self.latencies.append(time.perf_counter() - started)
            if outcome == "429 overloaded":
                time.sleep(1.0)  # Retry-After: 1, as client-go honours it

    def summary(self) -> dict[str, Any]:
        latencies = sorted(self.latencies)
        return {
            "large_clients": self.clients,
            "large_body_bytes": len(self.body),
            "large_answers": dict(self.answers),
            "large_p50_ms": _ms(latencies, 0.5),
            "large_max_ms": _ms(latencies, 1.0),
        }


def _outcome(status: int, text: bytes) -> str:
    if status != 200:
        return {429: "429 overloaded", 503: "503 not read in budget"}.get(status, str(status))
    answer = json.loads(text)["response"]
    if answer.get("status", {}).get("code") == 500:
        return "judged: error per --on-error"
    return "judged: denied" if not answer["allowed"] else "judged: allowed"


def _ms(values: list[float], q: float) -> float | None:
    if not values:
        return None
    return round(values[min(len(values) - 1, int(q * len(values)))] * 1000, 1)


def peak_rss_mb(pid: int) -> dict[str, float]:
    """Peak resident set (VmHWM) of the server and of each process it started (the large-review
    process), in MB; empty off Linux."""
    found: dict[str, float] = {}
    children: list[str] = []
    # A process is listed under the thread that started it (the pool's, not the main one).
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):
            children += task.read_text().split()
    for name, process in [("server", str(pid)), *(("child", c) for c in children)]:
        try:
            status = Path(f"/proc/{process}/status").read_text(encoding="ascii")
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                found[f"{name}_{process}" if name == "child" else name] = round(
                    int(line.split()[1]) / 1024, 1
                )
    return found


def _attack(
    kind: str,
    port: int,
    cafile: str,
    count: int,
    pod: str,
    ready: Any,
    stop: Any,
    results: Any,
) -> None:
    context = ssl.create_default_context(cafile=cafile)
    attacker: IdleConnections | LargeObjects
    if kind == "idle":
        attacker = IdleConnections(port, context, count)
    else:
        attacker = LargeObjects(port, context, large_review_body(Path(pod)), count)
    with attacker:
        deadline = time.monotonic() + 30
        while isinstance(attacker, IdleConnections) and attacker.opened < count:
            if time.monotonic() > deadline:
                break
            time.sleep(0.1)
        time.sleep(1.0)  # large uploads under way, idle connections settled
        ready.set()
        stop.wait()
    results.put(attacker.summary())


class Attack:
    """``kind`` ("idle" or "large") attackers in a process of their own, while in the block."""

    def __init__(self, kind: str, port: int, cafile: Path, count: int, pod: Path) -> None:
        self._context = multiprocessing.get_context("spawn")
        self._ready = self._context.Event()
        self._stop = self._context.Event()
        self._results = self._context.Queue()
        self._process = self._context.Process(
            target=_attack,
            args=(kind, port, str(cafile), count, str(pod), self._ready, self._stop, self._results),
            daemon=True,
        )
        self.summary: dict[str, Any] = {}

    def __enter__(self) -> Attack:
        self._process.start()
        if not self._ready.wait(60):
            raise RuntimeError("the attacking process did not start")
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self.summary = self._results.get(timeout=120)
        self._process.join(30)
