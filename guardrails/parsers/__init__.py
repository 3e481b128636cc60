"""Parsers: every supported input format normalized into one resource graph."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from guardrails.errors import InputError
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

__all__ = ["PARSERS", "ParseOptions", "Parser", "detect", "parse_paths", "parse_text"]


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


def parse_paths(
    paths: list[str],
    options: ParseOptions | None = None,
    progress: Callable[[str], None] | None = None,
) -> Graph:
    """Read every input under ``paths`` and merge them into one graph.

    Files found while walking a directory that are in no supported format (a package.json,
    a values.yaml) are skipped and recorded as such; files named explicitly must parse.
    """
    options = options or ParseOptions()
    graphs: list[Graph] = []
    skipped: list[InputFile] = []
    files = discover(paths)
    hcl_dirs: dict[str, list[str]] = {}
    for path, explicit in files:
        if progress:
            progress(path)
        if path != "-" and path.endswith(".tf"):
            # A directory's .tf files form one module: variables in one file apply to all.
            hcl_dirs.setdefault(str(Path(path).parent), []).append(path)
            continue
        name = (options.stdin_path or STDIN_NAME) if path == "-" else path
        loaded = load(name, read_text(path, options.max_bytes))
        parser = detect(loaded)
        if parser is None:
            if explicit:
                raise InputError(name, f"unrecognized input: expected {SUPPORTED}")
            skipped.append(InputFile(name, "skipped", ("not a supported format",)))
            continue
        graphs.append(parser.parse(loaded, options))
    hcl = PARSERS["terraform-hcl"]
    assert isinstance(hcl, TerraformHclParser)
    for tf_files in hcl_dirs.values():
        graphs.append(hcl.parse_files(tf_files, options))
    merged = Graph.merge(graphs)
    return Graph(merged.resources, merged.edges, merged.inputs + tuple(skipped))
