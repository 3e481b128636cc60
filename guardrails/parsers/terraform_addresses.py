"""Terraform addresses and module paths (``module.a.module.b.aws_x.y[0]``) and the walks over a
plan's module tree and configuration that the plan parser shares."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

#: An instance key (``[0]``, ``["a.b"]``): removed to get a resource's base address.
INDEX = re.compile(r"\[[^\]]*\]")


def walk_modules(module: Any) -> Iterator[Mapping[str, Any]]:
    """Every module of a ``planned_values``/``values`` module tree, root first."""
    stack = [module]
    while stack:
        mod = stack.pop()
        if isinstance(mod, dict):
            yield mod
            stack.extend(mod.get("child_modules") or [])


def references(expressions: Any) -> Iterator[str]:
    """Every ``references`` entry inside a (nested) configuration expressions object."""
    stack = [expressions]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "references" and isinstance(value, list):
                    yield from (str(v) for v in value)
                else:
                    stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)


def module_of(address: str) -> str | None:
    """``module.a.module.b.aws_x.y[0]`` -> ``module.a.module.b``; ``module.a`` -> None."""
    parts = split_address(address)
    mods: list[str] = []
    i = 0
    while i + 1 < len(parts) and parts[i] == "module":
        mods.append(f"module.{parts[i + 1]}")
        i += 2
    if i >= len(parts) and mods:
        mods.pop()  # the address is itself a module
    return ".".join(mods) or None


def split_address(address: str) -> list[str]:
    """Split on dots outside ``[...]`` (for_each keys may contain dots)."""
    if "[" not in address:
        return address.split(".")
    parts: list[str] = []
    depth = 0
    current = ""
    for ch in address:
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        if ch == "." and depth == 0:
            parts.append(INDEX.sub("", current))
            current = ""
        else:
            current += ch
    parts.append(INDEX.sub("", current))
    return parts


def with_ancestors(modules: set[str]) -> set[str]:
    """``modules`` and every module above them, each ancestor chain walked once."""
    out: set[str] = set()
    for module in modules:
        for ancestor in reversed(_ancestors(module)):
            if ancestor in out:
                break
            out.add(ancestor)
    return out


def _ancestors(module: str) -> list[str]:
    parts = split_address(module)
    return [".".join(parts[: i + 2]) for i in range(0, len(parts), 2)]


def join(prefix: str | None, address: str) -> str:
    """``address`` inside the module at ``prefix`` (None: the root module)."""
    return f"{prefix}.{address}" if prefix else address


def module_call(root: Any, module: str) -> Mapping[str, Any] | None:
    """The configuration's ``module_calls`` entry for the module path ``module``."""
    config = root
    call: Any = None
    for name in split_address(module)[1::2]:
        if not isinstance(config, dict):
            return None
        call = (config.get("module_calls") or {}).get(name)
        config = call.get("module") if isinstance(call, dict) else None
    return call if isinstance(call, dict) else None


def module_paths_from_config(config: Any, prefix: str | None) -> Iterator[str]:
    """The path of every module call in a configuration module, nested ones included."""
    if not isinstance(config, dict):
        return
    for name, call in (config.get("module_calls") or {}).items():
        path = join(prefix, f"module.{name}")
        yield path
        if isinstance(call, dict):
            yield from module_paths_from_config(call.get("module"), path)


def module_sources(doc: Mapping[str, Any]) -> dict[str, str]:
    """Module path (``module.a.module.b``) -> its ``source`` as written in the configuration."""
    config = doc.get("configuration")
    root = config.get("root_module") if isinstance(config, dict) else None
    out: dict[str, str] = {}

    def walk(cfg: Any, prefix: str | None) -> None:
        if not isinstance(cfg, dict):
            return
        calls = cfg.get("module_calls")
        for name, call in calls.items() if isinstance(calls, dict) else ():
            if isinstance(call, dict):
                path = join(prefix, f"module.{name}")
                out[path] = str(call.get("source") or "")
                walk(call.get("module"), path)

    walk(root, None)
    return out
