"""The connection guard's rules, on the event loop, with connections that record their end."""

from __future__ import annotations

import asyncio

from guardrails.webhook.connections import ConnectionGuard, ConnectionLimits


class Connection:
    def __init__(self, name: str) -> None:
        self.name = name
        self.aborted = False

    def abort(self) -> None:
        self.aborted = True


def _guard(limits: ConnectionLimits, closed: list[str]) -> ConnectionGuard:
    return ConnectionGuard(limits, closed.append)


def test_per_client_and_global_limits_close_the_longest_idle_first() -> None:
    async def scenario() -> None:
        closed: list[str] = []
        guard = _guard(ConnectionLimits(60, max_idle_per_client=2, max_idle=3), closed)
        a = [Connection(f"a{i}") for i in range(3)]
        for c in a:
            guard.opened(c, "10.0.0.1")
        assert [c.aborted for c in a] == [True, False, False] and closed == ["client_limit"]
        b = [Connection(f"b{i}") for i in range(2)]
        for c in b:
            guard.opened(c, "10.0.0.2")
        assert a[1].aborted and closed == ["client_limit", "idle_limit"]
        guard.closed(a[0])
        guard.closed(a[1])
        assert guard.open == 3 and guard.idle_count == 3

    asyncio.run(scenario())


def test_kept_alive_connections_are_closed_after_never_served_ones() -> None:
    async def scenario() -> None:
        closed: list[str] = []
        guard = _guard(ConnectionLimits(60, max_idle_per_client=10, max_idle=2), closed)
        api_server, attacker = Connection("api"), Connection("attacker")
        guard.opened(api_server, "10.0.0.1")
        guard.busy(api_server)  # a complete request: judged, then kept alive
        guard.idle(api_server)
        guard.opened(attacker, "10.0.0.9")
        guard.opened(Connection("attacker-2"), "10.0.0.9")
        assert attacker.aborted and not api_server.aborted

    asyncio.run(scenario())


def test_a_busy_connection_is_never_closed_and_an_idle_one_times_out() -> None:
    async def scenario() -> None:
        closed: list[str] = []
        guard = _guard(ConnectionLimits(0.05, max_idle_per_client=1, max_idle=1), closed)
        busy, idle = Connection("busy"), Connection("idle")
        guard.opened(busy, "10.0.0.1")
        guard.busy(busy)
        guard.opened(idle, "10.0.0.1")
        await asyncio.sleep(0.2)
        assert not busy.aborted and idle.aborted and closed == ["read_timeout"]

    asyncio.run(scenario())
