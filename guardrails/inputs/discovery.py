"""Turning the paths a user names into the list of input files to read."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from guardrails.errors import InputError

SCANNED_SUFFIXES = (".json", ".yaml", ".yml", ".tf")
IGNORED_DIRS = frozenset(
    {
        ".terraform",
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        "__pycache__",
        ".venv",
        "venv",
        ".tox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        "charts",
        ".pulumi",
    }
)


def discover(paths: list[str], skip_dirs: Sequence[Path] = ()) -> list[tuple[str, bool]]:
    """Expand ``paths`` to input files, as (path, named_explicitly) in a stable order.

    Directories are walked (skipping IGNORED_DIRS, hidden directories and ``skip_dirs`` unless
    the walk starts inside one); files named explicitly are always read, files found by walking
    only when their suffix is scanned.
    """
    out: list[tuple[str, bool]] = []
    seen: set[str] = set()
    for raw in paths:
        if raw == "-":
            out.append(("-", True))
            continue
        p = Path(raw)
        if not p.exists():
            raise InputError(raw, "no such file or directory")
        if p.is_dir():
            for found in _walk(p, skip_dirs):
                if found not in seen:
                    seen.add(found)
                    out.append((found, False))
        elif raw not in seen:
            seen.add(raw)
            out.append((raw, True))
    return out


def _walk(root: Path, skip_dirs: Sequence[Path] = ()) -> list[str]:
    found: list[str] = []
    start = root.resolve()
    skip = {d.resolve() for d in skip_dirs if not start.is_relative_to(d.resolve())}
    for dirpath, dirnames, filenames in os.walk(root, onerror=_raise_walk_error):
        dirnames[:] = sorted(
            d for d in dirnames if _walked(d) and not (skip and Path(dirpath, d).resolve() in skip)
        )
        for name in sorted(filenames):
            if _scanned(name):
                found.append(os.path.join(dirpath, name))
    return found


def unscanned_files(paths: list[str]) -> int:
    """How many files in the directories of ``paths`` a walk does not read (other suffixes,
    hidden files): what an empty scan's error counts, so it never says "no files" of a folder
    full of them. Only called on that error path."""
    count = 0
    for raw in paths:
        if raw == "-" or not os.path.isdir(raw):
            continue
        for _, dirnames, filenames in os.walk(raw):
            dirnames[:] = [d for d in dirnames if _walked(d)]
            count += sum(1 for name in filenames if not _scanned(name))
    return count


def files_below(directory: Path, suffix: str) -> Iterator[Path]:
    """The files named ``*suffix`` below ``directory``, in the folders a scan walks (hidden
    and tool folders left out)."""
    for dirpath, dirnames, filenames in os.walk(directory):
        dirnames[:] = sorted(d for d in dirnames if _walked(d))
        yield from (Path(dirpath, n) for n in filenames if n.endswith(suffix))


def _walked(directory_name: str) -> bool:
    return directory_name not in IGNORED_DIRS and not directory_name.startswith(".")


def _scanned(name: str) -> bool:
    return name.endswith(SCANNED_SUFFIXES) and not name.startswith(".")


def _raise_walk_error(exc: OSError) -> None:
    raise InputError(str(exc.filename), f"cannot read directory: {exc.strerror}")
