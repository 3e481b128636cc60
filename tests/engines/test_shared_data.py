"""One truth for the constants both engines need: ``policies/data/*.json``.

The Rego policies read each file as ``data.guardrails.<name>``, the Python twins and enrichment
through ``guardrails.bundled.shared_data``. These tests fail when a constant is written out
again in a policy, a twin or enrichment, or when an engine stops loading the files.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from guardrails.bundled import SHARED_DATA, bundled_policy_dir, shared_data
from guardrails.catalog import load_catalog
from guardrails.engines.bundle import bundle_files
from guardrails.engines.rego import policy_data
from tests.conftest import ROOT

DATA_DIR = bundled_policy_dir() / "data"
REGO_FILES = sorted(p for p in (ROOT / "policies").rglob("*.rego") if "data" not in p.parts)
TWIN_FILES = sorted((ROOT / "guardrails" / "engines" / "python").rglob("*.py"))
ENRICH_FILES = sorted((ROOT / "guardrails" / "enrich").rglob("*.py"))
_REGO_STRING = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
_REGO_COLLECTION = re.compile(r"[\[{]([^\[\]{}]*)[\]}]")


def _string_lists() -> dict[str, frozenset[str]]:
    """Every list (or object's keys) of strings in the shared files, by a dotted name."""
    found: dict[str, frozenset[str]] = {}
    for name in SHARED_DATA:
        for key, value in shared_data(name).items():
            if isinstance(value, list | dict) and len(value) >= 2:
                found[f"{name}.{key}"] = frozenset(value)
    return found


def _single_names() -> frozenset[str]:
    """Names specific enough that a literal of one alone is a copy (accelerators, taints)."""
    return frozenset(shared_data("accelerators")["whole_devices"]) | frozenset(
        shared_data("spot")["taint_keys"]
    )


def _rego_code(path: Path) -> str:
    """The Rego source without comments (METADATA may name the values for readers)."""
    return "\n".join(line.split("#", 1)[0] for line in path.read_text().splitlines())


def _rego_collections(path: Path) -> Iterator[tuple[int, set[str]]]:
    for number, line in enumerate(_rego_code(path).splitlines(), 1):
        for group in _REGO_COLLECTION.finditer(line):
            yield number, set(_REGO_STRING.findall(group.group(1)))


def _python_collections(path: Path, keys: bool = True) -> Iterator[tuple[int, set[str]]]:
    """String members of each set, list, tuple (and with ``keys`` dict) literal."""
    for node in ast.walk(ast.parse(path.read_text())):
        elements: list[ast.expr] = []
        if isinstance(node, ast.Set | ast.List | ast.Tuple):
            elements = node.elts
        elif isinstance(node, ast.Dict) and keys:
            elements = [k for k in node.keys if k is not None]
        strings = {e.value for e in elements if isinstance(e, ast.Constant)}
        yield (
            node.lineno if hasattr(node, "lineno") else 0,
            {s for s in strings if isinstance(s, str)},
        )


def _python_strings(path: Path) -> Iterator[tuple[int, str]]:
    tree = ast.parse(path.read_text())
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
        ):
            yield node.lineno, node.value


def test_every_data_file_is_shared_and_every_shared_name_has_a_file() -> None:
    on_disk = {p.stem for p in DATA_DIR.glob("*.json")} - {"gpu_catalog"}
    assert on_disk == set(SHARED_DATA)


@pytest.mark.parametrize("name", SHARED_DATA)
def test_every_rego_engine_loads_the_shared_data(name: str) -> None:
    """The OPA library, regopy and a remote OPA (upload mode) all load ``policy_data``;
    ``guardrails bundle`` (remote bundle mode) writes it into the bundle's data.json."""
    expected = json.loads((DATA_DIR / f"{name}.json").read_text())
    assert policy_data({})["guardrails"][name] == expected
    bundled = json.loads(bundle_files(load_catalog(), {})["data.json"])
    assert bundled["guardrails"][name] == expected


def test_no_shared_list_is_written_out_again() -> None:
    """No literal collection in a policy or twin holds two or more values of a shared list,
    and enrichment spells out none of them whole: the list is read from policies/data.
    (Enrichment keeps tables of its own that overlap them, by kind or by type.)"""
    copies = []
    for key, values in _string_lists().items():
        for path in REGO_FILES:
            for line, strings in _rego_collections(path):
                if len(strings & values) >= 2:
                    copies.append(f"{path.relative_to(ROOT)}:{line} repeats {key}")
        for path in TWIN_FILES:
            for line, strings in _python_collections(path):
                if len(strings & values) >= 2:
                    copies.append(f"{path.relative_to(ROOT)}:{line} repeats {key}")
        for path in ENRICH_FILES:
            for line, strings in _python_collections(path, keys=False):
                if strings == values:
                    copies.append(f"{path.relative_to(ROOT)}:{line} repeats {key}")
    assert not copies, "\n".join(copies)


def test_no_policy_or_twin_spells_an_accelerator_or_spot_taint() -> None:
    """GPU resource names and spot taint keys appear in no Rego code and no twin string."""
    names = _single_names()
    spelled = [
        f"{path.relative_to(ROOT)}: {value}"
        for path in REGO_FILES
        for value in _REGO_STRING.findall(_rego_code(path))
        if value in names
    ]
    spelled += [
        f"{path.relative_to(ROOT)}:{line}: {value}"
        for path in TWIN_FILES
        for line, value in _python_strings(path)
        if value in names
    ]
    assert not spelled, "\n".join(spelled)


def test_every_shared_value_is_read_by_the_policies() -> None:
    """Each key of each shared file is read by some policy (no dead data)."""
    rego = "\n".join(_rego_code(p) for p in REGO_FILES)
    unread = []
    for name in SHARED_DATA:
        for key in shared_data(name):
            if key == "description":
                continue
            direct = f"data.guardrails.{name}.{key}" in rego
            typed = name == "resource_types" and f'util.types("{key}")' in rego
            node_labels = name == "spot" and key == "node_labels"  # enrichment's spot selector
            if not (direct or typed or node_labels):
                unread.append(f"{name}.{key}")
    assert not unread, unread


def test_shared_data_is_read_once() -> None:
    assert shared_data("accelerators") is shared_data("accelerators")
    with pytest.raises(KeyError):
        shared_data("../gpu_catalog")
