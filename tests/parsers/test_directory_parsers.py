"""Formats read a directory at a time go through the parser registry like every other format."""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import pytest

from guardrails import parsers
from guardrails.errors import InputError
from guardrails.inputs.loader import LoadedInput
from guardrails.model import Graph, InputFile, SourceFormat
from guardrails.parsers import PARSERS, DirectoryParser, ParseOptions, parse_paths
from guardrails.parsers.base import Beside
from tests.conftest import FIXTURES

PLAN = FIXTURES / "policies" / "GR-SEC-001" / "deny_public_read_bucket.json"


class _Recorder:
    """A directory format (``*.unit`` files) that records what the registry hands it."""

    format = SourceFormat.KUBERNETES

    def __init__(self) -> None:
        self.directories: dict[str, list[str]] = {}
        self.beside: dict[str, list[SourceFormat]] = {}

    def matches(self, loaded: LoadedInput) -> bool:
        return False

    def parse(self, loaded: LoadedInput, options: ParseOptions) -> Graph:
        raise AssertionError("a claimed file is never parsed on its own")

    def claims(self, path: str) -> bool:
        return path.endswith(".unit")

    def parse_directories(
        self, directories: Mapping[str, Sequence[str]], beside: Beside, options: ParseOptions
    ) -> Iterator[Graph | InputError]:
        for directory, files in directories.items():
            self.directories[Path(directory).name] = sorted(Path(f).name for f in files)
            self.beside[Path(directory).name] = [fmt for fmt, _ in beside.get(directory, ())]
            if Path(directory).name == "bad":
                yield InputError(files[0], "cannot be read")
            else:
                yield Graph(inputs=tuple(InputFile(f, "unit") for f in files))


def test_terraform_hcl_is_a_directory_parser_in_the_registry() -> None:
    hcl = PARSERS["terraform-hcl"]
    assert isinstance(hcl, DirectoryParser)
    assert [hcl.claims(p) for p in ("a/main.tf", "a/x.tfvars", "a/plan.json")] == [1, 0, 0]
    claimants = [p for p in PARSERS.values() if isinstance(p, DirectoryParser)]
    assert claimants == [hcl], "only Terraform HCL is read per directory"


def test_claimed_files_are_read_per_directory_with_what_parsed_beside(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder = _Recorder()
    monkeypatch.setitem(parsers.PARSERS, "unit", recorder)
    for directory in ("good", "bad"):
        (tmp_path / directory).mkdir()
    shutil.copy(PLAN, tmp_path / "good" / "plan.json")
    names = ["good/a.unit", "good/b.unit", "bad/c.unit"]
    for name in names:
        (tmp_path / name).write_text("x")
    monkeypatch.chdir(tmp_path)
    graph = parse_paths(["good/plan.json", *names])
    assert recorder.directories == {"good": ["a.unit", "b.unit"], "bad": ["c.unit"]}
    assert recorder.beside == {"good": [SourceFormat.TERRAFORM_PLAN], "bad": []}
    kinds = {Path(i.path).name: i.format for i in graph.inputs}
    assert kinds["a.unit"] == kinds["b.unit"] == "unit"
    assert kinds["c.unit"] == "error"  # one unreadable directory does not hide the others
