"""JSON at load: orjson's fast path and the standard library's checked path give the same
values and the same errors; nesting is bounded by a byte scan, never a walk of the values."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guardrails.errors import InputError
from guardrails.inputs import json_safe
from guardrails.inputs.json_safe import MAX_DEPTH, load_json


def _depth(value: object) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    # Brackets, quotes and backslashes inside strings must not count as nesting.
    | st.text(alphabet='[]{}"\\:,ab\n\u00e9', max_size=8),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(alphabet='[]{}"\\:,k', max_size=4), children, max_size=4)
    ),
    max_leaves=40,
)


@settings(max_examples=300, deadline=None)
@given(JSON_VALUES, st.sampled_from([None, 0, 2]))
def test_the_byte_scan_measures_nesting_exactly(value: object, indent: int | None) -> None:
    data = json.dumps(value, indent=indent, ensure_ascii=False).encode()
    depth = _depth(value)
    assert json_safe._nesting_within(data, depth)
    assert depth == 0 or not json_safe._nesting_within(data, depth - 1)
    assert load_json("x.json", data.decode()) == value


@pytest.mark.parametrize(
    ("text", "accepted"),
    [
        ("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), True),
        ("[" * (MAX_DEPTH + 2) + "]" * (MAX_DEPTH + 2), False),
        ('{"a":' * (MAX_DEPTH + 1) + "1" + "}" * (MAX_DEPTH + 1), True),
        ('{"a":' * (MAX_DEPTH + 2) + "1" + "}" * (MAX_DEPTH + 2), False),
        # Deep but within orjson's own bound of 1,024, and past it: both refused, one message.
        ("[" * 900 + "]" * 900, False),
        ("[" * 5000 + "]" * 5000, False),
        # Brackets in strings are text, however many.
        ('["' + "[" * 5000 + '"]', True),
        ('["\\"' + "[" * 300 + '\\\\"]', True),
    ],
)
def test_nesting_bound_at_max_depth(text: str, accepted: bool) -> None:
    if accepted:
        assert load_json("deep.json", text) == json.loads(text)
    else:
        with pytest.raises(InputError, match=r"^deep\.json: malformed JSON: nesting is too deep"):
            load_json("deep.json", text)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[9223372036854775808]", "bad number: integer out of the 64-bit range"),
        ("[18446744073709551615]", "bad number: integer out of the 64-bit range"),
        ("[-9223372036854775809]", "bad number: integer out of the 64-bit range"),
        ("[123456789012345678901234567890]", "bad number: integer out of the 64-bit range"),
        ("[1e400]", "bad number: not a finite number"),
        ("[NaN]", "bad number: NaN is not JSON"),
        ('{"a": [1, 2', "malformed JSON: Expecting ',' delimiter at line 1 column 12"),
    ],
)
def test_values_orjson_reads_otherwise_get_the_checked_path(text: str, problem: str) -> None:
    """orjson turns integers past 64 bits into floats and words errors its own way: such
    text is parsed again by the checked path, so the rules and messages stay the same."""
    with pytest.raises(InputError, match="^x.json: " + problem.replace("(", r"\(")):
        load_json("x.json", text)


def test_edge_values_within_the_rules_load_as_before() -> None:
    text = '[9223372036854775807, -9223372036854775808, "\\ud800", "\\ud83d\\ude00", 1.5e300]'
    assert load_json("x.json", text) == [
        2**63 - 1,
        -(2**63),
        "\ufffd",
        "\U0001f600",
        1.5e300,
    ]
