"""Keeping reads inside the repository: a pull request's symlinks cannot widen what is read.

A pull request controls every file in the checkout, symlinks included: ``terraform.tfvars``
pointing at a registry credentials file, a module ``source = "../../outside"``, a
``modules.json`` whose ``Dir`` is absolute. Every file the scan reads because of what a
repository file says (walked inputs, ``.tf`` siblings, tfvars, module directories, the source
index beside a plan) must resolve inside the scan root. A path the user typed on the command
line lexically outside the root is the user's choice: its own tree is allowed too.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from guardrails.errors import InputError
from guardrails.inputs.safe_io import check_regular

OUTSIDE_ROOT = "resolves outside the repository root (a symbolic link?); refused, not read"


def within(path: str, directory: str) -> bool:
    """True when ``path`` is ``directory`` or below it (both absolute, normalised)."""
    return path == directory or path.startswith(directory.rstrip(os.sep) + os.sep)


@dataclass(frozen=True)
class Confinement:
    """The directories (real paths) reads may resolve into."""

    roots: tuple[str, ...]

    @classmethod
    def of(cls, root: Path, typed: Iterable[str] = ()) -> Confinement:
        """The scan ``root`` plus the tree of every ``typed`` path that lies, as typed (before
        symlinks), outside it: those the user chose. A typed file allows its directory (the
        ``.tf`` files and tfvars beside it). A typed path inside the root that resolves
        outside it gains nothing: the symlink is the repository's, not the user's."""
        real_root = os.path.realpath(root)
        lexical_root = os.path.abspath(root)
        roots = [real_root]
        for path in typed:
            if path in ("", "-"):
                continue
            lexical = os.path.abspath(path)
            if within(lexical, lexical_root) or within(lexical, real_root):
                continue
            real = os.path.realpath(path)
            roots.append(real if os.path.isdir(real) else os.path.dirname(real))
        return cls(tuple(dict.fromkeys(roots)))

    def allows(self, path: str | Path) -> bool:
        """True when ``path``, every symlink followed, lies inside one of the roots."""
        try:
            real = os.path.realpath(path)
        except (OSError, ValueError):
            return False
        return any(within(real, root) for root in self.roots)

    def check(self, path: str | Path) -> None:
        """InputError naming ``path`` (never its target or content) when it leads outside; a
        FIFO, socket or device is named as one (refused from its ``stat``, wherever it is)."""
        if not self.allows(path):
            if os.path.lexists(path):
                check_regular(str(path))
            raise InputError(str(path), OUTSIDE_ROOT)


def check_inside(confinement: Confinement | None, path: str | Path) -> None:
    """:meth:`Confinement.check` when there is a confinement (library callers may have none)."""
    if confinement is not None:
        confinement.check(path)


def allowed(confinement: Confinement | None, path: str | Path) -> bool:
    """:meth:`Confinement.allows`, True without a confinement."""
    return confinement is None or confinement.allows(path)
