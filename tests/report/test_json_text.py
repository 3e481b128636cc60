"""One compact item per line inside otherwise indented JSON: same value as json.dumps."""

from __future__ import annotations

import json
from typing import Any

import pytest

from guardrails.report.json_text import dumps_with_items

ITEMS = [{"a": 1, "b": [1, 2]}, {"c": "x\ny"}, [1, {"d": None}], "text", 3.5]


def _top(slot: list[Any]) -> dict[str, Any]:
    return {"version": 1, "items": slot, "after": {"k": "v"}}


def _nested(slot: list[Any]) -> dict[str, Any]:
    return {"runs": [{"tool": {"name": "t"}, "results": slot, "properties": {}}]}


@pytest.mark.parametrize("shape", [_top, _nested])
@pytest.mark.parametrize("items", [ITEMS, ITEMS[:1], []])
def test_same_value_one_item_per_line(shape: Any, items: list[Any]) -> None:
    slot: list[Any] = []
    text = dumps_with_items(shape(slot), slot, iter(items))
    assert json.loads(text) == shape(list(items))
    assert slot == []  # the caller's document is left as it was
    assert text.endswith("}\n")
    lines = text.splitlines()
    for item in items:
        assert any(line.strip().rstrip(",") == json.dumps(item) for line in lines)
    if not items:
        assert text == json.dumps(shape([]), indent=2) + "\n"


def test_strict_json_only() -> None:
    slot: list[Any] = []
    with pytest.raises(ValueError):
        dumps_with_items({"x": slot}, slot, [float("nan")])
