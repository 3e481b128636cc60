"""File paths as reviewers and code-scanning tools expect them: relative to the repository.

Reports and fingerprints name a file by its path from the repository root, never by the path
as typed or the working directory, so the same finding has one identity on every machine.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path, PurePosixPath

from guardrails.errors import ConfigError

#: How an unnamed standard input appears in reports (never as a SARIF/annotation file).
STDIN_FILES = frozenset({"-", "<stdin>"})


def repository_root(start: Path | None = None) -> Path:
    """The git top level above ``start`` (a file or directory; default: the working
    directory), else ``$GITHUB_WORKSPACE``, else the working directory."""
    here = (start or Path.cwd()).resolve()
    if not here.is_dir():
        here = here.parent
    for directory in (here, *here.parents):
        if (directory / ".git").exists():  # a directory, or a file in worktrees and submodules
            return directory
    workspace = os.environ.get("GITHUB_WORKSPACE")
    if workspace:
        return Path(workspace).resolve()
    return Path.cwd().resolve()


def scan_root(paths: list[str], root: Path | None = None) -> Path:
    """The root a scan's paths are made relative to: ``root`` (``--root``) when given, else the
    repository holding the first input path (the working directory's for standard input)."""
    if root is not None:
        if not root.is_dir():
            raise ConfigError(f"{root}: --root is not a directory")
        return root.resolve()
    first = next((p for p in paths if p not in STDIN_FILES), None)
    return repository_root(Path(first) if first else None)


def repo_relative(file: str, root: Path) -> str:
    """``file`` as a forward-slash path relative to ``root`` when it lies inside it."""
    if file in STDIN_FILES:
        return "stdin"
    # Every finding asks, mostly about the same few files: resolve each file once per directory.
    return _repo_relative(file, root, os.getcwd())


@lru_cache(maxsize=4096)
def _repo_relative(file: str, root: Path, cwd: str) -> str:
    path = Path(file)
    absolute = path if path.is_absolute() else Path(cwd) / path
    try:
        return absolute.resolve().relative_to(root).as_posix()
    except (ValueError, OSError):
        return PurePosixPath(path.as_posix()).as_posix()


def is_stdin(file: str) -> bool:
    """True for the name an unnamed standard input gets (see ``--stdin-path``)."""
    return file in STDIN_FILES
