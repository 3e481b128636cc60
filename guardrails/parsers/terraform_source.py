"""Mapping plan resources back to the ``.tf`` file and line a reviewer edits.

Plan JSON carries no line numbers; this index finds the ``resource "type" "name"`` block in the
module's directory. Module directories come from local ``source`` paths (``./modules/gpu``) or,
for registry modules, from ``.terraform/modules/modules.json`` written by ``terraform init``.
"""

from __future__ import annotations

import json
import os
import re
from functools import cache
from pathlib import Path

from guardrails.model import Location

_BLOCK = re.compile(
    r'^[ \t]*(resource|data|module)[ \t]+"([^"]+)"(?:[ \t]+"([^"]+)")?[ \t]*\{', re.M
)


class SourceIndex:
    """Finds block locations under a Terraform root module directory."""

    def __init__(self, root: Path, module_sources: dict[str, str]) -> None:
        self.root = root
        self.module_sources = module_sources
        self.installed = _installed_modules(root)

    def locate(
        self, module: str | None, rtype: str, name: str, mode: str = "resource"
    ) -> Location | None:
        directory = self.module_dir(module)
        if directory is None:
            return None
        return _blocks(str(directory)).get((mode, rtype, name))

    def locate_module(self, module: str) -> Location | None:
        parent, _, last = module.rpartition(".")
        parent_module = parent[: -len(".module")] if parent.endswith(".module") else None
        directory = self.module_dir(parent_module)
        if directory is None:
            return None
        return _blocks(str(directory)).get(("module", last, ""))

    def module_dir(self, module: str | None) -> Path | None:
        if not module:
            return self.root
        source = self.module_sources.get(module, "")
        if source.startswith(("./", "../")):
            parent = module.rsplit(".module.", 1)[0] if ".module." in module else None
            parent_dir = self.module_dir(parent)
            return Path(os.path.normpath(parent_dir / source)) if parent_dir else None
        key = ".".join(module.split(".")[1::2])
        installed = self.installed.get(key)
        return self.root / installed if installed else None


def _installed_modules(root: Path) -> dict[str, str]:
    manifest = root / ".terraform" / "modules" / "modules.json"
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
        return {str(m["Key"]): str(m["Dir"]) for m in data.get("Modules", []) if m.get("Key")}
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return {}


@cache
def _blocks(directory: str) -> dict[tuple[str, str, str], Location]:
    found: dict[tuple[str, str, str], Location] = {}
    try:
        files = sorted(Path(directory).glob("*.tf"))
    except OSError:
        return found
    for tf in files:
        try:
            text = tf.read_text(encoding="utf-8-sig", errors="replace")
        except OSError:
            continue
        for key, line in block_lines(text).items():
            found.setdefault(key, Location(str(tf), line))
    return found


def block_lines(text: str) -> dict[tuple[str, str, str], int]:
    """1-based line of every ``resource``/``data``/``module`` block: (kind, type or name, name)."""
    lines: dict[tuple[str, str, str], int] = {}
    for match in _BLOCK.finditer(text):
        key = (match.group(1), match.group(2), match.group(3) or "")
        lines.setdefault(key, text.count("\n", 0, match.start()) + 1)
    return lines
