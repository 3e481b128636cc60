"""Reading inputs safely: size limits, encodings, JSON and YAML with alias-bomb protection."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

from guardrails.errors import InputError

DEFAULT_MAX_BYTES = 200 * 1024 * 1024
#: Upper bound on the number of nodes a YAML document may expand to once aliases are followed.
MAX_EXPANDED_NODES = 5_000_000
STDIN_NAME = "<stdin>"

_HCL_BLOCK = re.compile(
    r'^\s*(resource|data|module|variable|provider|terraform|locals|output)\s*("[^"\n]*"\s*)*\{',
    re.MULTILINE,
)

Syntax = Literal["json", "yaml", "hcl"]


@dataclass(frozen=True)
class LoadedInput:
    """One input's text and, for JSON and YAML, its parsed documents."""

    path: str
    text: str
    syntax: Syntax
    documents: tuple[Any, ...] = ()
    #: 1-based start line of each document (YAML), parallel to ``documents``.
    document_lines: tuple[int, ...] = ()
    #: For YAML documents holding an ``items`` list (``kind: List``): the line of each item.
    item_lines: tuple[tuple[int, ...], ...] = ()

    @property
    def first(self) -> Any:
        return self.documents[0] if self.documents else None


_YamlLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_text(path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Read a file (or ``-`` for stdin) as UTF-8 text within the size limit."""
    import sys

    try:
        if path == "-":
            raw = sys.stdin.buffer.read(max_bytes + 1)
            name = STDIN_NAME
        else:
            p = Path(path)
            if p.is_dir():
                raise InputError(path, "is a directory where a file was expected")
            size = p.stat().st_size
            if size > max_bytes:
                raise InputError(path, f"file is {size:,} bytes, over the {max_bytes:,}-byte limit")
            with p.open("rb") as fh:
                raw = fh.read(max_bytes + 1)
            name = path
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror or exc}") from None
    if len(raw) > max_bytes:
        raise InputError(name, f"input is over the {max_bytes:,}-byte limit")
    if b"\x00" in raw[:8192]:
        raise InputError(name, "binary file (contains NUL bytes), expected JSON, YAML or HCL text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(name, f"not valid UTF-8 text (byte {exc.start})") from None


def load(path: str, text: str) -> LoadedInput:
    """Decide the syntax of ``text`` by its content and parse it."""
    stripped = text.lstrip()
    if not stripped:
        return LoadedInput(path, text, "yaml", ())
    if stripped[0] in "{[" and not path.endswith((".yaml", ".yml")):
        return LoadedInput(path, text, "json", (_load_json(path, text),))
    if path.endswith(".tf") or (_HCL_BLOCK.search(text) and not _looks_like_yaml(stripped)):
        return LoadedInput(path, text, "hcl", ())
    docs, lines, item_lines = _load_yaml(path, text)
    return LoadedInput(path, text, "yaml", docs, lines, item_lines)


def _looks_like_yaml(stripped: str) -> bool:
    first = stripped.splitlines()[0]
    return first.startswith(("---", "apiVersion:", "kind:", "#")) and "{" not in first


def _load_json(path: str, text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        hint = ""
        if text.lstrip().startswith("[command]"):
            hint = " (captured through the setup-terraform wrapper; set terraform_wrapper: false)"
        where = f"at line {exc.lineno} column {exc.colno}"
        raise InputError(path, f"malformed JSON: {exc.msg} {where}{hint}") from None
    except RecursionError:
        raise InputError(path, "malformed JSON: nesting is too deep") from None


def _load_yaml(
    path: str, text: str
) -> tuple[tuple[Any, ...], tuple[int, ...], tuple[tuple[int, ...], ...]]:
    docs: list[Any] = []
    lines: list[int] = []
    item_lines: list[tuple[int, ...]] = []
    loader = _YamlLoader(text)
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            lines.append(node.start_mark.line + 1)
            item_lines.append(_list_item_lines(node))
            docs.append(loader.construct_document(node))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
        problem = exc.problem or exc.context or "syntax error"
        raise InputError(path, f"malformed YAML: {problem}{where}") from None
    except yaml.YAMLError as exc:
        raise InputError(path, f"malformed YAML: {str(exc).splitlines()[0]}") from None
    except RecursionError:
        raise InputError(path, "malformed YAML: nesting is too deep") from None
    finally:
        loader.dispose()
    if "*" in text:  # without an alias nothing is shared, so nothing can expand
        _check_expansion(path, tuple(docs))
    return tuple(docs), tuple(lines), tuple(item_lines)


def _list_item_lines(node: yaml.Node) -> tuple[int, ...]:
    if not isinstance(node, yaml.MappingNode):
        return ()
    for key, value in node.value:
        if getattr(key, "value", None) == "items" and isinstance(value, yaml.SequenceNode):
            return tuple(item.start_mark.line + 1 for item in value.value)
    return ()


def _check_expansion(path: str, docs: tuple[Any, ...]) -> None:
    """Reject documents whose aliases expand past MAX_EXPANDED_NODES or refer to themselves.

    Aliases share Python objects, so loading is cheap; the blow-up happens when the data is
    walked or serialized later. Count the expanded size with memoization instead of expanding.
    """
    sizes: dict[int, int] = {}
    in_progress: set[int] = set()

    def size(obj: Any, depth: int) -> int:
        if not isinstance(obj, dict | list):
            return 1
        key = id(obj)
        if key in sizes:
            return sizes[key]
        if key in in_progress:
            raise InputError(path, "YAML aliases form a cycle (recursive document)")
        if depth > 500:
            raise InputError(path, "malformed YAML: nesting is too deep")
        in_progress.add(key)
        children = obj.values() if isinstance(obj, dict) else obj
        total = 1
        for child in children:
            total += size(child, depth + 1)
            if total > MAX_EXPANDED_NODES:
                raise InputError(
                    path,
                    f"YAML aliases expand to more than {MAX_EXPANDED_NODES:,} nodes (alias bomb?)",
                )
        in_progress.discard(key)
        sizes[key] = total
        return total

    grand = 0
    for doc in docs:
        grand += size(doc, 0)
        if grand > MAX_EXPANDED_NODES:
            raise InputError(path, f"YAML expands to more than {MAX_EXPANDED_NODES:,} nodes")
