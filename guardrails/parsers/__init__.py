"""Parsers: every supported input format normalized into one resource graph."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path, PurePath
from typing import Any

from guardrails.errors import InputError, InputErrors, current_input
from guardrails.inputs.confine import check_inside
from guardrails.inputs.discovery import discover
from guardrails.inputs.loader import (
    STDIN_NAME,
    LoadedInput,
    document_resources,
    load,
    read_text,
    too_many_resources,
)
from guardrails.inputs.unreadable import unreadable_input
from guardrails.limits import DEFAULT_MAX_RESOURCES
from guardrails.model import INPUT_SKIPPED, Graph, InputFile, SourceFormat
from guardrails.parsers.base import DirectoryParser, ParseOptions, Parser
from guardrails.parsers.collector import collector_paused
from guardrails.parsers.helm import helm_problem
from guardrails.parsers.kubernetes import KubernetesParser, scan_scaler_edges
from guardrails.parsers.pulumi import PulumiPreviewParser, PulumiStateParser
from guardrails.parsers.terraform_hcl import TerraformHclParser
from guardrails.parsers.terraform_plan import TerraformPlanParser, TerraformStateParser

#: Order matters: the first parser whose ``matches`` accepts the content wins.
PARSERS: dict[str, Parser] = {
    "terraform-plan": TerraformPlanParser(),
    "terraform-state": TerraformStateParser(),
    "pulumi-preview": PulumiPreviewParser(),
    "pulumi-state": PulumiStateParser(),
    "terraform-hcl": TerraformHclParser(),
    "kubernetes": KubernetesParser(),
}

#: Where an unrendered Helm template can be: YAML files, and standard input (no suffix).
_TEMPLATE_SUFFIXES = frozenset({"", ".yaml", ".yml", ".tpl"})
#: Suffixes whose parse errors are worth showing; another named file that does not load is
#: "not a supported input" (content still decides: a plan saved as plan.txt is read).
_DATA_SUFFIXES = _TEMPLATE_SUFFIXES | {".json", ".tf", ".tfvars", ".hcl"}
SUPPORTED = (
    "Terraform plan/state JSON, Terraform HCL (.tf), Pulumi preview/stack export JSON "
    "or Kubernetes manifests (YAML/JSON)"
)

__all__ = [
    "DEFAULT_MAX_RESOURCES",
    "PARSERS",
    "DirectoryParser",
    "ParseOptions",
    "Parser",
    "detect",
    "parse_documents",
    "parse_paths",
    "parse_text",
]


def detect(loaded: LoadedInput) -> Parser | None:
    """The parser for ``loaded``, decided by its content."""
    for parser in PARSERS.values():
        if parser.matches(loaded):
            return parser
    return None


def claimant(path: str) -> DirectoryParser | None:
    """The parser that reads the file at ``path`` with its directory, if any (by name)."""
    for parser in PARSERS.values():
        if isinstance(parser, DirectoryParser) and parser.claims(path):
            return parser
    return None


def _load_supported(
    name: str, text: str, explicit: bool, max_resources: int | None = None, counted: int = 0
) -> LoadedInput | str:
    """The loaded input, or why a file found by walking is skipped (named files must parse).

    An unrendered Helm template is named as one, whether YAML can parse it or not.
    """
    # Helm templates are YAML files (.yaml, .yml, .tpl) or standard input; a README or any
    # other named file with "{{" in it is simply not a supported format.
    templated = PurePath(name).suffix.lower() in _TEMPLATE_SUFFIXES
    try:
        loaded = load(name, text, max_resources, counted)
    except InputError as exc:
        problem = helm_problem(text, parsed=False) if templated else None
        if problem is None and not explicit and "unsupported tag" in exc.problem:
            # CloudFormation (!Ref) or Ansible (!vault) YAML: no Kubernetes object has tags.
            return "YAML with application tags (CloudFormation, Ansible), not a supported format"
        suffix = PurePath(name).suffix.lower()
        if problem is None and suffix not in _DATA_SUFFIXES:
            # A README.md or notes.txt named by mistake: its parse error would mislead.
            problem = f"not a supported input ({suffix} file): expected {SUPPORTED}"
            raise InputError(name, problem) from exc
        if problem is None:
            raise
        if explicit:
            raise InputError(name, problem) from exc
        return problem
    problem = helm_problem(text, parsed=True) if templated and loaded.syntax == "yaml" else None
    if problem is None:
        return loaded
    if explicit:
        raise InputError(name, problem)
    return problem


def parse_text(path: str, text: str, options: ParseOptions | None = None) -> Graph:
    """Parse one input given as text; raise InputError when it is not a supported format."""
    options = options or ParseOptions()
    loaded = _load_supported(path, text, explicit=True)
    assert isinstance(loaded, LoadedInput)
    parser = detect(loaded)
    if parser is None:
        raise InputError(path, f"unrecognized input: expected {SUPPORTED}")
    return parser.parse(loaded, options)


def parse_documents(path: str, documents: Sequence[Any]) -> Graph:
    """Parse documents already in memory (an AdmissionReview, a manifest) named ``path``."""
    loaded = LoadedInput(path, "", "json", tuple(documents))
    parser = detect(loaded)
    if parser is None:
        raise InputError(path, f"unrecognized input: expected {SUPPORTED}")
    return parser.parse(loaded, ParseOptions())


def parse_paths(
    paths: list[str],
    options: ParseOptions | None = None,
    progress: Callable[[str], None] | None = None,
) -> Graph:
    """Read every input under ``paths`` and merge them into one graph.

    Files found while walking a directory that are in no supported format (a package.json,
    a values.yaml, an unrendered Helm template) are skipped and recorded as such; files named
    explicitly must parse unless ``options.skip_unrecognized`` (a pre-commit hook is handed every
    file its pattern matches). A file that cannot be read or parsed does not hide the others: it
    is recorded as an ``error`` input (the graph is partial) unless no input parsed at all, when
    its error is raised (:class:`InputErrors` for several).
    """
    with collector_paused():
        return _parse_paths(paths, options or ParseOptions(), progress)


def _parse_paths(
    paths: list[str], options: ParseOptions, progress: Callable[[str], None] | None
) -> Graph:
    graphs: list[Graph] = []
    skipped: list[InputFile] = []
    errors: list[InputError] = []
    files = discover(paths, options.skip_dirs)
    #: Parser -> directory -> the files it claims there (read together, after the rest).
    claimed: dict[DirectoryParser, dict[str, list[str]]] = {}
    beside: dict[str, list[tuple[SourceFormat, Graph]]] = {}
    total = 0
    for path, explicit in files:
        if progress:
            progress(path)
        try:
            if path != "-":
                check_inside(options.confinement, path)
        except InputError as exc:
            errors.append(exc)
            continue
        reader = claimant(path) if path != "-" else None
        if reader is not None:
            claimed.setdefault(reader, {}).setdefault(str(Path(path).parent), []).append(path)
            continue
        name = (options.stdin_path or STDIN_NAME) if path == "-" else path
        current_input.set(name)
        try:
            must_parse = explicit and not options.skip_unrecognized
            text = read_text(path, options.max_bytes)
            loaded = _load_supported(name, text, must_parse, options.max_resources, total)
        except InputError as exc:
            errors.append(exc)
            continue
        if isinstance(loaded, str):
            skipped.append(InputFile(name, INPUT_SKIPPED, (loaded,)))
            continue
        # Check before building: a parser makes several objects per resource.
        _check_count(name, total + rough_resource_count(loaded), options.max_resources)
        parser = detect(loaded)
        if parser is None:
            if explicit and not options.skip_unrecognized:
                errors.append(InputError(name, f"unrecognized input: expected {SUPPORTED}"))
            else:
                skipped.append(InputFile(name, INPUT_SKIPPED, ("not a supported format",)))
            continue
        try:
            graph = parser.parse(loaded, options)
        except InputError as exc:
            errors.append(exc)
            continue
        directory = os.path.normpath(os.path.dirname(name))
        beside.setdefault(directory, []).append((parser.format, graph))
        total += len(graph.resources)
        _check_count(name, total, options.max_resources)
        graphs.append(graph)
    for reader, directories in claimed.items():
        for item in reader.parse_directories(directories, beside, options):
            if isinstance(item, InputError):
                errors.append(item)
                continue
            total += len(item.resources)
            _check_count(item.inputs[0].path if item.inputs else "", total, options.max_resources)
            graphs.append(item)
    current_input.set(", ".join(paths[:3]))
    # A file can be met twice (walked as its own module and called by another): one line.
    errors = list({str(e): e for e in errors}.values())
    if errors and not graphs:
        raise errors[0] if len(errors) == 1 else InputErrors(errors)
    merged = Graph.merge([*graphs, *(unreadable_input(e) for e in errors)])
    edges = merged.edges + tuple(scan_scaler_edges(merged.resources, merged.edges))
    return Graph(merged.resources, edges, merged.inputs + tuple(skipped))


def rough_resource_count(loaded: LoadedInput) -> int:
    """A cheap lower bound on the resources ``loaded`` will become (before building them)."""
    return sum(document_resources(doc) for doc in loaded.documents)


def _check_count(name: str, count: int, limit: int) -> None:
    if count > limit:
        raise too_many_resources(name, count, limit)
