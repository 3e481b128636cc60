"""A Terraform module as read from disk: the parsed ``.tf`` files of one directory."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from guardrails.inputs.confine import Confinement, check_inside
from guardrails.inputs.safe_io import read_side_file
from guardrails.parsers.terraform_hcl.adapter.documents import (
    Document,
    load_document,
    quoted_text,
)
from guardrails.parsers.terraform_source import block_lines


@dataclass(frozen=True)
class SourceFile:
    """One parsed ``.tf`` file and the line of each of its blocks."""

    path: str
    lines: dict[tuple[str, str, str], int]
    doc: Document


def parsed(path: str, text: str) -> SourceFile:
    """``text`` (the file at ``path``) parsed; InputError naming ``path`` when invalid."""
    return SourceFile(path, block_lines(text), load_document(path, text))


@dataclass(frozen=True)
class ModuleSource:
    """The parsed .tf files of one directory."""

    directory: str
    files: tuple[SourceFile, ...]

    def blocks(
        self, kind: str, labels: int
    ) -> Iterator[tuple[SourceFile, tuple[str, ...], Mapping[str, Any]]]:
        """(file, labels, body) of every ``kind`` block with ``labels`` labels."""
        for file in self.files:
            for found, body in file.doc.blocks(kind, labels):
                yield file, found, body

    def local_sources(self) -> list[str]:
        """Directories this module's local module calls point at."""
        out = []
        for _, _, body in self.blocks("module", 1):
            source = quoted_text(body.get("source"))
            if source is not None and source.startswith(("./", "../")):
                out.append(os.path.normpath(os.path.join(self.directory, source)))
        return out

    def declared(self) -> set[str]:
        """Addresses of the blocks this module declares (``aws_instance.gpu``, ``module.eks``)."""
        found = {f"{t}.{n}" for _, (t, n), _ in self.blocks("resource", 2)}
        found |= {f"data.{t}.{n}" for _, (t, n), _ in self.blocks("data", 2)}
        return found | {f"module.{n}" for _, (n,), _ in self.blocks("module", 1)}


def read_module(
    directory: str, max_bytes: int, confinement: Confinement | None
) -> ModuleSource | None:
    """The module a call points at: every ``.tf`` file of ``directory``; None when it has none."""
    files = []
    for path in sorted(Path(directory).glob("*.tf")):
        check_inside(confinement, path)
        text = read_side_file(str(path), max_bytes)
        if text is not None:
            files.append(parsed(str(path), text))
    return ModuleSource(directory, tuple(files)) if files else None


def root_directories(modules: Mapping[str, ModuleSource]) -> list[str]:
    """The directories to evaluate as root modules: those no other scanned directory calls.

    A module repository's top directory used by its ``examples/*`` is evaluated through them,
    with their arguments, rather than a second time on its own with none.
    """
    called: set[str] = set()
    for directory, module in modules.items():
        called.update(d for d in module.local_sources() if d != os.path.normpath(directory))
    roots = [d for d in modules if os.path.normpath(d) not in called]
    return roots or list(modules)
