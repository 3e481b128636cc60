"""The Terraform HCL parser: ``.tf`` files, read a directory (one module) at a time."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from guardrails.errors import InputError, current_input
from guardrails.inputs.confine import check_inside
from guardrails.inputs.loader import LoadedInput, read_text
from guardrails.inputs.safe_io import read_side_file
from guardrails.model import INPUT_SKIPPED, Graph, InputFile
from guardrails.model import SourceFormat as Fmt
from guardrails.parsers.base import Beside, ParseOptions
from guardrails.parsers.terraform_hcl.addresses import root_addresses
from guardrails.parsers.terraform_hcl.budget import work_budget
from guardrails.parsers.terraform_hcl.module import (
    ModuleSource,
    SourceFile,
    parsed,
    root_directories,
)

_PLANNED = "source of the plan in this directory: gives its file:line, not counted again"


class TerraformHclParser:
    """``.tf`` configuration files (python-hcl2)."""

    format = Fmt.TERRAFORM_HCL

    def matches(self, loaded: LoadedInput) -> bool:
        return loaded.syntax == "hcl"

    def claims(self, path: str) -> bool:
        """A ``.tf`` file found on disk is read with its directory: one module."""
        return path.endswith(".tf")

    def parse_directories(
        self, directories: Mapping[str, Sequence[str]], beside: Beside, options: ParseOptions
    ) -> Iterator[Graph | InputError]:
        """The graphs of the .tf files found, one per root module, or why one cannot be read.

        Rules that keep every resource counted once: a directory another scanned directory
        calls as a local module is evaluated through that call (see :func:`root_directories`);
        .tf files beside a Terraform plan or state JSON that declares every block they declare
        are that plan's source: the plan represents them, they only give its resources their
        file:line.
        """
        modules = {}
        for directory, files in directories.items():
            current_input.set(directory)
            try:
                modules[directory] = self.load_directory(directory, list(files), options)
            except InputError as exc:  # one bad directory does not hide the others
                yield exc
        for directory in root_directories(modules):
            current_input.set(directory)
            files = list(directories[directory])
            planned = _planned(beside.get(os.path.normpath(directory), ()))
            if planned is not None and modules[directory].declared() <= planned:
                note = (
                    "source of the plan in this directory: gives its file:line, not counted again"
                )
                yield Graph(inputs=tuple(InputFile(f, INPUT_SKIPPED, (note,)) for f in files))
                continue
            try:
                with work_budget():  # one budget of work per root module and the modules it calls
                    graph = self.parse_files(files, options, modules[directory])
            except InputError as exc:
                yield exc
                continue
            yield graph

    def parse(self, loaded: LoadedInput, options: ParseOptions) -> Graph:
        directory = os.path.dirname(loaded.path) or "."
        module = ModuleSource(directory, (parsed(loaded.path, loaded.text),))
        return self.expand(module, options)

    def parse_sources(
        self, sources: list[tuple[str, str]], options: ParseOptions | None = None
    ) -> Graph:
        """.tf texts already in memory (path, text), evaluated together as one root module."""
        directory = os.path.dirname(sources[0][0]) if sources else "."
        files = tuple(parsed(path, text) for path, text in sources)
        return self.expand(ModuleSource(directory or ".", files), options or ParseOptions())

    def load_directory(
        self, directory: str, files: list[str], options: ParseOptions
    ) -> ModuleSource:
        """One directory's .tf files, parsed (variables apply across files)."""
        return ModuleSource(
            directory,
            tuple(parsed(f, read_text(f, options.max_bytes)) for f in sorted(files)),
        )

    def parse_files(
        self, files: list[str], options: ParseOptions, loaded: ModuleSource | None = None
    ) -> Graph:
        """The given .tf files of one directory as a root module.

        When only some of a directory's files are given, the ``variable`` and ``locals``
        blocks of the others still apply (a Terraform module is a directory).
        """
        directory = os.path.dirname(files[0]) or "."
        module = loaded or self.load_directory(directory, files, options)
        siblings = [
            str(p)
            for p in sorted(Path(directory).glob("*.tf"))
            if str(p) not in set(files) and p.is_file()
        ]
        context = []
        for sibling in siblings:
            check_inside(options.confinement, sibling)
            text = read_side_file(sibling, options.max_bytes)
            if text is not None:
                doc = parsed(sibling, text).doc.only(("variable", "locals"))
                context.append(SourceFile(sibling, {}, doc))
        return self.expand(module, options, tuple(context))

    def expand(
        self, module: ModuleSource, options: ParseOptions, context: tuple[SourceFile, ...] = ()
    ) -> Graph:
        """The resource graph of ``module`` as a root module, its module calls expanded."""
        # The evaluator (values, expressions, functions: ~20 modules) loads only when a .tf
        # file is read: the parser registry holds this class for every scan.
        from guardrails.parsers.terraform_hcl.builder import evaluate_root
        from guardrails.parsers.terraform_hcl.variables import root_variables

        return evaluate_root(module, root_variables(module, options), options, context)


def _planned(beside: Sequence[tuple[Fmt, Graph]]) -> set[str] | None:
    """What the plans and states in a directory declare in their root module; None: none there."""
    plans = [graph for fmt, graph in beside if fmt in (Fmt.TERRAFORM_PLAN, Fmt.TERRAFORM_STATE)]
    if not plans:
        return None
    return {address for graph in plans for address in root_addresses(graph)}
