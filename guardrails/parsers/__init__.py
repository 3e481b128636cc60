"""Parsers: every supported input format normalized into one resource graph."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from guardrails.errors import InputError, current_input
from guardrails.limits import DEFAULT_MAX_RESOURCES
from guardrails.model import Graph, InputFile
from guardrails.parsers.base import ParseOptions, Parser
from guardrails.parsers.discovery import discover
from guardrails.parsers.hcl import TerraformHclParser
from guardrails.parsers.kubernetes import KubernetesParser
from guardrails.parsers.loader import STDIN_NAME, LoadedInput, load, read_text
from guardrails.parsers.pulumi import PulumiPreviewParser, PulumiStateParser
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

SUPPORTED = (
    "Terraform plan/state JSON, Terraform HCL (.tf), Pulumi preview/stack export JSON "
    "or Kubernetes manifests (YAML/JSON)"
)

__all__ = [
    "DEFAULT_MAX_RESOURCES",
    "PARSERS",
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


def parse_text(path: str, text: str, options: ParseOptions | None = None) -> Graph:
    """Parse one input given as text; raise InputError when it is not a supported format."""
    options = options or ParseOptions()
    loaded = load(path, text)
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
    a values.yaml) are skipped and recorded as such; files named explicitly must parse unless
    ``options.skip_unrecognized`` (a pre-commit hook is handed every file its pattern matches).
    """
    options = options or ParseOptions()
    graphs: list[Graph] = []
    skipped: list[InputFile] = []
    files = discover(paths)
    hcl_dirs: dict[str, list[str]] = {}
    total = 0
    for path, explicit in files:
        if progress:
            progress(path)
        if path != "-" and path.endswith(".tf"):
            # A directory's .tf files form one module: variables in one file apply to all.
            hcl_dirs.setdefault(str(Path(path).parent), []).append(path)
            continue
        name = (options.stdin_path or STDIN_NAME) if path == "-" else path
        current_input.set(name)
        loaded = load(name, read_text(path, options.max_bytes))
        # Check before building: a parser makes several objects per resource.
        _check_count(name, total + rough_resource_count(loaded), options.max_resources)
        parser = detect(loaded)
        if parser is None:
            if explicit and not options.skip_unrecognized:
                raise InputError(name, f"unrecognized input: expected {SUPPORTED}")
            skipped.append(InputFile(name, "skipped", ("not a supported format",)))
            continue
        graph = parser.parse(loaded, options)
        total += len(graph.resources)
        _check_count(name, total, options.max_resources)
        graphs.append(graph)
    hcl = PARSERS["terraform-hcl"]
    assert isinstance(hcl, TerraformHclParser)
    for directory, tf_files in hcl_dirs.items():
        current_input.set(directory)
        graph = hcl.parse_files(tf_files, options)
        total += len(graph.resources)
        _check_count(directory, total, options.max_resources)
        graphs.append(graph)
    current_input.set(", ".join(paths[:3]))
    merged = Graph.merge(graphs)
    return Graph(merged.resources, merged.edges, merged.inputs + tuple(skipped))


def rough_resource_count(loaded: LoadedInput) -> int:
    """A cheap lower bound on the resources ``loaded`` will become (before building them)."""
    count = 0
    for doc in loaded.documents:
        if not isinstance(doc, dict):
            continue
        count += 1
        for key in ("resource_changes", "steps", "items"):
            value = doc.get(key)
            if isinstance(value, list):
                count += len(value)
        deployment = doc.get("deployment")
        if isinstance(deployment, dict) and isinstance(deployment.get("resources"), list):
            count += len(deployment["resources"])
    return count


def _check_count(name: str, count: int, limit: int) -> None:
    if count > limit:
        raise InputError(
            name,
            f"the scan reaches {count:,} resources, over the limit of {limit:,} "
            "(raise it with --max-resources, or scan fewer files at once)",
        )
