"""The doc-test's own rules: how console blocks are read and how outputs are compared."""

from __future__ import annotations

from pathlib import Path

import pytest

from testing.console_blocks import console_commands, first_difference, normalise

DOC = """# Title

```sh
$ pip install something
```

```console
$ guardrails policies
one
two

$ NO_COLOR=1 guardrails check \\
    a.json
$ guardrails cost b.json
```
"""


def test_console_blocks_are_read_with_their_lines(tmp_path: Path) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text(DOC)
    commands = list(console_commands(doc, tmp_path))
    assert [(c.line, c.command, c.expected) for c in commands] == [
        (8, "guardrails policies", ("one", "two")),
        (12, "NO_COLOR=1 guardrails check  a.json", ()),
        (14, "guardrails cost b.json", ()),
    ]
    assert commands[1].argv() == ({"NO_COLOR": "1"}, ["guardrails", "check", "a.json"])
    assert commands[0].where == "doc.md:8"


@pytest.mark.parametrize(
    ("expected", "actual", "differs"),
    [
        (["a", "b"], ["a", "b"], None),
        (["a", "b"], ["a", "c"], 2),
        (["a"], ["a", "extra"], 2),
        (["a", "b"], ["a"], 2),
        (["a", "...", "z"], ["a", "b", "c", "z"], None),
        (["a", "...", "z"], ["a", "b", "c"], 3),
        (["...", "z"], ["z"], None),
        (["a", "..."], ["a", "anything", "more"], None),
        (["cost ... month"], ["cost $5 a month"], None),
        (["cost ... month"], ["price $5 a month"], 1),
    ],
)
def test_outputs_compare_with_wildcards(
    expected: list[str], actual: list[str], differs: int | None
) -> None:
    found = first_difference(expected, actual)
    if differs is None:
        assert found is None
    else:
        assert found is not None and found.startswith(f"expected line {differs}:")


def test_what_varies_is_normalised() -> None:
    text = "/tmp/x/repo/plan.json took 0.12 s and 40 ms  \nguardrails 9.9.9\n\n"
    assert normalise(text, {"/tmp/x/repo/": "", "9.9.9": "<version>"}) == [
        "plan.json took <time> and <time>",
        "guardrails <version>",
    ]
