"""Placeholder until the parser lands (being written now)."""

from __future__ import annotations

from guardrails.errors import InputError
from guardrails.model import Graph, SourceFormat
from guardrails.parsers.base import ParseOptions
from guardrails.parsers.loader import LoadedInput


class TerraformHclParser:
    format = SourceFormat.TERRAFORM_HCL

    def matches(self, loaded: LoadedInput) -> bool:
        return False

    def parse(self, loaded: LoadedInput, options: ParseOptions) -> Graph:
        raise InputError(loaded.path, "format not supported yet")

    def parse_files(self, files: list[str], options: ParseOptions) -> Graph:
        return Graph()
