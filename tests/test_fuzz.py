"""Structure-aware fuzzing: every parser, the config and baseline loaders and enrichment.

Seeds are the fixtures; each case mutates one of them the way a hostile pull request could
(type confusion of any value, odd Unicode, numbers out of range, deep nesting, dropped keys,
byte-level damage) and runs it through the pipeline. Any outcome is fine except one: an
exception that is not a GuardrailsError (that is what users see as "internal error").

CI runs the ``ci`` profile (2,370 cases in well under a minute). A longer run:
``GUARDRAILS_FUZZ=long pytest tests/test_fuzz.py`` (25x the cases; see docs/hostile-input.md).
"""

from __future__ import annotations

import contextlib
import json
from copy import deepcopy
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guardrails.api import ScanOptions, build_input, enrich_graph, evaluate
from guardrails.baseline import load_baseline
from guardrails.catalog import load_catalog
from guardrails.config import DEFAULTS, Config, load_config
from guardrails.engines.python import PythonEngine
from guardrails.errors import GuardrailsError
from guardrails.parsers import ParseOptions, parse_text
from guardrails.parsers.terraform_hcl import TerraformHclParser
from guardrails.report import REPORTERS
from tests.conftest import FIXTURES, FUZZ_LONG, FUZZ_SCALE

# CI replays the same cases every run (a red build always reproduces); the long run explores
# fresh random cases.
settings.register_profile(
    "fuzz-ci",
    deadline=None,
    suppress_health_check=list(HealthCheck),
    print_blob=True,
    derandomize=True,
)
settings.register_profile(
    "fuzz-long", settings.get_profile("fuzz-ci"), max_examples=25, derandomize=False
)
#: ``GUARDRAILS_FUZZ=long`` runs 25x the cases of CI (about 60,000).
_PROFILE = "fuzz-long" if FUZZ_LONG else "fuzz-ci"


def _examples(n: int) -> Any:
    return settings(settings.get_profile(_PROFILE), max_examples=n * FUZZ_SCALE)


def _seed_files() -> list[Path]:
    found = sorted((FIXTURES / "policies").rglob("*.json"))
    found += sorted((FIXTURES / "policies").rglob("*.yaml"))
    found += sorted((FIXTURES / "kubernetes").glob("*"))
    found += sorted((FIXTURES / "pulumi").glob("*.json"))
    return [f for f in found if f.is_file()]


def _documents(path: Path) -> list[Any]:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        return [json.loads(text)]
    return [d for d in yaml.safe_load_all(text) if d is not None]


SEEDS = [(p, _documents(p)) for p in _seed_files()]
HCL_SEEDS = [
    (p, p.read_text(encoding="utf-8")) for p in sorted((FIXTURES).rglob("*.tf")) if p.is_file()
]

_STRINGS = st.sampled_from(
    [
        "",
        "²",
        "٣",
        "inf",
        "-1",
        "1e999",
        "NaN",
        "9" * 30,
        "\x1b]8;;http://x\x07link\x1b]8;;\x07\x1b[31m",
        "a\rb",
        "<script>alert(1)</script>",
        "\ud800",
        "ünïcødé 🚀",
        "${var.x}",
        "nodot",
        "module.a.module.b",
        "2024-01-01",
        "\x00",
    ]
) | st.text(max_size=20)
_NUMBERS = (
    st.sampled_from([0, -1, 2**31, 2**63 - 1, -(2**63), 2**63, 10**400, 1e308, -0.0, 0.5, 1e-320])
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
)
_LEAVES = _STRINGS | _NUMBERS | st.booleans() | st.none()
_VALUES = st.recursive(
    _LEAVES,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_STRINGS, inner, max_size=3),
    max_leaves=8,
)


def _paths(doc: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(doc, dict):
        for key, value in doc.items():
            out.extend(_paths(value, (*prefix, key)))
    elif isinstance(doc, list):
        for i, value in enumerate(doc):
            out.extend(_paths(value, (*prefix, i)))
    return out


def _set(doc: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    parent = doc
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = value
    return doc


def _delete(doc: Any, path: tuple[Any, ...]) -> Any:
    if not path:
        return doc
    parent = doc
    for step in path[:-1]:
        parent = parent[step]
    del parent[path[-1]]
    return doc


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, str]:
    """A fixture (name, text) with 1-4 structure-aware mutations."""
    path, documents = draw(st.sampled_from(SEEDS))
    docs = deepcopy(documents)
    index = draw(st.integers(0, len(docs) - 1))
    doc = docs[index]
    for _ in range(draw(st.integers(1, 4))):
        paths = _paths(doc)
        where = draw(st.sampled_from(paths))
        action = draw(st.sampled_from(["replace", "replace", "replace", "delete", "nest", "wrap"]))
        current: Any = doc
        for step in where:
            current = current[step]
        if action == "replace":
            doc = _set(doc, where, draw(_VALUES))
        elif action == "delete" and where:
            doc = _delete(doc, where)
        elif action == "nest":
            depth = draw(st.sampled_from([5, 50, 199, 250]))
            deep: Any = current
            for _ in range(depth):
                deep = [deep]
            doc = _set(doc, where, deep)
        elif action == "wrap":
            doc = _set(doc, where, [current, current] if draw(st.booleans()) else str(current))
    docs[index] = doc
    if path.suffix == ".json":
        text = json.dumps(docs[0])  # may contain NaN/Infinity/huge ints: the loader decides
    else:
        try:
            text = yaml.safe_dump_all(docs, allow_unicode=draw(st.booleans()))
        except RecursionError:  # PyYAML's dumper recurses; JSON flow style is YAML too
            text = "\n---\n".join(json.dumps(d) for d in docs)
    return path.name, text


#: Plans are read with the .tf files of a real configuration beside them, so the mutations
#: also reach module sources and source-line mapping.
_SOURCE_ROOT = FIXTURES / "terraform-plan" / "gpu_training"


def _run_pipeline(name: str, text: str) -> None:
    try:
        graph = parse_text(name, text, ParseOptions(source_root=_SOURCE_ROOT))
        enriched = enrich_graph(graph, Config())
        json.dumps(enriched.to_input(), allow_nan=False)
    except GuardrailsError:
        pass


@_examples(1400)
@given(mutated())
def test_mutated_fixtures_never_crash(case: tuple[str, str]) -> None:
    _run_pipeline(*case)


@_examples(150)
@given(mutated())
def test_mutated_fixtures_evaluate_and_report(case: tuple[str, str]) -> None:
    """Past parsing: the python engine and every reporter take whatever enrichment made."""
    name, text = case
    try:
        graph = enrich_graph(parse_text(name, text), Config())
    except GuardrailsError:
        return
    report = evaluate(graph, Config(), ScanOptions(engine="python"))
    for fmt, render in REPORTERS.items():
        out = render(report, False)
        if fmt in ("json", "sarif"):
            json.loads(out)


#: What a scalar becomes most often in the twin test: containers and other scalar types.
_OTHER_SHAPES: list[Any] = [[], {}, [[]], [{}], None, 5, "x", True]


def _get(doc: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        doc = doc[step]
    return doc


@cache
def _policy_inputs() -> list[dict[str, Any]]:
    """The enriched input of every policy case (what the engines receive)."""
    cases = sorted((FIXTURES / "policies").glob("*/*.*"))
    docs = []
    for case in cases:
        if case.suffix in (".json", ".yaml", ".tf") and case.name != "config.yaml":
            with contextlib.suppress(GuardrailsError):
                docs.append(build_input([str(case)], ScanOptions(no_config=True)))
    return [d for d in docs if d["resources"]]


@_examples(400)
@given(data=st.data())
def test_twins_take_any_json_anywhere_in_attributes(data: st.DataObject) -> None:
    """Every Python twin on enriched inputs whose attributes hold JSON of another type
    anywhere (a list where a string was: an unhashable value once raised)."""
    doc = deepcopy(data.draw(st.sampled_from(_policy_inputs())))
    resource = data.draw(st.sampled_from(doc["resources"]))
    attributes = resource["attributes"]
    leaves = [p for p in _paths(attributes)[1:] if not isinstance(_get(attributes, p), dict | list)]
    if leaves and data.draw(st.booleans()):  # every scalar of the resource at once
        value = data.draw(st.sampled_from(_OTHER_SHAPES))
        for where in leaves:
            _set(attributes, where, deepcopy(value))
    for _ in range(data.draw(st.integers(0, 3)) if leaves else 0):
        value = data.draw(st.sampled_from(_OTHER_SHAPES) | _VALUES)
        _set(attributes, data.draw(st.sampled_from(leaves)), value)
    PythonEngine().evaluate(doc, Config().for_policies(), load_catalog())


@_examples(300)
@given(data=st.data())
def test_damaged_bytes_never_crash(data: st.DataObject) -> None:
    path, _ = data.draw(st.sampled_from(SEEDS))
    raw = bytearray(path.read_bytes())
    for _ in range(data.draw(st.integers(1, 6))):
        at = data.draw(st.integers(0, max(0, len(raw) - 1)))
        kind = data.draw(st.sampled_from(["flip", "cut", "insert"]))
        if kind == "flip" and raw:
            raw[at] = data.draw(st.integers(0, 255))
        elif kind == "cut":
            del raw[at : at + data.draw(st.integers(1, 40))]
        else:
            raw[at:at] = data.draw(
                st.sampled_from([b"&a ", b"*a", b"[", b"{", b"\xe9", b"\\ud800"])
            )
    try:
        text = bytes(raw).decode("utf-8")
    except UnicodeDecodeError:
        return  # the reader refuses this with one line before any parser sees it
    _run_pipeline(path.name, text)


@_examples(120)
@given(data=st.data())
def test_hcl_mutations_never_crash(data: st.DataObject) -> None:
    path, text = data.draw(st.sampled_from(HCL_SEEDS))
    lines = text.splitlines()
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, max(0, len(lines) - 1)))
        snippet = data.draw(
            st.sampled_from(
                [
                    "  count = 99999999999999999999999999999",
                    "  replicas = 1e999",
                    '  tags = { "\\u00e9" = "²" }',
                    "  x = [[[[[[[[[[1]]]]]]]]]]",
                    'variable "v" {\n  sensitive = true\n  default = 5\n}',
                    "}",
                    '  gpu = "inf"',
                ]
            )
        )
        lines.insert(at, snippet)
    try:
        graph = TerraformHclParser().parse_sources([(str(path), "\n".join(lines))])
        json.dumps(enrich_graph(graph, Config()).to_input(), allow_nan=False)
    except GuardrailsError:
        pass


@_examples(250)
@given(data=st.data())
def test_config_loader_never_crashes(data: st.DataObject, tmp_path_factory: Any) -> None:
    config = deepcopy(DEFAULTS)
    config["waivers"] = [
        {
            "policy": "GR-SEC-001",
            "resource": "*",
            "reason": "r",
            "owner": "o",
            "expires": date(2026, 1, 1).isoformat(),
        }
    ]
    paths = _paths(config)
    for _ in range(data.draw(st.integers(1, 3))):
        where = data.draw(st.sampled_from(paths))
        config = _set(config, where, data.draw(_VALUES))
        paths = _paths(config)
    text = yaml.safe_dump(config, allow_unicode=True) if isinstance(config, dict) else "x: ["
    if data.draw(st.booleans()):
        text = text.replace("2026-01-01", "2026-01-01T00:00:00Z")  # a YAML timestamp
    file = tmp_path_factory.mktemp("cfg") / ".guardrails.yaml"
    file.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        loaded = load_config(file)
        json.dumps(loaded.values, allow_nan=False)
    except GuardrailsError:
        pass


@_examples(150)
@given(data=st.data())
def test_baseline_loader_never_crashes(data: st.DataObject, tmp_path_factory: Any) -> None:
    doc: Any = {
        "version": 1,
        "tool": "guardrails",
        "findings": [{"fingerprint": "a" * 32, "policy": "GR-SEC-001", "resource": "x"}],
    }
    for _ in range(data.draw(st.integers(1, 3))):
        doc = _set(doc, data.draw(st.sampled_from(_paths(doc))), data.draw(_VALUES))
    file = tmp_path_factory.mktemp("bl") / "baseline.json"
    file.write_text(json.dumps(doc), encoding="utf-8", errors="surrogatepass")
    with contextlib.suppress(GuardrailsError):
        load_baseline(file)


def test_seeds_are_present() -> None:
    assert len(SEEDS) > 20 and HCL_SEEDS, "fuzzing needs the fixtures as seeds"


@pytest.mark.parametrize("name", sorted(p.name for p in (FIXTURES / "hostile").glob("*")))
def test_hostile_fixtures_seed_the_fuzzer_too(name: str) -> None:
    path = FIXTURES / "hostile" / name
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return
    _run_pipeline(name, text)
