"""User policies (--policy-dir, which a pull request can add) cannot reach out, and one
evaluation of them is bounded in time and memory, on every embedded engine."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from guardrails.api import ScanOptions, prepare_policies, resolve_config, scan
from guardrails.catalog import load_catalog
from guardrails.engines.builtins import DENIED, check_sources, denied_calls
from guardrails.engines.rego import backend_available, policy_sources
from guardrails.errors import ConfigError
from tests.conftest import FIXTURES
from tests.engines.opa_server import OpaTestServer

NOTEBOOK = str(FIXTURES / "user-policies" / "notebook-with-four-gpus.yaml")
BACKENDS = [b for b in ("opa", "regopy") if backend_available(b)]
SECRET = "s3cr3t-marker-7f1e"

#: Every way to spell a reference to a builtin OPA accepts, and look-alikes that are not one.
REFERENCES: list[tuple[str, set[str]]] = [
    ('x := http.send({"method": "get", "url": "http://a"})', {"http.send"}),
    ('x := http["send"]({"method": "get", "url": "http://a"})', {"http.send"}),
    ('x := http[`send`]({"method": "get", "url": "http://a"})', {"http.send"}),
    ('x := http["s\\u0065nd"]({"method": "get", "url": "http://a"})', {"http.send"}),
    ("f(_) := 1\nx := y if {\n\ty := f({}) with f as http.send\n}", {"http.send"}),
    ('x := net.lookup_ip_addr("example.com")', {"net.lookup_ip_addr"}),
    ("x := opa.runtime().env", {"opa.runtime"}),
    ('x := json.match_schema({}, {"$ref": "http://a/s.json"})', {"json.match_schema"}),
    ('x := json.verify_schema({"$ref": "http://a/s.json"})', {"json.verify_schema"}),
    ("x := input.http.send", set()),
    ("x := data.http.send", set()),
    ('x := "http.send"', set()),
    ("x := `opa.runtime()`", set()),
    ("# http.send({})\nx := 1", set()),
    ("x := time.now_ns()", set()),
    ('x := net.cidr_contains("10.0.0.0/8", "10.1.2.3")', set()),
]


def _module(body: str) -> str:
    return f"package p\n\nimport rego.v1\n\n{body}\n"


def _opa_references(source: str) -> set[str]:
    """The two-part builtin names OPA's own parser sees referenced in ``source``."""
    from opa_bindings import OpaEngine

    engine = OpaEngine()
    try:
        rows = engine.eval_query(f'm := rego.parse_module("p.rego", {json.dumps(source)})')
    finally:
        engine.close()
    names: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            value = node.get("value")
            if node.get("type") == "ref" and isinstance(value, list) and len(value) > 1:
                head, second = value[0], value[1]
                if head.get("type") == "var" and second.get("type") == "string":
                    names.add(f"{head['value']}.{second['value']}")
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(rows[0]["m"])
    return names


@pytest.mark.parametrize(("body", "expected"), REFERENCES)
def test_denied_references_are_found_as_opa_parses_them(body: str, expected: set[str]) -> None:
    source = _module(body)
    assert {d.name for d, _ in denied_calls(source)} == expected
    if backend_available("opa"):  # the real parser as the oracle
        denied = {d.name for d in DENIED}
        assert _opa_references(source) & denied == expected


def test_the_flag_allows_network_builtins_but_never_opa_runtime() -> None:
    source = _module('a := http.send({})\nb := opa.runtime()\nc := net.lookup_ip_addr("x")')
    assert {d.name for d, _ in denied_calls(source, allow_network=True)} == {"opa.runtime"}
    with pytest.raises(ConfigError, match=r"^x\.rego:6: policy calls opa\.runtime, .*no flag"):
        check_sources([("x.rego", source)], allow_network=True)


def test_bundled_policies_use_no_denied_builtin() -> None:
    check_sources(policy_sources(load_catalog()), allow_network=False)


# --- whole CLI runs: real engines, a real socket, memory measured from the child processes ---

#: Runs a command and prints its exit code, stdout, stderr, wall time and the peak RSS (KB) of
#: every process it started and waited for (the CLI and its evaluation child).
MEASURE = """
import json, resource, subprocess, sys, time
start = time.monotonic()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
print(json.dumps({"code": done.returncode, "stdout": done.stdout, "stderr": done.stderr,
    "seconds": time.monotonic() - start,
    "rss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
"""


def run_check(policy_dir: Path, backend: str, *args: str) -> dict[str, Any]:
    env = {**os.environ, "GUARDRAILS_REGO_BACKEND": backend, "GUARDRAILS_TEST_SECRET": SECRET}
    config = policy_dir.parent / "guardrails.yaml"
    config.write_text("{}\n")
    command = [sys.executable, "-m", "guardrails", "check", NOTEBOOK, "--config", str(config)]
    command += ["--policy-dir", str(policy_dir), "--format", "json", *args]
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, *command], capture_output=True, text=True, env=env
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def write_policy(directory: Path, name: str, rule: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{name}.rego").write_text(
        "# METADATA\n# title: Reaches out\n# scope: package\n# custom:\n"
        f"#   id: ACME-{name.upper()}-001\n#   severity: high\n#   category: cost\n"
        f"#   remediation: none\npackage guardrails.policy.acme_{name}\n\nimport rego.v1\n\n"
        f'deny := [f |\n\t{rule}\n\tf := {{"resource": "change", "message": sprintf("%v", [v])}}\n]\n'
    )
    return directory / f"{name}.rego"


class Listener(ThreadingHTTPServer):
    """A local HTTP server that counts every connection and keeps every request body."""

    def __init__(self) -> None:
        self.connections = 0
        self.bodies: list[bytes] = []
        super().__init__(("127.0.0.1", 0), _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        self.connections += 1
        super().process_request(request, client_address)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/collect"


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        assert isinstance(self.server, Listener)
        self.server.bodies.append(body)
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def _post(url: str) -> str:
    return f'v := http.send({{"method": "post", "url": "{url}", "body": input}}).status_code'


CASES = {
    "http": ("http.send", None),
    "lookup": ("net.lookup_ip_addr", 'v := net.lookup_ip_addr("localhost")'),
    "runtime": ("opa.runtime", "v := opa.runtime().env.GUARDRAILS_TEST_SECRET"),
    "range": ("memory limit", "v := count(numbers.range(1, 200000000))"),
}


@pytest.mark.integration
@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("case", sorted(CASES))
def test_reaching_out_or_exhausting_memory_is_one_error(
    case: str, backend: str, tmp_path: Path, listener: Listener
) -> None:
    said, rule = CASES[case]
    policy = write_policy(tmp_path / "policies", case, rule or _post(listener.url))
    run = run_check(policy.parent, backend)
    lines = run["stderr"].splitlines()
    assert run["code"] == 2, run
    assert len(lines) == 1 and str(policy) in lines[0] and said in lines[0], lines
    assert run["rss_kb"] < 1024 * 1024, run["rss_kb"]  # below 1 GB (it took > 3 GB)
    assert run["seconds"] < 90, run["seconds"]
    assert listener.connections == 0
    assert SECRET not in run["stdout"] + run["stderr"]
    assert "Traceback" not in run["stderr"]


@pytest.mark.integration
@pytest.mark.parametrize("backend", BACKENDS)
def test_engine_rego_refuses_as_auto_does(backend: str, tmp_path: Path, listener: Listener) -> None:
    """auto runs user policies on the same in-process Rego engine as --engine rego."""
    policy = write_policy(tmp_path / "policies", "http", _post(listener.url))
    run = run_check(policy.parent, backend, "--engine", "rego")
    lines = run["stderr"].splitlines()
    assert run["code"] == 2 and len(lines) == 1 and "policy calls http.send" in lines[0], run
    assert listener.connections == 0


@pytest.mark.integration
@pytest.mark.parametrize("backend", BACKENDS)
def test_a_policy_that_runs_too_long_is_stopped(backend: str, tmp_path: Path) -> None:
    rule = (
        "v := count([1 | some i in numbers.range(1, 100000); "
        "some j in numbers.range(1, 100000); i * j < 0])"
    )
    policy = write_policy(tmp_path / "policies", "spin", rule)
    run = run_check(policy.parent, backend, "--policy-timeout", "3")
    lines = run["stderr"].splitlines()
    assert run["code"] == 2 and len(lines) == 1, run
    assert str(policy) in lines[0] and "stopped after 3 s" in lines[0]
    assert run["seconds"] < 30


@pytest.mark.integration
def test_the_flag_lets_a_trusted_policy_post_to_a_listener(
    tmp_path: Path, listener: Listener
) -> None:
    if not backend_available("opa"):
        pytest.skip("the OPA library is not installed")
    policy = write_policy(tmp_path / "policies", "http", _post(listener.url))
    run = run_check(policy.parent, "opa", "--allow-network-builtins")
    assert run["code"] == 1, run
    messages = [f["message"] for f in json.loads(run["stdout"])["findings"]]
    assert "200" in messages
    assert listener.connections == 1 and b"Notebook" in listener.bodies[0]


@pytest.mark.integration
def test_the_flag_on_regopy_refuses_what_it_cannot_run(tmp_path: Path, listener: Listener) -> None:
    """regopy implements no network builtin: allowed, it would be undefined (a silent pass)."""
    if not backend_available("regopy"):
        pytest.skip("regopy is not installed")
    policy = write_policy(tmp_path / "policies", "http", _post(listener.url))
    run = run_check(policy.parent, "regopy", "--allow-network-builtins")
    lines = run["stderr"].splitlines()
    assert run["code"] == 2 and len(lines) == 1, run
    assert str(policy) in lines[0] and "regopy does not implement" in lines[0]


def test_upload_to_a_remote_opa_refuses_a_policy_that_reaches_out(
    tmp_path: Path, listener: Listener
) -> None:
    policy = write_policy(tmp_path / "policies", "http", _post(listener.url))
    options = ScanOptions(no_config=True, policy_dirs=(policy.parent,), engine="opa")
    with (
        OpaTestServer() as server,
        pytest.raises(ConfigError, match=r"http\.rego:\d+: policy calls http\.send"),
    ):
        scan([NOTEBOOK], replace(options, opa_url=server.url))
    assert listener.connections == 0


def test_python_engine_skips_user_policies_without_checking_them(tmp_path: Path) -> None:
    """--engine python runs no user policy (warned), so it has nothing to refuse."""
    policy = write_policy(tmp_path / "policies", "runtime", "v := opa.runtime().env")
    options = ScanOptions(no_config=True, policy_dirs=(policy.parent,), engine="python")
    report = scan([NOTEBOOK], options)
    assert any("skipped them" in w for w in report.warnings)


def test_a_denied_builtin_is_refused_when_policies_are_prepared(tmp_path: Path) -> None:
    """Before any evaluation: the webhook refuses to start with such a policy."""
    if not BACKENDS:
        pytest.skip("no embedded Rego engine installed")
    policy = write_policy(tmp_path / "policies", "lookup", 'v := net.lookup_ip_addr("x")')
    options = ScanOptions(no_config=True, policy_dirs=(policy.parent,))
    with pytest.raises(ConfigError, match=r"lookup\.rego:14: policy calls net\.lookup_ip_addr"):
        prepare_policies(resolve_config([], options), options)


def test_no_config_file_can_allow_network_builtins(tmp_path: Path) -> None:
    """A pull request edits .guardrails.yaml; the opt-in is the command line's alone."""
    from guardrails.config import load_config

    config = tmp_path / ".guardrails.yaml"
    config.write_text("allow_network_builtins: true\n")
    with pytest.raises(ConfigError, match="allow_network_builtins"):
        load_config(config)


def test_the_child_sees_no_secret_and_proxies_only_with_the_network(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from guardrails.engines.sandbox import UserPolicyLimits, _child_env

    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("GITHUB_TOKEN", SECRET)
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy:3128")
    closed, open_ = _child_env(UserPolicyLimits()), _child_env(UserPolicyLimits(True))
    assert SECRET not in {*closed.values(), *open_.values()}
    assert "HTTPS_PROXY" not in closed and open_["HTTPS_PROXY"] == "http://proxy:3128"
    assert closed["PATH"] == os.environ["PATH"]
