"""A real pre-commit setup around this repository, shared by tests and the hook benchmark.

pre-commit installs a ``language: python`` hook repository with ``pip install .`` into a fresh
virtualenv, and ``try-repo`` does so in a new temporary store on every call. To keep the
network to one resolution, the dependencies are downloaded once into a wheelhouse (from the
package registry) and every install pip makes for pre-commit reads only that wheelhouse.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: Directories never copied into the hook repository (local state, not the project).
_SKIP = {".git", ".venv", "build", "dist", ".hypothesis", ".pytest_cache", ".mypy_cache"}
#: Every dependency, and the build backend, pinned with hashes (what action.yml installs).
LOCK = ROOT / "requirements" / "action.txt"
_HOOK_LINE = re.compile(
    r"^(guardrails \([^)]*\))\.*(?:\(no files to check\))?(Passed|Failed|Skipped)$"
)


@dataclass(frozen=True)
class PreCommitEnv:
    """A committed copy of this repository (the hook repo) and the environment to run in."""

    hook_repo: Path
    rev: str
    env: dict[str, str]

    def run(
        self, args: list[str], cwd: Path, timeout: int = 600
    ) -> subprocess.CompletedProcess[str]:
        """Run ``pre-commit ARGS`` in ``cwd`` with this environment."""
        return self.run_all({"run": (args, cwd)}, timeout)["run"]

    def run_all(
        self, runs: dict[str, tuple[list[str], Path]], timeout: int = 900
    ) -> dict[str, subprocess.CompletedProcess[str]]:
        """Run several ``pre-commit`` commands at once (each installs its own hook
        environment, mostly waiting on disk): ``{name: (args, cwd)}`` -> results."""
        started = {
            name: subprocess.Popen(
                [sys.executable, "-m", "pre_commit", *args],
                cwd=cwd,
                env=self.env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for name, (args, cwd) in runs.items()
        }
        results = {}
        for name, process in started.items():
            try:
                out, err = process.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                out, err = process.communicate()
            results[name] = subprocess.CompletedProcess(process.args, process.returncode, out, err)
        return results


def git(*args: str, cwd: Path) -> str:
    """Run git with a fixed identity (commits in temporary repositories)."""
    result = subprocess.run(
        ["git", "-c", "user.name=guardrails-tests", "-c", "user.email=tests@invalid", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def project_files() -> list[Path]:
    """The repository's files (tracked and new, not ignored); every file when not in git."""
    try:
        listed = git("ls-files", "-co", "--exclude-standard", "-z", cwd=ROOT)
        return [ROOT / name for name in listed.split("\0") if name and (ROOT / name).is_file()]
    except (subprocess.CalledProcessError, FileNotFoundError):
        return [
            p
            for p in ROOT.rglob("*")
            if p.is_file()
            and not _SKIP.intersection(p.relative_to(ROOT).parts)
            and "__pycache__" not in p.parts
            and ".egg-info" not in str(p)
        ]


def make_hook_repo(dest: Path) -> tuple[Path, str]:
    """Copy the working tree into ``dest`` as a one-commit git repository; (path, commit)."""
    for file in project_files():
        target = dest / file.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(file, target)
    git("init", "-q", cwd=dest)
    git("add", "-A", cwd=dest)
    git("commit", "-q", "-m", "hook repository under test", cwd=dest)
    return dest, git("rev-parse", "HEAD", cwd=dest)


def build_wheelhouse(dest: Path) -> Path:
    """Download, once, the dependencies pinned in requirements/action.txt (hash-checked, this
    platform's files only): what the action installs and what pip resolves the hook
    repository's dependencies to when it may read nothing else."""
    pip = [sys.executable, "-m", "pip", "download", "-q", "--require-hashes", "--no-deps"]
    subprocess.run(
        [*pip, "-d", str(dest), "-r", str(LOCK)],
        check=True,
        capture_output=True,
        text=True,
        timeout=900,
    )
    return dest


def offline_pip(wheelhouse: Path) -> dict[str, str]:
    """Environment variables that make every pip install read only ``wheelhouse``."""
    return {"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(wheelhouse), "PIP_NO_COMPILE": "1"}


def prepare(base: Path, wheelhouse: Path | None = None) -> PreCommitEnv:
    """Hook repository and pre-commit environment under ``base`` (pip reads ``wheelhouse``,
    downloaded here when not given)."""
    hook_repo, rev = make_hook_repo(base / "hook-repo")
    wheels = wheelhouse or build_wheelhouse(base / "wheels")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "PRE_COMMIT"))}
    env.update(offline_pip(wheels), PRE_COMMIT_HOME=str(base / "pre-commit-home"), NO_COLOR="1")
    return PreCommitEnv(hook_repo, rev, env)


def make_target_repo(dest: Path, files: dict[str, str]) -> Path:
    """A git repository holding ``files`` (relative path -> text), all committed."""
    dest.mkdir(parents=True)
    for name, text in files.items():
        path = dest / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    git("init", "-q", cwd=dest)
    git("add", "-A", cwd=dest)
    git("commit", "-q", "-m", "infrastructure", cwd=dest)
    return dest


def hook_results(output: str) -> dict[str, str]:
    """``{hook name: Passed|Failed|Skipped}`` from pre-commit's output."""
    results = {}
    for line in output.splitlines():
        match = _HOOK_LINE.match(line.strip())
        if match:
            results[match.group(1)] = match.group(2)
    return results
