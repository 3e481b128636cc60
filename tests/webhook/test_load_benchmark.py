"""The load benchmark runs, stops by itself and writes its files (timings never asserted)."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.webhook_load import main, saturated


def test_load_benchmark_writes_results(tmp_path: Path) -> None:
    assert (
        main(
            [
                "--rate",
                "20",
                "--seconds",
                "1",
                "--sweep",
                "20,40",
                "--step-seconds",
                "1",
                "--clients",
                "4",
                "--idle-connections",
                "8",
                "--large-clients",
                "1",
                "--hostile-seconds",
                "1",
                "--out",
                str(tmp_path),
            ]
        )
        == 0
    )
    result = json.loads((tmp_path / "webhook_load.json").read_text())
    phases = result["phases"]
    assert [p["phase"] for p in phases][-3:] == ["steady", "idle-connections", "large-objects"]
    assert all(
        p["errors"] == 0 and p["requests"] == int(p["offered_rate"] * p["seconds"]) for p in phases
    )
    idle, large = phases[-2:]
    assert idle["idle_opened"] >= 8 and idle["idle_connect_failures"] == 0
    assert sum(large["large_answers"].values()) >= 1 and large["large_body_bytes"] > 2_900_000
    assert all(p["p50_ms"] <= p["p95_ms"] <= p["p99_ms"] <= p["max_ms"] for p in phases)
    assert result["saturation_throughput"] > 0
    shares = phases[-3]["server_share_within"]
    assert list(shares) == ["1ms", "2.5ms", "5ms", "10ms", "25ms"]
    assert all(
        0 <= a <= b <= 1
        for a, b in zip(list(shares.values()), list(shares.values())[1:], strict=False)
    )
    assert (tmp_path / "webhook_load.md").read_text().startswith("# Webhook load benchmark")


def test_saturation_rule() -> None:
    healthy = {"errors": 0, "throughput": 199.0, "offered_rate": 200, "p99_ms": 8.0}
    assert not saturated(healthy)
    assert saturated({**healthy, "throughput": 150.0})
    assert saturated({**healthy, "errors": 1})
    assert saturated({**healthy, "p99_ms": 1500.0})
