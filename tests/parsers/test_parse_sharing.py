"""Parsing shares parsed values instead of copying them, and keeps every limit exact."""

from __future__ import annotations

import copy
import gc
from typing import Any

import pytest

from guardrails.errors import InputError
from guardrails.inputs.safe_yaml import load_yaml
from guardrails.inputs.secrets import redact_kubernetes
from guardrails.model import REDACTED
from guardrails.parsers.collector import collector_paused
from guardrails.parsers.ids import string_map

_POD = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "p", "labels": {"app": "x"}},
    "spec": {
        "containers": [
            {"name": "a", "image": "i", "env": [{"name": "MODE", "value": "fast"}]},
            {"name": "b", "image": "i", "args": ["--password", "hunter2"]},
        ],
        "volumes": [{"name": "v", "emptyDir": {}}],
    },
}


def test_redaction_copies_only_the_path_to_a_secret() -> None:
    original = copy.deepcopy(_POD)
    out = redact_kubernetes(_POD)
    assert original == _POD  # the parsed object is never changed
    assert out["spec"]["containers"][1]["args"] == ["--password", REDACTED]
    # Untouched parts are the parsed values themselves (a 100k-object scan held each twice).
    assert out["metadata"] is _POD["metadata"]
    assert out["spec"]["volumes"] is _POD["spec"]["volumes"]
    assert out["spec"]["containers"][0] is _POD["spec"]["containers"][0]
    assert out["spec"]["containers"][1] is not _POD["spec"]["containers"][1]


def test_redaction_without_secrets_returns_the_object() -> None:
    plain = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"k": "v"}}
    assert redact_kubernetes(plain) is plain


@pytest.mark.parametrize(
    ("value", "expected", "shared"),
    [
        ({"a": "b"}, {"a": "b"}, True),
        ({"a": 1, "b": None, "c": True}, {"a": "1", "c": "true"}, False),
        ([{"key": "k", "value": "v"}], {"k": "v"}, False),
        (None, {}, False),
    ],
)
def test_string_map(value: Any, expected: dict[str, str], shared: bool) -> None:
    out = string_map(value)
    assert out == expected
    assert (out is value) is shared


@pytest.mark.parametrize("enabled", [True, False])
def test_collector_paused_restores_the_collector(enabled: bool) -> None:
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        with pytest.raises(RuntimeError), collector_paused():
            assert not gc.isenabled()
            raise RuntimeError
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


def test_what_a_parse_built_counts_as_old() -> None:
    """Young collections after the parse do not walk the parsed graph (it was 3-7 full walks)."""
    was = gc.isenabled()
    gc.enable()
    try:
        with collector_paused():
            built = [{"k": i} for i in range(20_000)]
        assert gc.get_count()[0] < 1_000
        assert gc.get_freeze_count() == 0
        gc.freeze()  # a caller's own freeze is left alone
        frozen = gc.get_freeze_count()
        with collector_paused():
            built += [{"k": i} for i in range(100)]
        # Thawing the caller's freeze would leave 0; freezing again would add the 100 new
        # dicts. Frozen objects freed by reference counting meanwhile (other threads of the
        # test process) may lower the count a little, so it is not compared exactly.
        assert 0 < gc.get_freeze_count() <= frozen
    finally:
        gc.unfreeze()
        (gc.enable if was else gc.disable)()


#: The fewest values each stream needs once aliases are expanded (29 before and after the
#: event loop stopped keeping a size per container: an anchor's size is now the count's delta).
@pytest.mark.parametrize(
    "text",
    [
        "a: &x [1, 2, {b: 3}]\nc: *x\nd: [*x, *x]\n",
        "base: &b {k: &v [1, 2]}\nuse: [*b, *v, {<<: *b, z: 1}]\n---\n- &s x\n- *s\n",
    ],
)
def test_alias_expansion_bound_is_exact(text: str) -> None:
    load_yaml("t.yaml", text, 29)
    with pytest.raises(InputError, match="more than 28 values"):
        load_yaml("t.yaml", text, 28)
