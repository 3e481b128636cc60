"""What every input parser provides."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from guardrails.errors import InputError
from guardrails.inputs.confine import Confinement
from guardrails.inputs.loader import LoadedInput
from guardrails.limits import DEFAULT_MAX_RESOURCES
from guardrails.model import Graph, SourceFormat


@dataclass(frozen=True)
class ParseOptions:
    """Settings that change how inputs are read."""

    #: Directory holding the .tf files a plan was made from (plan resources get file:line).
    source_root: Path | None = None
    max_bytes: int = 200 * 1024 * 1024
    #: The file name standard input stands for (``--stdin-path``); None: ``<stdin>``.
    stdin_path: str | None = None
    #: Most resources one scan may hold (all inputs together); past it the scan stops.
    max_resources: int = DEFAULT_MAX_RESOURCES
    #: Skip named files in no supported format instead of failing (pre-commit file lists).
    skip_unrecognized: bool = False
    #: ``--var-file`` files for the root modules of .tf inputs, applied after *.auto.tfvars.
    var_files: tuple[str, ...] = ()
    #: Which side of a Terraform plan becomes the graph: "after" (what the change makes) or
    #: "before" (the prior state: resources the plan creates are absent, all no-op).
    plan_side: str = "after"
    #: Where reads may resolve to (the scan root, paths the user typed outside it); None: anywhere.
    confinement: Confinement | None = None
    #: Directories a walk leaves out (``--policy-dir``: verdict cases are test inputs, not
    #: infrastructure); a path named inside one is still read.
    skip_dirs: tuple[Path, ...] = ()


class Parser(Protocol):
    """A parser for one input format."""

    format: SourceFormat

    def matches(self, loaded: LoadedInput) -> bool:
        """True when ``loaded`` is this parser's format (decided by content, not file name)."""
        ...

    def parse(self, loaded: LoadedInput, options: ParseOptions) -> Graph:
        """Normalize ``loaded`` into a graph; raise InputError for content it cannot use."""
        ...


#: Graphs parsed from single files, by normalized directory, with their parser's format.
Beside = Mapping[str, Sequence[tuple[SourceFormat, Graph]]]


@runtime_checkable
class DirectoryParser(Parser, Protocol):
    """A parser for a format read a directory at a time (a Terraform module is every ``.tf``
    file of its directory): files it claims while walking are handed over together."""

    def claims(self, path: str) -> bool:
        """True when the file at ``path`` is read with its directory (decided by name)."""
        ...

    def parse_directories(
        self, directories: Mapping[str, Sequence[str]], beside: Beside, options: ParseOptions
    ) -> Iterator[Graph | InputError]:
        """A graph per unit read from ``directories`` (directory -> its claimed files), or the
        error of one that cannot be read, in order; ``beside`` holds the single-file graphs of
        the same scan, so a unit another input already represents is not counted twice."""
        ...
