"""The bundled policies' METADATA, parsed ahead of time: a run reads no YAML for them.

Every run needs the bundled catalog; parsing its ~30 METADATA blocks means importing PyYAML
(~100 M instructions, the largest single import of a small check) and running it. The index
(``bundled.json``, written by ``tools/build_catalog_index.py``) holds the parsed policies with
the digest of the policy files they came from; a run uses it only when the files it reads have
that digest, so an edited policy is parsed from its METADATA block as before, never described
by a stale index (tests/test_catalog_index.py fails until the index is rebuilt).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from guardrails.catalog.metadata import PolicyMeta

INDEX_FILE = Path(__file__).with_name("bundled.json")
#: Bumped when the record layout changes: an index of another layout is not read.
LAYOUT = 1


def digest(directory: Path, texts: Sequence[tuple[Path, str]]) -> str:
    """The sha256 of the policy files: each one's path below ``directory`` and its text."""
    hashed = hashlib.sha256()
    for file, text in texts:
        hashed.update(file.relative_to(directory).as_posix().encode() + b"\0")
        hashed.update(text.encode("utf-8", "surrogatepass") + b"\0")
    return hashed.hexdigest()


def render_index(
    directory: Path, texts: Sequence[tuple[Path, str]], policies: Sequence[PolicyMeta]
) -> str:
    """The index of ``policies`` (parsed from ``texts``) as the JSON text of bundled.json."""
    records = [
        {
            "id": p.id,
            "title": p.title,
            "description": p.description,
            "severity": p.severity.value,
            "category": p.category,
            "remediation": p.remediation,
            "package": p.package,
            "file": p.file.relative_to(directory).as_posix(),
            "config_keys": list(p.config_keys),
            "remediation_by": [list(pair) for pair in p.remediation_by],
            "input_scope": p.input_scope,
            "aggregates": [list(pair) for pair in p.aggregates],
        }
        for p in policies
    ]
    document = {"layout": LAYOUT, "digest": digest(directory, texts), "policies": records}
    return json.dumps(document, indent=1, sort_keys=True) + "\n"


def read_index(directory: Path, texts: Sequence[tuple[Path, str]]) -> list[PolicyMeta] | None:
    """The bundled policies from the index when it was built from exactly ``texts``, else None."""
    from guardrails.catalog.metadata import PolicyMeta
    from guardrails.model import Severity

    try:
        document: Any = json.loads(INDEX_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if (
        not isinstance(document, dict)
        or document.get("layout") != LAYOUT
        or document.get("digest") != digest(directory, texts)
    ):
        return None
    return [
        PolicyMeta(
            id=r["id"],
            title=r["title"],
            description=r["description"],
            severity=Severity(r["severity"]),
            category=r["category"],
            remediation=r["remediation"],
            package=r["package"],
            file=directory / r["file"],
            config_keys=tuple(r["config_keys"]),
            bundled=True,
            remediation_by=tuple((k, v) for k, v in r["remediation_by"]),
            input_scope=r["input_scope"],
            aggregates=tuple((k, v) for k, v in r["aggregates"]),
        )
        for r in document["policies"]
    ]
