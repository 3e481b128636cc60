"""Rebuild guardrails/catalog/bundled.json, the parsed METADATA of the bundled policies.

Run after changing a bundled policy's METADATA block (tests/test_catalog_index.py fails until
you do; until then a run parses the blocks itself, so nothing is ever described wrongly):

    python tools/build_catalog_index.py
"""

from __future__ import annotations

from guardrails.bundled import bundled_policy_dir
from guardrails.catalog.index import INDEX_FILE, render_index
from guardrails.catalog.metadata import policies_in, policy_texts


def main() -> int:
    directory = bundled_policy_dir()
    texts = policy_texts(directory)
    INDEX_FILE.write_text(render_index(directory, texts, policies_in(texts, bundled=True)))
    print(f"wrote {INDEX_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
