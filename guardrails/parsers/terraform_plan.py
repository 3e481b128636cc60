"""Terraform plan and state JSON (``terraform show -json``) into the resource graph.

Plans: every ``resource_changes`` entry becomes a resource with its action (replace =
delete+create in either order), after/before values, unknown paths from ``after_unknown`` and
sensitive values from ``after_sensitive``/``before_sensitive`` replaced by REDACTED. Resources
that only appear in ``planned_values`` are kept as no-op. ``configuration`` gives the
``references`` and ``depends_on`` edges (module outputs are followed into the module), and
every module call becomes a ``module`` node with ``parent`` edges. States: ``values`` as no-op.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from guardrails.errors import InputError
from guardrails.inputs.json_safe import in_words
from guardrails.inputs.loader import STDIN_NAME, LoadedInput
from guardrails.model import REDACTED, Action, Edge, EdgeKind, Graph, InputFile, Location, Resource
from guardrails.model import SourceFormat as Fmt
from guardrails.model.ids import resource_id
from guardrails.parsers.base import ParseOptions
from guardrails.parsers.ids import provider_from_terraform, resource_labels
from guardrails.parsers.kubernetes import workload_edges
from guardrails.parsers.terraform_kubernetes import as_kubernetes
from guardrails.parsers.terraform_source import SourceIndex

_ACTIONS: dict[tuple[str, ...], Action] = {
    ("create",): Action.CREATE,
    ("update",): Action.UPDATE,
    ("delete",): Action.DELETE,
    ("no-op",): Action.NO_OP,
    ("read",): Action.READ,
    ("delete", "create"): Action.REPLACE,
    ("create", "delete"): Action.REPLACE,
}
#: Real configurations nest modules a handful of levels; every level becomes a module node.
MAX_MODULE_DEPTH = 100
_INDEX = re.compile(r"\[[^\]]*\]")


def _is_plan(doc: Any) -> bool:
    return isinstance(doc, dict) and (
        isinstance(doc.get("resource_changes"), list) or isinstance(doc.get("planned_values"), dict)
    )


def _is_state(doc: Any) -> bool:
    return (
        isinstance(doc, dict)
        and "format_version" in doc
        and isinstance(doc.get("values"), dict)
        and not _is_plan(doc)
    )


class TerraformPlanParser:
    """``terraform show -json plan.tfplan`` output."""

    format = Fmt.TERRAFORM_PLAN

    def matches(self, loaded: LoadedInput) -> bool:
        return loaded.syntax == "json" and _is_plan(loaded.first)

    def parse(self, loaded: LoadedInput, options: ParseOptions) -> Graph:
        return _PlanBuilder(loaded, options, self.format).build()


class TerraformStateParser:
    """``terraform show -json`` of a state (no plan): every resource as it is now."""

    format = Fmt.TERRAFORM_STATE

    def matches(self, loaded: LoadedInput) -> bool:
        return loaded.syntax == "json" and _is_state(loaded.first)

    def parse(self, loaded: LoadedInput, options: ParseOptions) -> Graph:
        return _PlanBuilder(loaded, options, self.format).build()


class _PlanBuilder:
    def __init__(self, loaded: LoadedInput, options: ParseOptions, fmt: Fmt) -> None:
        self.path = loaded.path
        self.doc: dict[str, Any] = loaded.first
        self.fmt = fmt
        self.prior_side = options.plan_side == "before"
        #: With ``prior_side``: every address the plan changes (planned_values must not bring
        #: a resource the prior state does not have).
        self._changed: set[str] = set()
        self.resources: dict[str, Resource] = {}
        self.edges: list[Edge] = []
        self.notes: list[str] = []
        #: Module path -> (caller's path, caller's configuration, the call's argument expressions).
        self._callers: dict[str | None, tuple[str | None, Mapping[str, Any], Any]] = {}
        #: What is being read, for error messages: a resource address or "configuration".
        self._at: str | None = None
        root = options.source_root
        if root is None:
            # A plan piped in (`terraform show -json plan | guardrails check -`) is usually
            # made in the working directory: its .tf files give the findings file:line.
            plan_dir = Path(".") if loaded.path == STDIN_NAME else Path(loaded.path).parent
            if any(plan_dir.glob("*.tf")):
                root = plan_dir
        self.sources = (
            SourceIndex(root, _module_sources(self.doc), options.max_bytes, options.confinement)
            if root
            else None
        )

    def build(self) -> Graph:
        try:
            if self.fmt == Fmt.TERRAFORM_PLAN:
                self._from_changes()
                planned = self.doc.get("planned_values")
                if isinstance(planned, dict):
                    self._from_values(planned.get("root_module"), Action.NO_OP)
            else:
                values = self.doc.get("values")
                self._from_values(
                    values.get("root_module") if isinstance(values, dict) else None, Action.NO_OP
                )
            self._at = "configuration"
            self._modules_and_edges()
        except (TypeError, AttributeError, KeyError, ValueError) as exc:
            kind = self.fmt.value.split("-")[1]
            problem = in_words(exc)
            if self._at and self._at[:100] not in problem:
                problem += f" (at {self._at[:100]})"
            raise InputError(self.path, f"malformed Terraform {kind} JSON: {problem}") from None
        if isinstance(self.doc.get("resource_drift"), list) and self.doc["resource_drift"]:
            self.notes.append(
                f"{len(self.doc['resource_drift'])} resource(s) drifted outside Terraform"
            )
        # Services select, HPAs scale and workloads mount the kubernetes_* objects of the plan.
        self.edges.extend(workload_edges(list(self.resources.values())))
        info = InputFile(self.path, self.fmt.value, tuple(self.notes))
        return Graph(tuple(self.resources.values()), tuple(dict.fromkeys(self.edges)), (info,))

    # -- resources -------------------------------------------------------------------------

    def _from_changes(self) -> None:
        for index, rc in enumerate(self.doc.get("resource_changes") or []):
            self._at = f"resource_changes[{index}]"
            if not isinstance(rc, dict) or "address" not in rc:
                raise ValueError("resource_changes entry without an address")
            change = rc.get("change") or {}
            actions = tuple(change.get("actions") or ("no-op",))
            action = _ACTIONS.get(actions)
            if action is None:
                raise ValueError("unknown actions")  # the values are never echoed
            after = change.get("after")
            before = change.get("before")
            attributes = _redact(
                after if isinstance(after, dict) else {}, change.get("after_sensitive")
            )
            # A value marked only in after_sensitive (newly sensitive) is secret before, too.
            prior = (
                _redact(
                    _redact(before, change.get("before_sensitive")), change.get("after_sensitive")
                )
                if isinstance(before, dict)
                else None
            )
            unknown = frozenset(_true_paths(change.get("after_unknown")))
            if self.prior_side:  # the infrastructure as it is before the change
                self._changed.add(str(rc["address"]))
                if prior is not None:
                    self._add(rc, Action.NO_OP, prior, None, frozenset())
                elif action is not Action.CREATE:
                    self._add(rc, Action.NO_OP, attributes, None, unknown)
                continue
            self._add(rc, action, attributes, prior, unknown)

    def _from_values(self, module: Any, action: Action) -> None:
        self._at = "values" if self.fmt is Fmt.TERRAFORM_STATE else "planned_values"
        for mod in _walk_modules(module):
            for res in mod.get("resources") or []:
                if not isinstance(res, dict) or res.get("address") in self.resources:
                    continue
                if res.get("address") in self._changed:
                    continue
                values = res.get("values")
                attributes = _redact(
                    values if isinstance(values, dict) else {}, res.get("sensitive_values")
                )
                self._add(res, action, attributes, None, frozenset())

    def _add(
        self,
        entry: Mapping[str, Any],
        action: Action,
        attributes: dict[str, Any],
        before: dict[str, Any] | None,
        unknown: frozenset[str],
    ) -> None:
        address = str(entry["address"])
        self._at = address
        parts = address.rsplit(".", 2)
        if not entry.get("type") and len(parts) < 2:
            raise ValueError(f"resource address {address[:100]!r} has no type")
        rtype = str(entry.get("type") or parts[-2])
        module = entry.get("module_address") or _module_of(address)
        if module is not None and not isinstance(module, str):
            raise ValueError(f"{address[:100]}: module_address is not a string")
        if module and module.count("module.") > MAX_MODULE_DEPTH:
            raise ValueError(f"{address[:100]}...: modules nested over {MAX_MODULE_DEPTH} deep")
        if rtype.startswith("aws_"):
            attributes, unknown = self._tags_all(attributes, unknown)
        labels = resource_labels(rtype, attributes)
        block = "data" if entry.get("mode") == "data" else "resource"
        name = str(entry.get("name") or "")
        location = self.sources.locate(module, rtype, name, block) if self.sources else None
        self.resources[address] = as_kubernetes(
            Resource(
                id=resource_id(self.path, address),
                address=address,
                source_format=self.fmt,
                provider=provider_from_terraform(entry.get("provider_name"), rtype),
                type=rtype,
                name=str(entry.get("name") or ""),
                action=action,
                attributes=attributes,
                before=before,
                unknown=unknown,
                labels=labels,
                location=location or Location(self.path, None),
                mode="data" if entry.get("mode") == "data" else "managed",
                module=module,
            )
        )

    # -- modules and configuration edges ---------------------------------------------------

    def _modules_and_edges(self) -> None:
        config = self.doc.get("configuration")
        root = config.get("root_module") if isinstance(config, dict) else None
        modules = {r.module for r in self.resources.values() if r.module}
        for path in _module_paths_from_config(root, None):
            modules.add(path)
        for module in sorted(_with_ancestors(modules)):
            self._add_module(module, root)
        for res in list(self.resources.values()):
            if res.mode == "module":
                parent = _module_of(res.address)
                if parent:
                    self._edge(res.address, parent, EdgeKind.PARENT)
            elif res.module:
                self._edge(res.address, res.module, EdgeKind.PARENT)
        if isinstance(root, dict):
            self._config_edges(root, None)

    def _tags_all(
        self, attributes: dict[str, Any], unknown: frozenset[str]
    ) -> tuple[dict[str, Any], frozenset[str]]:
        """AWS ``tags_all`` = provider ``default_tags`` merged with ``tags``: known whenever
        both are (without default_tags it is ``tags``); unknown only when they are."""
        if "tags_all" not in attributes and not any(_within(u, "tags_all") for u in unknown):
            return attributes, unknown
        defaults = self._default_tags()
        if defaults is None or any(_within(u, "tags") for u in unknown):
            return attributes, unknown
        tags = attributes.get("tags")
        if not isinstance(tags, dict | None):
            return attributes, unknown
        merged = {**defaults, **(tags or {})}
        known = frozenset(u for u in unknown if not _within(u, "tags_all"))
        return {**attributes, "tags_all": merged}, known

    def _default_tags(self) -> dict[str, Any] | None:
        """The AWS provider's literal default_tags ({} without any); None when unknown."""
        if not hasattr(self, "_defaults"):
            self._defaults = _aws_default_tags(self.doc.get("configuration"))
        return self._defaults

    def _add_module(self, module: str, root: Any) -> None:
        call = _module_call(root, module)
        source = call.get("source") if isinstance(call, dict) else None
        location = self.sources.locate_module(module) if self.sources else None
        self.resources[module] = Resource(
            id=resource_id(self.path, module),
            address=module,
            source_format=self.fmt,
            provider="terraform",
            type="module",
            name=module.rsplit(".", 1)[-1],
            action=Action.NO_OP,
            attributes={"source": source} if source else {},
            location=location or Location(self.path, None),
            mode="module",
            module=_module_of(module),
        )

    def _config_edges(self, module_config: Mapping[str, Any], prefix: str | None) -> None:
        by_base = self._by_base_address()
        for res in module_config.get("resources") or []:
            base = _join(prefix, str(res.get("address", "")))
            sources = by_base.get(base, [])
            if not sources:
                continue
            refs = set(_references(res.get("expressions")))
            for ref in res.get("depends_on") or []:
                for target in self._resolve(str(ref), prefix, module_config):
                    for src in sources:
                        self._edge(src, target, EdgeKind.DEPENDS_ON)
            for ref in refs:
                for target in self._resolve(ref, prefix, module_config):
                    for src in sources:
                        self._edge(src, target, EdgeKind.REFERENCES)
        for name, call in (module_config.get("module_calls") or {}).items():
            if isinstance(call, dict) and isinstance(call.get("module"), dict):
                child = _join(prefix, f"module.{name}")
                # `var.x` inside the module is what the call passes as `x`, in the caller.
                self._callers[child] = (prefix, module_config, call.get("expressions") or {})
                self._config_edges(call["module"], child)

    def _resolve(
        self, ref: str, prefix: str | None, module_config: Mapping[str, Any], depth: int = 0
    ) -> Iterator[str]:
        """Plan addresses a configuration reference points at (following module outputs)."""
        parts = _INDEX.sub("", ref).split(".")
        if parts[0] == "var" and len(parts) >= 2 and prefix in self._callers and depth < 64:
            parent, parent_config, arguments = self._callers[prefix]
            argument = arguments.get(parts[1]) if isinstance(arguments, dict) else None
            for outer in _references(argument):
                yield from self._resolve(outer, parent, parent_config, depth + 1)
            return
        if parts[0] in ("var", "local", "each", "count", "path", "terraform", "self"):
            return
        if parts[0] == "module" and len(parts) >= 3:
            call = (module_config.get("module_calls") or {}).get(parts[1])
            inner = call.get("module") if isinstance(call, dict) else None
            output = (inner.get("outputs") or {}).get(parts[2]) if isinstance(inner, dict) else None
            expr = output.get("expression") if isinstance(output, dict) else None
            inner_prefix = _join(prefix, f"module.{parts[1]}")
            for inner_ref in _references(expr):
                if depth < 64:
                    yield from self._resolve(inner_ref, inner_prefix, inner or {}, depth + 1)
            return
        base = ".".join(parts[:3]) if parts[0] == "data" else ".".join(parts[:2])
        yield from self._by_base_address().get(_join(prefix, base), [])

    def _by_base_address(self) -> dict[str, list[str]]:
        if not hasattr(self, "_base_cache"):
            cache: dict[str, list[str]] = {}
            for address in self.resources:
                cache.setdefault(_INDEX.sub("", address), []).append(address)
            self._base_cache = cache
        return self._base_cache

    def _edge(self, source: str, target: str, kind: EdgeKind) -> None:
        if source != target and source in self.resources and target in self.resources:
            self.edges.append(Edge(self.resources[source].id, self.resources[target].id, kind))


def _within(path: str, attribute: str) -> bool:
    return path == attribute or path.startswith(f"{attribute}.") or path == "*"


def _aws_default_tags(configuration: Any) -> dict[str, Any] | None:
    """Literal default_tags of the plan's AWS provider configurations.

    ``{}`` when no AWS provider configures default_tags; None when the plan has no
    configuration to tell, when a default_tags value is an expression, or when several AWS
    provider configurations disagree.
    """
    if not isinstance(configuration, dict):
        return None
    providers = configuration.get("provider_config")
    found: list[dict[str, Any]] = []
    for config in providers.values() if isinstance(providers, dict) else []:
        if not isinstance(config, dict) or config.get("name") != "aws":
            continue
        expressions = config.get("expressions") or {}
        blocks = expressions.get("default_tags") if isinstance(expressions, dict) else None
        tags: dict[str, Any] = {}
        for block in blocks if isinstance(blocks, list) else [blocks] if blocks else []:
            value = block.get("tags") if isinstance(block, dict) else None
            if value is None:
                continue
            literal = value.get("constant_value") if isinstance(value, dict) else None
            if not isinstance(literal, dict):
                return None
            tags.update(literal)
        found.append(tags)
    if any(f != found[0] for f in found):
        return None
    return found[0] if found else {}


def _redact(values: Any, sensitive: Any) -> Any:
    """Replace every value marked sensitive (``true`` in the mirror structure) with REDACTED.

    Without a mark (``false``, ``{}``, ``[]``: most values of most plans) ``values`` is returned
    as it is, not copied: the parsed document is never changed, so sharing it is safe."""
    if not sensitive:
        return values
    if sensitive is True:
        return REDACTED if values is not None else None
    if isinstance(values, dict):
        if not isinstance(sensitive, dict):
            return values
        out = values
        for key, mark in sensitive.items():
            if mark and key in values:
                if out is values:
                    out = dict(values)  # copied only where a mark changes something
                out[key] = _redact(values[key], mark)
        return out
    if isinstance(values, list):
        if not isinstance(sensitive, list):
            return values
        return [_redact(v, sensitive[i]) if i < len(sensitive) else v for i, v in enumerate(values)]
    return values


def _true_paths(marks: Any, prefix: str = "") -> Iterator[str]:
    """Dotted paths whose mark is ``true`` (after_unknown / sensitive mirrors)."""
    if marks is True:
        yield prefix or "*"
    elif isinstance(marks, dict):
        for key, value in marks.items():
            yield from _true_paths(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(marks, list):
        for i, value in enumerate(marks):
            yield from _true_paths(value, f"{prefix}.{i}" if prefix else str(i))


def _walk_modules(module: Any) -> Iterator[Mapping[str, Any]]:
    stack = [module]
    while stack:
        mod = stack.pop()
        if isinstance(mod, dict):
            yield mod
            stack.extend(mod.get("child_modules") or [])


def _references(expressions: Any) -> Iterator[str]:
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


def _module_of(address: str) -> str | None:
    """``module.a.module.b.aws_x.y[0]`` -> ``module.a.module.b``; ``module.a`` -> None."""
    parts = _split_address(address)
    mods: list[str] = []
    i = 0
    while i + 1 < len(parts) and parts[i] == "module":
        mods.append(f"module.{parts[i + 1]}")
        i += 2
    if i >= len(parts) and mods:
        mods.pop()  # the address is itself a module
    return ".".join(mods) or None


def _split_address(address: str) -> list[str]:
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
            parts.append(_INDEX.sub("", current))
            current = ""
        else:
            current += ch
    parts.append(_INDEX.sub("", current))
    return parts


def _with_ancestors(modules: set[str]) -> set[str]:
    """``modules`` and every module above them, each ancestor chain walked once."""
    out: set[str] = set()
    for module in modules:
        for ancestor in reversed(_ancestors(module)):
            if ancestor in out:
                break
            out.add(ancestor)
    return out


def _ancestors(module: str) -> list[str]:
    parts = _split_address(module)
    return [".".join(parts[: i + 2]) for i in range(0, len(parts), 2)]


def _join(prefix: str | None, address: str) -> str:
    return f"{prefix}.{address}" if prefix else address


def _module_call(root: Any, module: str) -> Mapping[str, Any] | None:
    config = root
    call: Any = None
    for name in _split_address(module)[1::2]:
        if not isinstance(config, dict):
            return None
        call = (config.get("module_calls") or {}).get(name)
        config = call.get("module") if isinstance(call, dict) else None
    return call if isinstance(call, dict) else None


def _module_paths_from_config(config: Any, prefix: str | None) -> Iterator[str]:
    if not isinstance(config, dict):
        return
    for name, call in (config.get("module_calls") or {}).items():
        path = _join(prefix, f"module.{name}")
        yield path
        if isinstance(call, dict):
            yield from _module_paths_from_config(call.get("module"), path)


def _module_sources(doc: Mapping[str, Any]) -> dict[str, str]:
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
                path = _join(prefix, f"module.{name}")
                out[path] = str(call.get("source") or "")
                walk(call.get("module"), path)

    walk(root, None)
    return out
