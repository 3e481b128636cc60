"""The `opa` engine end to end through opa-python-client against an OPA REST server."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks.webhook_server import free_port
from guardrails.api import ScanOptions, scan
from guardrails.catalog import load_catalog
from guardrails.cli import main
from guardrails.config import DEFAULTS
from guardrails.engines.bundle import read_bundle, write_bundle
from guardrails.engines.findings import canonical
from guardrails.errors import EngineError
from tests.conftest import FIXTURES
from tests.engines.opa_server import OpaTestServer

SAMPLE = [str(FIXTURES / "kubernetes"), str(FIXTURES / "terraform-plan")]


def _rows(engine: str, **extra: object) -> list[tuple[str, str, str, str]]:
    report = scan(SAMPLE, ScanOptions(engine=engine, no_config=True, **extra))  # type: ignore[arg-type]
    return sorted((f.policy, f.resource, str(f.severity), f.message) for f in report.findings)


@pytest.fixture()
def bundle(tmp_path: Path) -> Path:
    path = tmp_path / "bundle.tar.gz"
    config = {k: v for k, v in DEFAULTS.items() if k != "waivers"}
    write_bundle(load_catalog(), config, path)
    return path


def test_upload_mode_matches_the_offline_engines() -> None:
    with OpaTestServer() as server:
        remote = _rows("opa", opa_url=server.url)
        assert server.state.policies, "policies were uploaded"
        assert server.state.queries == 1
    assert remote and remote == _rows("python") == _rows("rego")


def test_upload_mode_sends_bounded_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """The server gets the resources in batches (here of one resource each): same findings."""
    from guardrails.engines import scoped

    monkeypatch.setattr(scoped, "BATCH_BYTES", 1)
    with OpaTestServer() as server:
        remote = _rows("opa", opa_url=server.url)
        resources = len(scan(SAMPLE, ScanOptions(no_config=True)).graph.resources)
        # summary policies once, then every resource twice (aggregates first, then deny)
        assert server.state.queries == 1 + 2 * resources
        assert any(".query.q_" in text for text in server.state.policies.values())
    monkeypatch.undo()
    assert remote and remote == _rows("python")


def test_preloaded_bundle_mode(bundle: Path) -> None:
    with OpaTestServer(bundle=bundle) as server:
        before = dict(server.state.policies)
        remote = _rows("opa", opa_url=server.url, opa_upload=False)
        assert server.state.policies == before, "nothing uploaded in bundle mode"
    assert remote == _rows("python")


def test_bundle_layout(bundle: Path) -> None:
    files = read_bundle(bundle)
    manifest = json.loads(files[".manifest"])
    assert manifest["roots"] == ["guardrails"] and len(manifest["revision"]) == 16
    assert "cost/gr_cost_001.rego" in files and "lib/util.rego" in files
    data = json.loads(files["data.json"])
    assert data["guardrails"]["config"]["delta_ceiling"] == 25000
    assert data["guardrails"]["catalog"]["instances"]["p5.48xlarge"]["gpu_model"] == "H100"


def test_unreachable_server_falls_back_with_a_warning() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    report = scan(SAMPLE, ScanOptions(engine="opa", opa_url=url, no_config=True))
    assert report.engine in ("rego/opa-lib", "rego/regopy", "python")
    assert any("unreachable" in w for w in report.warnings)
    # One plain sentence, never the client's printed tuple.
    (warning,) = [w for w in report.warnings if "unreachable" in w]
    assert "(connection refused); evaluated offline with the" in warning
    assert "('" not in warning and "')" not in warning


def test_unreachable_server_is_an_error_without_fallback() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(EngineError, match="unreachable") as raised:
        scan(SAMPLE, ScanOptions(engine="opa", opa_url=url, opa_fallback=False, no_config=True))
    assert str(raised.value) == (
        f"OPA server {url} is unreachable (connection refused); start it, fix --opa-url, or "
        "leave out --no-opa-fallback to evaluate offline"
    )


@pytest.fixture()
def opa_binary(bundle: Path) -> Iterator[str]:
    binary = shutil.which("opa")
    if binary is None:
        pytest.skip(
            "no opa binary on PATH (none is installable here; the REST test server covers it)"
        )
    port = free_port()
    process = subprocess.Popen(
        [binary, "run", "--server", "--addr", f"127.0.0.1:{port}", "--bundle", str(bundle)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(1.5)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()


def test_real_opa_binary(opa_binary: str) -> None:
    assert _rows("opa", opa_url=opa_binary, opa_upload=False) == _rows("python")


def test_canonical_rows_are_comparable() -> None:
    raw = {"GR-X": [{"resource": "a", "message": "m"}], "GR-Y": []}
    assert canonical(raw) == [("GR-X", "a", "fail", "m", "")]


def test_bundle_build_bakes_the_config_and_rejects_a_missing_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "bundle.tar.gz"
    config = FIXTURES / "policies" / "GR-TAG-002" / "config.yaml"
    assert main(["bundle", "build", "-o", str(out), "--config", str(config)]) == 0
    data = json.loads(read_bundle(out)["data.json"])
    assert data["guardrails"]["config"]["tag_patterns"] == {"cost-center": "cc-[0-9]+"}
    assert "waivers" not in data["guardrails"]["config"]
    again = tmp_path / "again.tar.gz"
    monkeypatch.setattr(time, "time", lambda: 2_000_000_000.0)  # a later build, a later clock
    assert main(["bundle", "build", "-o", str(again), "--config", str(config)]) == 0
    assert again.read_bytes() == out.read_bytes()  # reproducible, byte for byte
    assert (
        main(["bundle", "build", "-o", str(tmp_path / "b2.tar.gz"), "--config", "nope.yaml"]) == 2
    )
    assert not (tmp_path / "b2.tar.gz").exists()
