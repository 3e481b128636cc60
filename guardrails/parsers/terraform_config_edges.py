"""The ``references`` and ``depends_on`` edges a Terraform plan's ``configuration`` gives."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from guardrails.model import Edge, EdgeKind, Resource
from guardrails.parsers.terraform_addresses import INDEX, join, references


class ConfigEdges:
    """Edges between the plan's resources (by address), appended to ``edges`` in order.

    A reference inside a module follows ``var.x`` out to what the call passes, and
    ``module.m.out`` into the module's output expression.
    """

    def __init__(self, resources: Mapping[str, Resource], edges: list[Edge]) -> None:
        self.resources = resources
        self.edges = edges
        #: Module path -> (caller's path, caller's configuration, the call's argument expressions).
        self._callers: dict[str | None, tuple[str | None, Mapping[str, Any], Any]] = {}

    def add(self, module_config: Mapping[str, Any], prefix: str | None) -> None:
        """The edges of one configuration module's resources, then of its module calls."""
        by_base = self._by_base_address()
        for res in module_config.get("resources") or []:
            base = join(prefix, str(res.get("address", "")))
            sources = by_base.get(base, [])
            if not sources:
                continue
            refs = set(references(res.get("expressions")))
            for ref in res.get("depends_on") or []:
                for target in self._resolve(str(ref), prefix, module_config):
                    for src in sources:
                        self.edge(src, target, EdgeKind.DEPENDS_ON)
            for ref in refs:
                for target in self._resolve(ref, prefix, module_config):
                    for src in sources:
                        self.edge(src, target, EdgeKind.REFERENCES)
        for name, call in (module_config.get("module_calls") or {}).items():
            if isinstance(call, dict) and isinstance(call.get("module"), dict):
                child = join(prefix, f"module.{name}")
                # `var.x` inside the module is what the call passes as `x`, in the caller.
                self._callers[child] = (prefix, module_config, call.get("expressions") or {})
                self.add(call["module"], child)

    def _resolve(
        self, ref: str, prefix: str | None, module_config: Mapping[str, Any], depth: int = 0
    ) -> Iterator[str]:
        """Plan addresses a configuration reference points at (following module outputs)."""
        parts = INDEX.sub("", ref).split(".")
        if parts[0] == "var" and len(parts) >= 2 and prefix in self._callers and depth < 64:
            parent, parent_config, arguments = self._callers[prefix]
            argument = arguments.get(parts[1]) if isinstance(arguments, dict) else None
            for outer in references(argument):
                yield from self._resolve(outer, parent, parent_config, depth + 1)
            return
        if parts[0] in ("var", "local", "each", "count", "path", "terraform", "self"):
            return
        if parts[0] == "module" and len(parts) >= 3:
            call = (module_config.get("module_calls") or {}).get(parts[1])
            inner = call.get("module") if isinstance(call, dict) else None
            output = (inner.get("outputs") or {}).get(parts[2]) if isinstance(inner, dict) else None
            expr = output.get("expression") if isinstance(output, dict) else None
            inner_prefix = join(prefix, f"module.{parts[1]}")
            for inner_ref in references(expr):
                if depth < 64:
                    yield from self._resolve(inner_ref, inner_prefix, inner or {}, depth + 1)
            return
        base = ".".join(parts[:3]) if parts[0] == "data" else ".".join(parts[:2])
        yield from self._by_base_address().get(join(prefix, base), [])

    def _by_base_address(self) -> dict[str, list[str]]:
        if not hasattr(self, "_base_cache"):
            cache: dict[str, list[str]] = {}
            for address in self.resources:
                cache.setdefault(INDEX.sub("", address), []).append(address)
            self._base_cache = cache
        return self._base_cache

    def edge(self, source: str, target: str, kind: EdgeKind) -> None:
        """Append an edge between two resources of the plan (by address), not a self-loop."""
        if source != target and source in self.resources and target in self.resources:
            self.edges.append(Edge(self.resources[source].id, self.resources[target].id, kind))
