"""The install a benchmark measures: what a user gets from the README, not the dev checkout.

A user runs ``pip install .`` (non-editable): the package sits in site-packages with its
bytecode compiled at install time. The development venv holds an editable install instead,
and this environment sets ``PYTHONDONTWRITEBYTECODE=1``, so every process there recompiles
every guardrails module (~100 ms a process). ``readme_install`` builds the user's install
once per source tree (a hash of the files the package is built from) under the benchmarks'
cache, and ``child_env`` is the environment a measured process runs with.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "guardrails-bench"
#: What ``pip install .`` builds from (pyproject.toml, setup.py): the package and its policies.
_SOURCES = ("pyproject.toml", "setup.py", "README.md", "guardrails", "policies")
_SKIPPED_DIRS = {"__pycache__", ".mypy_cache", ".pytest_cache"}
#: Written last: a directory without it is a build that did not finish.
_COMPLETE = "guardrails-bench-complete"
#: Installs kept (the cache is shared by checkouts that may benchmark at the same time).
_KEEP = 4
#: Environment variables of a development shell that change what a measured process runs.
_DEV_ONLY = frozenset({"PYTHONDONTWRITEBYTECODE", "PYTHONPATH"})


@dataclass(frozen=True)
class Install:
    """A README-style install: its ``guardrails`` command and what it was built from."""

    guardrails: Path
    python: Path
    source_hash: str

    def describe(self) -> str:
        """One line for a results file: which install was measured."""
        return (
            f"README-style install (non-editable `pip install .`, bytecode compiled) of the "
            f"checkout, source sha256 {self.source_hash[:12]}, at {self.guardrails}"
        )


def source_hash(root: Path = ROOT) -> str:
    """sha256 over the names and contents of the files the package is built from."""
    digest = hashlib.sha256()
    for name in _SOURCES:
        top = root / name
        files = [top] if top.is_file() else sorted(_files(top))
        for path in files:
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _files(top: Path) -> list[Path]:
    found = []
    for directory, dirs, names in os.walk(top):
        dirs[:] = [d for d in dirs if d not in _SKIPPED_DIRS]
        found += [Path(directory, n) for n in names if not n.endswith(".pyc")]
    return found


def readme_install(root: Path = ROOT, cache: Path = CACHE) -> Install:
    """The README install of ``root``: reused when the source is unchanged, else built
    (a fresh venv and ``pip install`` of the checkout, about 20 s with a warm pip cache)."""
    digest = source_hash(root)
    base = cache / "readme-install"
    venv = base / digest[:16]
    install = Install(venv / "bin" / "guardrails", venv / "bin" / "python", digest)
    base.mkdir(parents=True, exist_ok=True)
    with open(base / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a concurrent benchmark waits for the same build
        if (venv / _COMPLETE).exists():
            (venv / _COMPLETE).touch()  # recently used: kept
            return install
        _prune(base)
        print(f"installing {root} into {venv} (README-style) ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        pip = [str(install.python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
        subprocess.run([*pip, str(root)], check=True, env=child_env())
        (venv / _COMPLETE).write_text(digest + "\n")
    return install


def _prune(base: Path) -> None:
    """Remove all but the most recently used installs (each is a whole venv)."""
    built = [d for d in base.iterdir() if (d / _COMPLETE).exists()]
    built.sort(key=lambda d: (d / _COMPLETE).stat().st_mtime, reverse=True)
    unfinished = [d for d in base.iterdir() if d.is_dir() and d not in built]
    for stale in built[_KEEP - 1 :] + unfinished:
        shutil.rmtree(stale, ignore_errors=True)


def child_env(**extra: str) -> dict[str, str]:
    """The environment of a measured process: this one's, with bytecode writing on (a user's
    Python writes ``__pycache__``; this environment's PYTHONDONTWRITEBYTECODE would not) and
    no PYTHONPATH (which could put the checkout before the install)."""
    env = {k: v for k, v in os.environ.items() if k not in _DEV_ONLY}
    env.update(extra)
    return env
