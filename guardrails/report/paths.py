"""File paths as reviewers and code-scanning tools expect them: relative to the repository."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath


def repository_root(start: Path | None = None) -> Path:
    """``$GITHUB_WORKSPACE``, else the nearest directory upward holding ``.git``, else cwd."""
    workspace = os.environ.get("GITHUB_WORKSPACE")
    if workspace:
        return Path(workspace).resolve()
    here = (start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        if (directory / ".git").exists():
            return directory
    return here


def repo_relative(file: str, root: Path) -> str:
    """``file`` as a forward-slash path relative to ``root`` when it lies inside it."""
    if file in ("-", "<stdin>"):
        return "stdin"
    path = Path(file)
    absolute = path if path.is_absolute() else Path.cwd() / path
    try:
        return absolute.resolve().relative_to(root).as_posix()
    except ValueError:
        return PurePosixPath(path.as_posix()).as_posix()
