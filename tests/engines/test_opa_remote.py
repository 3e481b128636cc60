"""The `opa` engine end to end through opa-python-client against an OPA REST server."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from guardrails.api import ScanOptions, build_input, scan
from guardrails.catalog import Catalog, load_catalog
from guardrails.cli import main
from guardrails.config import DEFAULTS, load_config
from guardrails.engines import scoped
from guardrails.engines.bundle import bundle_files, read_bundle, write_bundle
from guardrails.engines.findings import canonical
from guardrails.engines.opa_remote import OpaRemoteEngine
from guardrails.engines.rego import collect
from guardrails.errors import EngineError, InputError
from testing.webhook_server import free_port
from tests.conftest import FIXTURES
from tests.engines.opa_server import OpaTestServer
from tests.sweep import Sweep, finding_rows, policy_case_verdict, real_inputs

POLICY_DEFAULTS = load_config(None).for_policies()

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


def test_upload_mode_matches_the_offline_engines(monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole sample in one batch is one query (batching has its own test below; the sample
    outgrew one 128 KiB batch when the accelerator fixtures and cloud facts were added)."""
    monkeypatch.setattr(scoped, "BATCH_BYTES", 1 << 30)
    with OpaTestServer() as server:
        remote = _rows("opa", opa_url=server.url)
        assert server.state.policies, "policies were uploaded"
        assert server.state.queries == 1
    assert remote and remote == _rows("python") == _rows("rego")


def test_upload_mode_sends_bounded_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """The server gets the resources in batches (here of one resource each): same findings,
    and nothing but the policy library is uploaded (aggregates are injected in the queries)."""
    monkeypatch.setattr(scoped, "BATCH_BYTES", 1)
    with OpaTestServer() as server:
        remote = _rows("opa", opa_url=server.url)
        resources = len(scan(SAMPLE, ScanOptions(no_config=True)).graph.resources)
        # summary policies once, then every resource twice (aggregates first, then deny)
        assert server.state.queries == 1 + 2 * resources
        assert server.state.most_resources == 1
        uploaded = {text.split("\n# METADATA")[0] for text in server.state.policies.values()}
        assert not any(scoped.WRAPPER_PREFIX in text for text in uploaded)
    monkeypatch.undo()
    assert remote and remote == _rows("python")


def test_preloaded_bundle_mode(bundle: Path) -> None:
    with OpaTestServer(bundle=bundle) as server:
        before = dict(server.state.policies)
        remote = _rows("opa", opa_url=server.url, opa_upload=False)
        assert server.state.policies == before, "nothing uploaded in bundle mode"
    assert remote == _rows("python")


def test_bundle_mode_sends_bounded_batches(bundle: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A preloaded server gets batches too, through ad-hoc queries: nothing is written to it."""
    monkeypatch.setattr(scoped, "BATCH_BYTES", 1)
    with OpaTestServer(bundle=bundle) as server:
        before = (dict(server.state.policies), json.dumps(server.state.data, sort_keys=True))
        remote = _rows("opa", opa_url=server.url, opa_upload=False)
        after = (dict(server.state.policies), json.dumps(server.state.data, sort_keys=True))
        assert after == before, "nothing uploaded in bundle mode"
        resources = len(scan(SAMPLE, ScanOptions(no_config=True)).graph.resources)
        # the policy probe, summary policies once, then every resource twice
        assert server.state.queries == 2 + 2 * resources
        assert server.state.most_resources == 1
    monkeypatch.undo()
    assert remote and remote == _rows("python")


@pytest.fixture(scope="module")
def bundle_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OpaTestServer]:
    path = tmp_path_factory.mktemp("bundle") / "bundle.tar.gz"
    write_bundle(load_catalog(), {k: v for k, v in DEFAULTS.items() if k != "waivers"}, path)
    with OpaTestServer(bundle=path) as server:
        yield server


#: The policies whose batches carry merged aggregates (METADATA ``custom.aggregates``).
AGGREGATING = {p.id for p in load_catalog() if p.aggregates}
#: Their policy cases: where the wrappers bundle mode inlines in each batch's query decide.
AGGREGATE_CASES = [
    p for p in real_inputs() if (policy_case_verdict(p) or ("", ""))[0] in AGGREGATING
]


@pytest.mark.parametrize("path", AGGREGATE_CASES)
def test_bundle_mode_batches_match_the_whole_document_query(
    path: str, bundle_server: OpaTestServer, monkeypatch: pytest.MonkeyPatch, sweep: Sweep
) -> None:
    """Batches of ONE resource in bundle mode give exactly the findings of the one query on
    the whole document (what bundle mode sent before), on every case of a policy with
    aggregates.

    Bundle mode asks each batch through the same gather query as the embedded OPA engine
    (:func:`guardrails.engines.scoped.gather_query`) except that the aggregate policies'
    wrappers are inlined in the query. Batches of one on the embedded engine are checked on
    every fixture by ``test_real_input_sweep`` (tests/engines/test_parity.py), and the
    transport by the bounded-batch tests above: what only this test can see is an inlined
    wrapper, which decides on its policy's cases."""
    try:
        doc, config = sweep.input(path)
    except InputError:
        return
    state = bundle_server.state
    wanted = config or POLICY_DEFAULTS
    with state.lock:
        if state.data["guardrails"]["config"] != wanted:  # as if its bundle baked this config
            state.put_data(["guardrails", "config"], wanted)
    catalog = load_catalog()
    engine = OpaRemoteEngine(bundle_server.url, upload=False)
    whole = collect(engine.client.query_rule(doc, "guardrails.policy").get("result"), catalog)
    monkeypatch.setattr(scoped, "BATCH_BYTES", 1)
    batched = engine.evaluate(doc, wanted, catalog)
    assert finding_rows(batched) == finding_rows(whole)


def test_bundle_without_a_policy_reports_it_unknown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An older bundle lacking a catalog policy: that policy is an unknown finding naming the
    package, never a silent pass (the whole-document query used to return nothing for it)."""
    catalog = load_catalog()
    gone = catalog.policies["GR-SEC-001"]  # a policy with an aggregate, on a batched input
    files = bundle_files(catalog, {k: v for k, v in DEFAULTS.items() if k != "waivers"})
    package = f"package {gone.package}\n".encode()
    stale = {name: text for name, text in files.items() if package not in text}
    monkeypatch.setattr(scoped, "BATCH_BYTES", 1)
    with OpaTestServer() as server:
        server.state.policies = {k: v.decode() for k, v in stale.items() if k.endswith(".rego")}
        server.state.data = json.loads(stale["data.json"])
        report = scan(
            [str(FIXTURES / "policies/GR-SEC-001")],
            ScanOptions(engine="opa", opa_url=server.url, opa_upload=False, no_config=True),
        )
    (finding,) = [f for f in report.findings if f.policy == "GR-SEC-001"]
    assert str(finding.outcome) == "unknown" and finding.resource == "change"
    assert finding.unknown_reason == "not on the OPA server"
    assert f"holds no package {gone.package}" in finding.message
    others = [f for f in report.findings if f.policy != "GR-SEC-001"]
    monkeypatch.undo()
    expected = scan([str(FIXTURES / "policies/GR-SEC-001")], ScanOptions(no_config=True))
    assert sorted(f.sort_key for f in others) == sorted(
        f.sort_key for f in expected.findings if f.policy != "GR-SEC-001"
    )


def _server_with(files: dict[str, bytes]) -> OpaTestServer:
    """A server holding these bundle files (as if started with a bundle of them)."""
    server = OpaTestServer()
    server.state.policies = {k: v.decode() for k, v in files.items() if k.endswith(".rego")}
    server.state.data = json.loads(files["data.json"])
    return server


def _bundle_files(edit_data: Any = None) -> dict[str, bytes]:
    files = bundle_files(load_catalog(), {k: v for k, v in DEFAULTS.items() if k != "waivers"})
    if edit_data is not None:
        data = json.loads(files["data.json"])
        edit_data(data["guardrails"])
        files["data.json"] = json.dumps(data).encode()
    return files


def test_a_bundle_that_declares_no_scopes_gets_the_whole_document(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A bundle built by hand or by an older guardrails says nothing about what its policies
    read: its policies may be other versions, so they get the whole input in one query."""
    monkeypatch.setattr(scoped, "BATCH_BYTES", 1)
    with _server_with(_bundle_files(lambda g: g.pop("scopes"))) as server:
        remote = _rows("opa", opa_url=server.url, opa_upload=False)
        resources = len(scan(SAMPLE, ScanOptions(no_config=True)).graph.resources)
        assert server.state.queries == 2  # the policy probe, then the whole document
        assert server.state.most_resources == resources
    monkeypatch.undo()
    assert remote and remote == _rows("python")


def test_the_servers_declaration_wins_over_the_local_catalog(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The server runs its own version of a policy: batches follow what its bundle declares.
    Here the local catalog lost GR-SEC-001's aggregate (batched on it, the bucket would gain a
    finding: test_scoped.test_an_undeclared_aggregate_would_change_findings); the server's
    declaration keeps the findings those of the whole document."""
    catalog = load_catalog()
    policy = catalog.policies["GR-SEC-001"]
    stripped = Catalog({**catalog.policies, policy.id: replace(policy, aggregates=())})
    path = FIXTURES / "policies/GR-SEC-001/allow_bucket_with_public_access_block.json"
    doc = build_input([str(path)], ScanOptions(no_config=True))
    with _server_with(_bundle_files()) as server:
        engine = OpaRemoteEngine(server.url, upload=False)
        whole = collect(engine.client.query_rule(doc, "guardrails.policy").get("result"), catalog)
        server.state.most_resources = 0
        monkeypatch.setattr(scoped, "BATCH_BYTES", 1)
        batched = engine.evaluate(doc, POLICY_DEFAULTS, stripped)
        assert server.state.most_resources == 1
    assert finding_rows(batched) == finding_rows(whole)


def test_a_malformed_scope_declaration_is_one_line() -> None:
    def corrupt(guardrails: dict[str, Any]) -> None:
        guardrails["scopes"]["gr_sec_001"] = {"input": "resources", "aggregates": {"x y": "set"}}

    with _server_with(_bundle_files(corrupt)) as server, pytest.raises(EngineError) as raised:
        _rows("opa", opa_url=server.url, opa_upload=False)
    assert str(raised.value) == (
        f"OPA server {server.url}: data.guardrails.scopes: policy gr_sec_001: aggregate 'x y' "
        "is not a rule name"
    )


def test_server_errors_name_the_server_and_say_why(bundle: Path) -> None:
    """A query the server refuses is one line with OPA's own message, never a traceback."""
    with OpaTestServer(bundle=bundle) as server:
        server.state.policies["broken.rego"] = (
            "package guardrails.policy.gr_cost_001\nimport rego.v1\ndeny := 1 if true\n"
            "deny := 2 if true\n"
        )
        server.state._engine = None
        with pytest.raises(EngineError) as raised:
            scan(
                SAMPLE,
                ScanOptions(engine="opa", opa_url=server.url, opa_upload=False, no_config=True),
            )
    message = str(raised.value)
    assert message.startswith(f"OPA server {server.url}: ") and "\n" not in message
    assert "conflict" in message or "multiple" in message, message


def test_bundle_layout(bundle: Path) -> None:
    files = read_bundle(bundle)
    manifest = json.loads(files[".manifest"])
    assert manifest["roots"] == ["guardrails"] and len(manifest["revision"]) == 16
    assert "cost/gr_cost_001.rego" in files and "lib/util.rego" in files
    data = json.loads(files["data.json"])
    assert data["guardrails"]["config"]["delta_ceiling"] == 25000
    assert data["guardrails"]["catalog"]["instances"]["p5.48xlarge"]["gpu_model"] == "H100"
    # what each policy reads, in METADATA's terms, so a server is asked in batches it allows
    scopes = data["guardrails"]["scopes"]
    assert scopes["gr_sec_001"] == {
        "input": "resources",
        "aggregates": {"enforced_buckets": "set", "private_accounts": "set"},
    }
    assert scopes["gr_cost_007"] == {"input": "summary", "aggregates": {}}


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
