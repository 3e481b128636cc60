"""Mapping plan resources back to the ``.tf`` file and line a reviewer edits.

Plan JSON carries no line numbers; this index finds the ``resource "type" "name"`` block in the
module's directory. Module directories come from local ``source`` paths (``./modules/gpu``) or,
for registry modules, from ``.terraform/modules/modules.json`` written by ``terraform init``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from guardrails.errors import InputError
from guardrails.inputs.confine import Confinement, allowed
from guardrails.inputs.json_safe import load_json
from guardrails.inputs.safe_io import check_regular, read_side_file
from guardrails.lazy_regex import LazyPattern
from guardrails.limits import DEFAULT_MAX_BYTES
from guardrails.model import Location

_BLOCK = LazyPattern(
    r'^[ \t]*(resource|data|module)[ \t]+"([^"]+)"(?:[ \t]+"([^"]+)")?[ \t]*\{', re.M
)


class SourceIndex:
    """Finds block locations under a Terraform root module directory."""

    def __init__(
        self,
        root: Path,
        module_sources: dict[str, str],
        max_bytes: int = DEFAULT_MAX_BYTES,
        confinement: Confinement | None = None,
    ) -> None:
        self.root = root
        self.module_sources = module_sources
        self.max_bytes = max_bytes
        self.confinement = confinement
        self.installed = _installed_modules(root, max_bytes, confinement)
        self._dirs: dict[str, dict[tuple[str, str, str], Location]] = {}
        self._module_dirs: dict[str | None, Path | None] = {}

    def locate(
        self, module: str | None, rtype: str, name: str, mode: str = "resource"
    ) -> Location | None:
        directory = self.module_dir(module)
        if directory is None:
            return None
        return self._blocks(str(directory)).get((mode, rtype, name))

    def locate_module(self, module: str) -> Location | None:
        parent, _, last = module.rpartition(".")
        parent_module = parent[: -len(".module")] if parent.endswith(".module") else None
        directory = self.module_dir(parent_module)
        if directory is None:
            return None
        return self._blocks(str(directory)).get(("module", last, ""))

    def _blocks(self, directory: str) -> dict[tuple[str, str, str], Location]:
        found = self._dirs.get(directory)
        if found is None:
            found = self._dirs[directory] = _blocks(directory, self.max_bytes, self.confinement)
        return found

    def module_dir(self, module: str | None) -> Path | None:
        """The directory of ``module``'s source; iterative and memoized, so a module path
        thousands of calls deep costs one step per call, not a rescan or a deep recursion."""
        if not module:
            return self.root
        chain: list[str] = []
        current: str | None = module
        while current and current not in self._module_dirs:
            chain.append(current)
            current = current.rsplit(".module.", 1)[0] if ".module." in current else None
        for path in reversed(chain):
            resolved = self._resolve(path)
            inside = resolved is not None and allowed(self.confinement, resolved)
            self._module_dirs[path] = resolved if inside else None
        return self._module_dirs[module]

    def _resolve(self, module: str) -> Path | None:
        source = self.module_sources.get(module, "")
        if source.startswith(("./", "../")):
            parent = module.rsplit(".module.", 1)[0] if ".module." in module else None
            parent_dir = self._module_dirs.get(parent) if parent else self.root
            return Path(os.path.normpath(parent_dir / source)) if parent_dir else None
        key = ".".join(module.split(".")[1::2])
        installed = self.installed.get(key)
        return self.root / installed if installed else None


def installed_modules(
    root: Path, max_bytes: int = DEFAULT_MAX_BYTES, confinement: Confinement | None = None
) -> dict[str, str]:
    """Module key (``eks``, ``eks.kms``) -> directory, from ``terraform init``'s manifest.

    A manifest that resolves outside the root is not read: every module is then not installed.
    """
    return _installed_modules(root, max_bytes, confinement)


def _installed_modules(
    root: Path, max_bytes: int, confinement: Confinement | None
) -> dict[str, str]:
    manifest = root / ".terraform" / "modules" / "modules.json"
    if manifest.exists() and not allowed(confinement, manifest):
        return {}
    try:
        text = read_side_file(str(manifest), max_bytes)
        if text is None:
            return {}
        data = load_json(str(manifest), text)
        return {str(m["Key"]): str(m["Dir"]) for m in data.get("Modules", []) if m.get("Key")}
    except (ValueError, TypeError, KeyError, AttributeError):
        return {}
    except InputError as exc:
        if "not a regular file" in exc.problem:
            raise
        return {}


def _blocks(
    directory: str, max_bytes: int, confinement: Confinement | None
) -> dict[tuple[str, str, str], Location]:
    found: dict[tuple[str, str, str], Location] = {}
    try:
        files = sorted(Path(directory).glob("*.tf"))
    except OSError:
        return found
    for tf in files:
        if not allowed(confinement, tf):
            check_regular(str(tf))  # a device is refused as one
            continue  # these files only give file:line; one outside the root is not read
        text = read_side_file(str(tf), max_bytes)
        if text is None:
            continue
        for key, line in block_lines(text).items():
            found.setdefault(key, Location(str(tf), line))
    return found


def block_lines(text: str) -> dict[tuple[str, str, str], int]:
    """1-based line of every ``resource``/``data``/``module`` block: (kind, type or name, name)."""
    lines: dict[tuple[str, str, str], int] = {}
    line, counted = 1, 0
    for match in _BLOCK.finditer(text):
        # Count newlines only since the previous block: one pass over the file, not one per block.
        line += text.count("\n", counted, match.start())
        counted = match.start()
        key = (match.group(1), match.group(2), match.group(3) or "")
        lines.setdefault(key, line)
    return lines
