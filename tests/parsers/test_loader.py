"""Hostile and malformed inputs give one clear InputError, never a traceback or a hang."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guardrails.errors import InputError
from guardrails.inputs.loader import load, read_text
from guardrails.parsers import parse_paths, parse_text

BILLION_LAUGHS = "\n".join(
    ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    + [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]" for i in range(8)]
)


@pytest.mark.parametrize(
    ("name", "text", "problem"),
    [
        ("bad.json", '{"resource_changes": [', "malformed JSON"),
        ("bad.yaml", "apiVersion: v1\nkind: Pod\n  metadata: [", "malformed YAML"),
        (
            "tpl.yaml",
            "{{- if .Values.x }}\napiVersion: v1\n",
            "unrendered Helm template ({{ … }} at line 1): render it with `helm template` first",
        ),
        ("bomb.yaml", BILLION_LAUGHS, "alias"),
        ("cycle.yaml", "a: &a [*a]\n", "cycle"),
        ("deep.json", "[" * 100_000 + "]" * 100_000, "nesting is too deep"),
        ("unknown.json", '{"hello": "world"}', "unrecognized input"),
        ("text.yaml", "just a string\n", "unrecognized input"),
        ("python.yaml", "!!python/object/apply:os.system ['echo hi']\n", "malformed YAML"),
        (
            "wrapper.json",
            "[command]/tmp/terraform-bin show -json plan\n{}",
            "setup-terraform wrapper",
        ),
    ],
)
def test_bad_input_is_one_clear_error(tmp_path: Path, name: str, text: str, problem: str) -> None:
    f = tmp_path / name
    f.write_text(text)
    with pytest.raises(InputError) as info:
        parse_paths([str(f)])
    message = str(info.value)
    assert message.startswith(str(f) + ": ")
    assert problem in message
    assert "\n" not in message


def test_size_limit(tmp_path: Path) -> None:
    f = tmp_path / "big.json"
    f.write_text("[" + "0," * 2000 + "0]")
    with pytest.raises(InputError, match="over the 1,000-byte limit"):
        read_text(str(f), max_bytes=1000)


def test_binary_and_non_utf8(tmp_path: Path) -> None:
    (tmp_path / "bin.json").write_bytes(b"\x00\x01\x02")
    (tmp_path / "latin.yaml").write_bytes(b"name: caf\xe9\n")
    with pytest.raises(InputError, match="binary file"):
        read_text(str(tmp_path / "bin.json"))
    with pytest.raises(InputError, match="not valid UTF-8"):
        read_text(str(tmp_path / "latin.yaml"))


def test_missing_path_and_directory_walk(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        parse_paths([str(tmp_path / "nope.json")])
    (tmp_path / ".terraform").mkdir()
    (tmp_path / ".terraform" / "junk.json").write_text("{not json")
    (tmp_path / "package.json").write_text(json.dumps({"name": "x"}))
    g = parse_paths([str(tmp_path)])
    assert [(i.path.endswith("package.json"), i.format) for i in g.inputs] == [(True, "skipped")]


def test_utf8_bom_is_accepted() -> None:
    loaded = load("x.yaml", "\ufeffapiVersion: v1\nkind: Pod\n".lstrip("\ufeff"))
    assert loaded.documents[0]["kind"] == "Pod"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=30,
)
SHAPED_KEYS = [
    "resource_changes",
    "planned_values",
    "steps",
    "deployment",
    "apiVersion",
    "kind",
    "spec",
    "format_version",
    "values",
    "items",
    "metadata",
    "change",
    "address",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(SHAPED_KEYS), json_values, max_size=6))
def test_random_json_never_crashes(doc: dict[str, object]) -> None:
    with contextlib.suppress(InputError):
        parse_text("fuzz.json", json.dumps(doc))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.text(alphabet=st.sampled_from(list("abk:- \n{}[]&*!|>'\"#%@`,?0123456789")), max_size=200)
)
def test_random_yaml_text_never_crashes(text: str) -> None:
    with contextlib.suppress(InputError):
        parse_text("fuzz.yaml", text)
