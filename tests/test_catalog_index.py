"""The bundled catalog's index (catalog/bundled.json): fresh, equal to parsing, never stale."""

from __future__ import annotations

from pathlib import Path

import pytest

from guardrails.bundled import bundled_policy_dir
from guardrails.catalog.index import INDEX_FILE, read_index, render_index
from guardrails.catalog.metadata import policies_in, policy_texts

DIRECTORY = bundled_policy_dir()
TEXTS = policy_texts(DIRECTORY)


def test_the_committed_index_is_the_one_the_policies_give() -> None:
    fresh = render_index(DIRECTORY, TEXTS, policies_in(TEXTS, bundled=True))
    assert INDEX_FILE.read_text(encoding="utf-8") == fresh, (
        "a bundled policy changed: run python tools/build_catalog_index.py"
    )


def test_the_index_describes_every_policy_as_its_metadata_block_does() -> None:
    assert read_index(DIRECTORY, TEXTS) == policies_in(TEXTS, bundled=True)


def _retitled(texts: list[tuple[Path, str]]) -> list[tuple[Path, str]]:
    file, text = texts[0]
    return [(file, text.replace("title:", "title: Renamed", 1)), *texts[1:]]


@pytest.mark.parametrize(
    "texts",
    [
        pytest.param(_retitled(TEXTS), id="a METADATA block edited"),
        pytest.param(TEXTS[1:], id="a policy file removed"),
        pytest.param([*TEXTS, (DIRECTORY / "extra.rego", "package x\n")], id="a file added"),
        pytest.param(
            [(DIRECTORY / "moved" / TEXTS[0][0].name, TEXTS[0][1]), *TEXTS[1:]], id="moved"
        ),
    ],
)
def test_an_index_of_other_files_is_not_read(texts: list[tuple[Path, str]]) -> None:
    """Then the catalog parses the METADATA blocks: an edited policy is never described by
    the index of the old one."""
    assert read_index(DIRECTORY, texts) is None
