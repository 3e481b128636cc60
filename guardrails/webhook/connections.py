"""Connections without a complete request are bounded in time and number (slowloris).

Anything in the cluster can open connections to the webhook. A connection that is *idle* — it
has not yet sent a complete request (headers and body), or it finished one and sent nothing
since — costs the server a socket and TLS state but gives it nothing to judge. Each idle period
lasts at most ``read_timeout`` seconds; one client address keeps at most
``max_idle_per_client`` idle connections and all clients together ``max_idle`` (512): over a limit,
the connection idle the longest is closed, so a new client (the API server) always gets in and
idle connections never make a review wait or fail. Connections that never completed a request
are closed before kept-alive ones (the API server's pool), which a client such as Go's
transport would otherwise have to retry on. The TLS handshake is bounded separately, by the
event loop (see :func:`guarded_loop_factory`).
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

#: Request headers larger than this are refused (uvicorn's httptools parser keeps them all).
MAX_HEADER_BYTES = 64 * 1024
#: A TLS close that waits for the peer's close_notify ends after this long.
SSL_SHUTDOWN_TIMEOUT = 2.0


class Closable(Protocol):
    def abort(self) -> None: ...


@dataclass(frozen=True)
class ConnectionLimits:
    """How long and how many connections may stay idle (defaults of ``webhook serve``)."""

    read_timeout: float = 5.0
    #: Above the API server's own pool: client-go keeps up to 25 idle connections per host.
    max_idle_per_client: int = 64
    #: Room for a 256-connection slowloris beside the API server without churning handshakes.
    max_idle: int = 512


class ConnectionGuard:
    """Tracks idle connections per client; closes the longest-idle one over a limit.

    Runs on the event loop thread only. ``on_close(reason)`` is told of every connection it
    closes: ``read_timeout``, ``client_limit`` or ``idle_limit``.
    """

    def __init__(self, limits: ConnectionLimits, on_close: Callable[[str], None]) -> None:
        self.limits = limits
        self.on_close = on_close
        self.open = 0
        self._client: dict[Closable, str] = {}
        #: Oldest idle period first (insertion order), globally and per client.
        self._idle: OrderedDict[Closable, None] = OrderedDict()
        self._idle_by_client: dict[str, OrderedDict[Closable, None]] = {}
        self._timers: dict[Closable, asyncio.TimerHandle] = {}
        #: Connections that completed a request: kept alive between requests, closed last.
        self._served: set[Closable] = set()

    @property
    def idle_count(self) -> int:
        return len(self._idle)

    def opened(self, connection: Closable, client: str) -> None:
        """A connection finished its TLS handshake: idle until its first request is in."""
        self._client[connection] = client
        self.open += 1
        self.idle(connection)

    def idle(self, connection: Closable) -> None:
        """``connection`` waits for (the rest of) a request: start its clock."""
        client = self._client.get(connection)
        if client is None:
            return
        self._forget_idle(connection)
        self._idle[connection] = None
        mine = self._idle_by_client.setdefault(client, OrderedDict())
        mine[connection] = None
        loop = asyncio.get_running_loop()
        self._timers[connection] = loop.call_later(
            self.limits.read_timeout, self.close, connection, "read_timeout"
        )
        self._evict(mine, self.limits.max_idle_per_client, "client_limit")
        self._evict(self._idle, self.limits.max_idle, "idle_limit")

    def busy(self, connection: Closable) -> None:
        """A complete request arrived on ``connection``: it is not idle any more."""
        if connection in self._client:
            self._served.add(connection)
        self._forget_idle(connection)

    def _forget_idle(self, connection: Closable) -> None:
        timer = self._timers.pop(connection, None)
        if timer is not None:
            timer.cancel()
        if self._idle.pop(connection, 0) is None:
            client = self._client[connection]
            mine = self._idle_by_client[client]
            del mine[connection]
            if not mine:
                del self._idle_by_client[client]

    def closed(self, connection: Closable) -> None:
        if connection in self._client:
            self._forget_idle(connection)
            del self._client[connection]
            self._served.discard(connection)
            self.open -= 1

    def _evict(self, idle: OrderedDict[Closable, None], limit: int, reason: str) -> None:
        while len(idle) > limit:
            oldest = next(iter(idle))
            victim = next((c for c in idle if c not in self._served), oldest)
            self.close(victim, reason)

    def close(self, connection: Closable, reason: str) -> None:
        """Close ``connection`` at once, counting it under ``reason``."""
        if connection in self._client:
            self._forget_idle(connection)
        self.on_close(reason)
        # abort, not close: a graceful TLS close would wait for a peer that sends nothing.
        connection.abort()


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's HTTP/1.1 protocol reporting idle and busy periods to a ConnectionGuard."""

    guard: ClassVar[ConnectionGuard]
    _header_bytes = 0
    _in_headers = True

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        peer = transport.get_extra_info("peername")
        client = str(peer[0]) if isinstance(peer, tuple) and peer else str(peer)
        self.guard.opened(self, client)

    def connection_lost(self, exc: Exception | None) -> None:
        self.guard.closed(self)
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self._in_headers:  # still no end of the headers after this chunk
            self._header_bytes += len(data)
            if self._header_bytes > MAX_HEADER_BYTES and not self.transport.is_closing():
                self.guard.close(self, "header_limit")

    def on_headers_complete(self) -> None:
        self._in_headers = False
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self.guard.busy(self)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._in_headers, self._header_bytes = True, 0
            self.guard.idle(self)

    def abort(self) -> None:
        self.transport.abort()


def guarded_protocol(guard: ConnectionGuard) -> type[GuardedHttpToolsProtocol]:
    """The protocol class uvicorn instantiates per connection, bound to ``guard``."""
    return type("WebhookHttpProtocol", (GuardedHttpToolsProtocol,), {"guard": guard})


def _base_loop_class() -> type[asyncio.AbstractEventLoop]:
    try:
        import uvloop
    except ImportError:  # uvloop is not built for every platform
        return asyncio.SelectorEventLoop
    return uvloop.Loop


def guarded_loop_factory(handshake_timeout: float) -> Callable[[], asyncio.AbstractEventLoop]:
    """An event loop whose TLS servers bound the handshake (uvicorn does not pass it on)."""
    base: Any = _base_loop_class()

    class GuardedLoop(base):  # type: ignore[misc]
        async def create_server(self, *args: Any, **kwargs: Any) -> Any:
            if kwargs.get("ssl") is not None:
                kwargs.setdefault("ssl_handshake_timeout", handshake_timeout)
                kwargs.setdefault("ssl_shutdown_timeout", SSL_SHUTDOWN_TIMEOUT)
            return await super().create_server(*args, **kwargs)

    return GuardedLoop
