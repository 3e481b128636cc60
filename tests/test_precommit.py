"""The pre-commit hooks, run by the real ``pre-commit`` in temporary git repositories (every
hook of .pre-commit-hooks.yaml, as ``try-repo`` would, and the documented configuration):
blocked on bad Terraform, Kubernetes, plan and Pulumi files with the policy id in the output,
passing on good ones; a changed .tf file brings its module directory; the
setup in docs/pre-commit.md works as written."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from guardrails.cli.hook import module_files
from testing.precommit_env import PreCommitEnv, hook_results, make_target_repo
from tests.conftest import FIXTURES, ROOT

DATA = Path(__file__).parent / "data" / "precommit"
TERRAFORM = "guardrails (Terraform .tf)"
PLAN = "guardrails (Terraform plan JSON)"
KUBERNETES = "guardrails (Kubernetes manifests)"
PULUMI = "guardrails (Pulumi preview JSON)"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="pre-commit needs git")


def target_files() -> dict[str, str]:
    files = {p.relative_to(DATA).as_posix(): p.read_text() for p in DATA.rglob("*") if p.is_file()}
    files["plans/prod.tfplan.json"] = (
        FIXTURES / "terraform-plan/gpu_training/plan.json"
    ).read_text()
    files["stacks/dev.pulumi-preview.json"] = (FIXTURES / "pulumi/preview.json").read_text()
    files[".github/workflows/ci.yml"] = "on: push\njobs: {}\n"
    return files


BLOCKED_FILES = [
    "bad/main.tf",
    "module/variables.tf",  # only the variable changed: main.tf is evaluated with it
    "k8s/training-job.yaml",
    "k8s/compose.yaml",
    "plans/prod.tfplan.json",
    "stacks/dev.pulumi-preview.json",
]
GOOD_FILES = [
    "good/main.tf",
    "k8s/inference.yaml",
    "k8s/compose.yaml",
    "cfn/bucket.yaml",
    ".github/workflows/ci.yml",
]


def docs_config() -> str:
    text = (ROOT / "docs" / "pre-commit.md").read_text()
    blocks = re.findall(r"```yaml\n(repos:.*?)```", text, re.S)
    assert blocks, "docs/pre-commit.md has no .pre-commit-config.yaml block"
    return str(blocks[0])


def all_hooks_config(precommit: PreCommitEnv) -> str:
    """A configuration running every hook of .pre-commit-hooks.yaml, as ``try-repo`` writes
    it (try-repo installs into a fresh temporary store on every call; this one shares the
    run's store, so the hook environment is installed once)."""
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    repo = {"repo": str(precommit.hook_repo), "rev": precommit.rev}
    return yaml.safe_dump({"repos": [{**repo, "hooks": [{"id": h["id"]} for h in hooks]}]})


@pytest.fixture(scope="module")
def runs(
    tmp_path_factory: pytest.TempPathFactory, precommit: PreCommitEnv
) -> dict[str, subprocess.CompletedProcess[str]]:
    """The three pre-commit runs, started together: every hook on bad files, every hook on
    good files, and the configuration from docs/pre-commit.md."""
    base = tmp_path_factory.mktemp("targets")
    every_hook = {**target_files(), ".pre-commit-config.yaml": all_hooks_config(precommit)}
    blocked = make_target_repo(base / "blocked", every_hook)
    good = make_target_repo(base / "good", every_hook)
    config = docs_config()
    match = re.search(r"repo: (\S+)\n\s+rev: ([0-9a-f]{40})  # [^\n]+\n", config)
    assert match, "the docs pin the hook repository by a full commit SHA"
    local = config.replace(match.group(1), str(precommit.hook_repo))
    files = target_files()
    files[".pre-commit-config.yaml"] = local.replace(match.group(2), precommit.rev)
    documented = make_target_repo(base / "documented", files)
    return precommit.run_all(
        {
            "blocked": (["run", "--files", *BLOCKED_FILES], blocked),
            "good": (["run", "--files", *GOOD_FILES], good),
            "documented": (["run", "--files", "module/main.tf", "good/main.tf"], documented),
        }
    )


def test_manifest_is_valid() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-manifest", ".pre-commit-hooks.yaml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_changed_tf_file_brings_its_module_directory(tmp_path: Path) -> None:
    (tmp_path / "mod").mkdir()
    for name in ("main.tf", "variables.tf", "notes.md"):
        (tmp_path / "mod" / name).write_text("")
    changed = [
        str(tmp_path / "mod" / "variables.tf"),
        str(tmp_path / "README.md"),
        str(tmp_path / "k8s.yaml"),
    ]
    assert module_files(changed) == [
        str(tmp_path / "mod" / "main.tf"),
        str(tmp_path / "mod" / "variables.tf"),
        str(tmp_path / "k8s.yaml"),
    ]


def test_hook_skips_yaml_that_is_not_ours_and_fails_on_broken_manifests(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from guardrails.cli import main

    cfn, compose = DATA / "cfn" / "bucket.yaml", DATA / "k8s" / "compose.yaml"
    assert main(["hook", str(cfn), str(compose)]) == 0
    broken = tmp_path / "deploy.yaml"
    broken.write_text("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x\n")
    capsys.readouterr()
    assert main(["hook", str(broken), str(cfn)]) == 2
    assert capsys.readouterr().err.startswith(f"error: {broken}: malformed YAML")


def test_every_hook_blocks_bad_files_with_policy_ids(
    runs: dict[str, subprocess.CompletedProcess[str]],
) -> None:
    result = runs["blocked"]
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert hook_results(out) == {
        TERRAFORM: "Failed",
        PLAN: "Failed",
        KUBERNETES: "Failed",
        PULUMI: "Failed",
    }, out
    assert "GR-SEC-001" in out and "aws_s3_bucket.datasets" in out
    # The price of the trainer comes from the variable default in the unchanged main.tf's pair.
    assert "module/main.tf:2" in out
    # The table groups findings under their policy's heading: the message is in that section.
    cost_section = out.split("GR-COST-001 GPU cost over the environment ceiling:", 1)[1]
    assert re.search(r"costs \$[\d,]+/month at max scale", cost_section.split("\n──", 1)[0])
    assert "GR-SEC-005" in out and "Job/default/finetune" in out
    assert "compose.yaml" not in out.split(KUBERNETES, 1)[1].split("guardrails (", 1)[0]
    assert "Traceback" not in out


def test_every_hook_passes_good_files(runs: dict[str, subprocess.CompletedProcess[str]]) -> None:
    result = runs["good"]
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert hook_results(out) == {
        TERRAFORM: "Passed",
        PLAN: "Skipped",
        KUBERNETES: "Passed",
        PULUMI: "Skipped",
    }, out


def test_docs_config_runs_as_written(runs: dict[str, subprocess.CompletedProcess[str]]) -> None:
    result = runs["documented"]
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert hook_results(out)[TERRAFORM] == "Failed", out
    assert "GR-COST-001" in out, out


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}


def doc_shell_block(doc: str) -> str:
    """The ```sh block of ``doc`` without its install line (guardrails is installed here)."""
    text = (ROOT / "docs" / doc).read_text()
    block = re.findall(r"```sh\n(.*?)```", text, re.S)[-1]
    lines = block.splitlines()
    assert lines[0].startswith("pip install 'guardrails-ai-infra @ git+https://"), lines[0]
    return "\n".join(lines[1:])


@pytest.mark.parametrize(
    ("staged", "code"), [(["bad/main.tf", "README.md"], 123), (["good/main.tf"], 0)]
)
def test_docs_git_hook_without_pre_commit(tmp_path: Path, staged: list[str], code: int) -> None:
    """docs/pre-commit.md's plain-git variant, run in a repository with staged changes."""
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    for name in staged:
        source = DATA / name if (DATA / name).exists() else None
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(source.read_text() if source else "# notes\n")
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    bin_dir = str(Path(sys.executable).parent)
    result = subprocess.run(
        ["bash", "-c", doc_shell_block("pre-commit.md")],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=300,
        env={**clean_env(), "PATH": f"{bin_dir}:{os.environ.get('PATH', '')}", "NO_COLOR": "1"},
    )
    assert result.returncode == code, result.stdout + result.stderr  # xargs: 123 = a run failed
    if code:
        assert "GR-SEC-001" in result.stdout
