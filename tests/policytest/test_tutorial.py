"""docs/writing-policies.md, followed end to end: every command it shows runs here.

- ```console blocks: each ``$ `` line runs with bash from the repository root; lines after it
  up to the next ``$ `` are its expected output (when given). A command exits 0 unless it ends
  with ``# exit N``.
- ```sh blocks (what cannot run as is in a test: a scaffold into your repository, a server)
  run here with their paths and ports made local.
- The ```rego and expect ```yaml blocks are the committed files of examples/acme, byte for byte.
- The policy passes ``guardrails test`` on every engine: the OPA library, regopy and an OPA
  server (tests/engines/opa_server.py: the OPA REST API with the real OPA library behind it).

The slow parts are in the integration tier (INTEGRATION in tests/conftest.py).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from guardrails.api import ScanOptions, scan
from guardrails.catalog import load_catalog
from guardrails.config import load_config
from guardrails.engines.bundle import write_bundle
from guardrails.engines.rego import backend_available
from guardrails.policytest.harness import TestOptions, run_tests
from guardrails.policytest.results import Status
from testing.precommit_env import PreCommitEnv
from tests.conftest import ROOT
from tests.engines.opa_server import OpaTestServer

DOC = (ROOT / "docs" / "writing-policies.md").read_text()
ACME = ROOT / "examples" / "acme"
POLICIES = ACME / "policies"
INFRA = ACME / "infra" / "train-llm-dev.yaml"
FENCE = re.compile(r"^```(\w+)\n(.*?)^```", re.M | re.S)
EXIT = re.compile(r"\s+#\s*exit (\d+)$")
BIN = Path(sys.executable).parent


def blocks(language: str) -> list[str]:
    return [body for lang, body in FENCE.findall(DOC) if lang == language]


def console_commands() -> list[tuple[str, list[str]]]:
    """(command, expected output lines) of every ``$ `` line of the console blocks."""
    found: list[tuple[str, list[str]]] = []
    for block in blocks("console"):
        for line in block.splitlines():
            if line.startswith("$ "):
                found.append((line[2:], []))
            elif found:
                found[-1][1].append(line)
    return found


def sh_commands() -> list[str]:
    """Every command of the sh blocks (backslash continuations joined)."""
    text = "\n".join(blocks("sh")).replace("\\\n", " ")
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def run(command: str, cwd: Path = ROOT, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", **env}
    environment.pop("GITHUB_STEP_SUMMARY", None)
    return subprocess.run(
        ["bash", "-c", command], cwd=cwd, capture_output=True, text=True, timeout=600,
        env=environment, check=False,
    )  # fmt: skip


# ---- unit tier: the doc shows what is committed, and names real hooks and inputs -----------


def test_the_doc_shows_the_committed_files() -> None:
    rego = blocks("rego")
    assert rego[0] == (POLICIES / "acme_gpu_002.rego").read_text()
    assert rego[1] == (POLICIES / "acme_gpu_002_test.rego").read_text()
    expect = POLICIES / "cases" / "ACME-GPU-002" / "expect.yaml"
    assert expect.read_text() in blocks("yaml")


def test_the_hook_and_action_snippets_name_what_exists() -> None:
    hooks = {h["id"] for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    action_inputs = set(yaml.safe_load((ROOT / "action.yml").read_text())["inputs"])
    snippets = [yaml.safe_load(b) for b in blocks("yaml")]
    [precommit] = [s for s in snippets if isinstance(s, dict) and "repos" in s]
    [hook] = precommit["repos"][0]["hooks"]
    assert hook["id"] in hooks and hook["args"] == ["--policy-dir", "examples/acme/policies"]
    [workflow] = [s for s in snippets if isinstance(s, dict) and "jobs" in s]
    step = next(
        s
        for s in workflow["jobs"]["guardrails"]["steps"]
        if "guardrails-ai-infra/" in s.get("uses", "")
    )
    assert set(step["with"]) <= action_inputs and step["with"]["policy-dir"] == str(
        POLICIES.relative_to(ROOT)
    )


# ---- integration tier: every command runs ----------------------------------------------------


@pytest.mark.parametrize(("command", "expected"), console_commands())
def test_console_commands(command: str, expected: list[str]) -> None:
    wanted = EXIT.search(command)
    code = int(wanted.group(1)) if wanted else 0
    result = run(command)
    assert result.returncode == code, result.stdout[-2000:] + result.stderr[-2000:]
    if any(line.strip() for line in expected):
        assert result.stdout.splitlines() == [line for line in expected if line.strip()]
    if "--policy-dir" in command and command.split()[1] in ("check", "hook"):
        assert "ACME-GPU-002" in result.stdout
    if command.split()[1] == "test":
        assert " 0 failed, 0 errors" in result.stdout or 'failures="0"' in result.stdout


def _engines_available() -> list[str]:
    return [
        n for b, n in (("opa", "rego/opa-lib"), ("regopy", "rego/regopy")) if backend_available(b)
    ]


def test_the_tutorial_policy_passes_on_every_engine() -> None:
    with OpaTestServer() as server:
        test_run = run_tests(TestOptions(dirs=(POLICIES,), all_engines=True, opa_url=server.url))
        assert not server.state.policies.keys() & {"acme_gpu_002_test"}
    assert {r.status for r in test_run.results} == {Status.PASS}
    assert set(test_run.engines) == {*_engines_available(), "opa/remote"}
    per_engine = {e: sum(r.engine == e for r in test_run.results) for e in test_run.engines}
    assert set(per_engine.values()) == {4 + 3}, per_engine  # 4 unit tests, 3 cases each


@pytest.mark.parametrize("scope", ["resources", "summary", "graph"])
def test_a_scaffolded_policy_passes_on_every_engine(tmp_path: Path, scope: str) -> None:
    [scaffold] = [c for c in sh_commands() if c.startswith("guardrails policies new")]
    assert "--input resources" in scaffold
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    result = run(scaffold.replace("--input resources", f"--input {scope}"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    written = sorted(
        p.relative_to(tmp_path).as_posix()
        for p in tmp_path.rglob("*")
        if p.is_file() and ".git" not in p.parts
    )
    assert len(written) == 4, written
    with OpaTestServer() as server:
        test_run = run_tests(
            TestOptions(
                dirs=(tmp_path / "policies" / "acme",), all_engines=True, opa_url=server.url
            )
        )
    assert [r for r in test_run.results if r.status != Status.PASS] == []
    assert set(test_run.engines) == {*_engines_available(), "opa/remote"}
    assert len(test_run.results) == 4 * len(test_run.engines)


def test_the_action_runs_the_policy(tmp_path: Path) -> None:
    snippets = [yaml.safe_load(b) for b in blocks("yaml")]
    [workflow] = [s for s in snippets if isinstance(s, dict) and "jobs" in s]
    step = next(
        s for s in workflow["jobs"]["guardrails"]["steps"] if "with" in s and "paths" in s["with"]
    )
    inputs = {f"INPUT_{k.upper().replace('-', '_')}": v for k, v in step["with"].items()}
    outputs = tmp_path / "outputs"
    result = run(
        f"bash {shlex.quote(str(ROOT / 'scripts' / 'action-check.sh'))}",
        RUNNER_TEMP=str(tmp_path), GITHUB_OUTPUT=str(outputs), EVENT_NAME="pull_request",
        GUARDRAILS=str(Path(BIN) / "guardrails"), **inputs,
    )  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr
    annotations = [line for line in result.stdout.splitlines() if line.startswith("::error ")]
    assert any("title=ACME-GPU-002" in a for a in annotations), result.stdout
    assert all("policies/cases" not in a for a in annotations)  # the cases are not infrastructure


def test_the_webhook_denies_with_the_policy(tmp_path: Path) -> None:
    from tests.webhook.reviews import review
    from tests.webhook.server import running_server

    certs_cmd, serve_cmd = [c for c in sh_commands() if c.startswith("guardrails webhook")]
    assert run(certs_cmd, cwd=tmp_path).returncode == 0
    args = shlex.split(serve_cmd)[3:]
    for option in ("--cert", "--key", "--host", "--port"):  # the test server sets its own
        at = args.index(option)
        del args[at : at + 2]
    at = args.index("--policy-dir") + 1
    args[at] = str(ROOT / args[at])  # the server's working directory is not ours to rely on
    manifest = yaml.safe_load(INFRA.read_text())
    with running_server(tmp_path / "certs", tmp_path / "log", "--engine", "auto", *args) as server:
        answer = server.post(review(manifest))
        small = yaml.safe_load(
            (POLICIES / "cases" / "ACME-GPU-002" / "allow_16_gpus_in_dev.yaml").read_text()
        )
        small_answer = server.post(review(small))
    assert answer["allowed"] is False and "ACME-GPU-002" in answer["status"]["message"]
    assert "ACME-GPU-002" not in str(small_answer)


def test_the_bundle_on_an_opa_server(tmp_path: Path) -> None:
    bundle = tmp_path / "acme-bundle.tar.gz"
    write_bundle(load_catalog((POLICIES,)), load_config(None).for_policies(), bundle)
    check, test = [
        c for c in sh_commands() if c.startswith(("guardrails check", "guardrails test"))
    ]
    with OpaTestServer(bundle) as server:
        assert any("acme_gpu_002" in name for name in server.state.policies)
        result = run(check.replace("http://localhost:8181", server.url) + " --format github")
        assert result.returncode == 1, result.stderr
        assert "title=ACME-GPU-002" in result.stdout and "opa/remote" in result.stdout
        tested = run(test.replace("http://localhost:8181", server.url))
        assert tested.returncode == 0, tested.stdout + tested.stderr
        assert "opa/remote" in tested.stdout
        report = scan(
            [str(INFRA)],
            ScanOptions(
                no_config=True,
                engine="opa",
                opa_url=server.url,
                opa_upload=False,
                policy_dirs=(POLICIES,),
            ),
        )
    assert [f.outcome for f in report.findings if f.policy == "ACME-GPU-002"] == ["fail"]
    assert shutil.which("guardrails", path=str(BIN))


def test_the_precommit_config_runs_the_policy(
    tmp_path_factory: pytest.TempPathFactory, precommit: PreCommitEnv
) -> None:
    """The tutorial's .pre-commit-config.yaml, run by real pre-commit on a repository holding
    the example: the hook blocks the commit with ACME-GPU-002 and leaves the cases out."""
    from testing.precommit_env import hook_results, make_target_repo

    [config] = [b for b in blocks("yaml") if b.startswith("repos:")]
    match = re.search(r"repo: (\S+)\n\s+rev: ([0-9a-f]{40})", config)
    assert match
    local = config.replace(match.group(1), str(precommit.hook_repo))
    files = {p.relative_to(ROOT).as_posix(): p.read_text() for p in ACME.rglob("*") if p.is_file()}
    files[".pre-commit-config.yaml"] = local.replace(match.group(2), precommit.rev)
    repo = make_target_repo(tmp_path_factory.mktemp("target") / "repo", files)
    deny_case = "examples/acme/policies/cases/ACME-GPU-002/deny_32_gpus_in_dev.yaml"
    result = precommit.run(["run", "--files", str(INFRA.relative_to(ROOT)), deny_case], cwd=repo)
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert set(hook_results(out).values()) == {"Failed"}, out
    assert "ACME-GPU-002" in out and "train-llm-dev.yaml" in out
    assert "deny_32_gpus_in_dev.yaml" not in out, out
    assert "Traceback" not in out
