"""Evaluating one root module into resource nodes: its module instances, resources and
module calls, expanded the way ``terraform plan`` would where values are literal."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from guardrails.errors import InputError
from guardrails.inputs.confine import OUTSIDE_ROOT, allowed, within
from guardrails.model import REDACTED, Graph, Location
from guardrails.parsers.base import ParseOptions
from guardrails.parsers.terraform_hcl.adapter.documents import attributes, is_true, quoted_text
from guardrails.parsers.terraform_hcl.instances import instances
from guardrails.parsers.terraform_hcl.module import ModuleSource, SourceFile, read_module
from guardrails.parsers.terraform_hcl.nodes import Nodes
from guardrails.parsers.terraform_hcl.providers import DefaultTags
from guardrails.parsers.terraform_hcl.scope import Scope
from guardrails.parsers.terraform_hcl.unknown import UNKNOWN
from guardrails.parsers.terraform_hcl.values import Converted, evaluate, materialize
from guardrails.parsers.terraform_hcl.variables import ABSENT, Locals, variable_value
from guardrails.parsers.terraform_source import installed_modules

_META_ARGUMENTS = (
    "count",
    "for_each",
    "provider",
    "lifecycle",
    "depends_on",
    "provisioner",
    "connection",
)
_MODULE_META = ("source", "version", "providers", "count", "for_each", "depends_on")
#: Longest chain of resources evaluated because one reads another (deeper reads are unknown).
MAX_REFERENCE_DEPTH = 16
#: Deepest module nesting expanded (a module that calls itself must end somewhere).
MAX_MODULE_DEPTH = 24


def evaluate_root(
    module: ModuleSource,
    variables: Mapping[str, Any],
    options: ParseOptions,
    context: tuple[SourceFile, ...] = (),
) -> Graph:
    """The resource graph of ``module`` as a root module, its module calls expanded.

    ``context`` files (siblings not given as inputs) lend their ``variable`` and ``locals``
    blocks; their resources are not added.
    """
    root = Path(module.directory)
    builder = _Builder(root, options)
    full = ModuleSource(module.directory, module.files + context)
    builder.instance(full, variables, "", (), frozenset({os.path.realpath(root)}), context)
    inputs = [f.path for f in module.files] + sorted(builder.module_files)
    return builder.nodes.graph(inputs)


class _Builder:
    def __init__(self, root: Path, options: ParseOptions) -> None:
        self.root = root
        self.options = options
        self.installed = installed_modules(root, options.max_bytes, options.confinement)
        self.cwd_shown = _from_scan_root(root, options)
        self.nodes = Nodes()
        self.module_files: set[str] = set()
        self.providers = DefaultTags()
        #: Resources being evaluated because another one reads them (nesting depth).
        self._reading = 0
        self._modules: dict[str, ModuleSource | None] = {}

    # -- one module instance ---------------------------------------------------------------

    def instance(
        self,
        module: ModuleSource,
        inputs: Mapping[str, Any],
        prefix: str,
        call_keys: tuple[str, ...],
        seen: frozenset[str],
        context: tuple[SourceFile, ...] = (),
    ) -> dict[str, Any]:
        """Add one module instance's resources and module calls; return its outputs."""
        variables: dict[str, Any] = {}
        for _, (name,), body in module.blocks("variable", 1):
            if is_true(body.get("sensitive")):
                variables[name] = REDACTED  # its value never reaches an output
            else:
                variables[name] = variable_value(body, inputs.get(name, ABSENT))
        scope = Scope(variables, lambda _: UNKNOWN, prefix, None, None, module.directory)
        scope.path_cwd = self.cwd_shown
        shown = os.path.relpath(os.path.abspath(module.directory), os.path.abspath(self.root))
        scope.path_module_shown = Path(shown).as_posix()
        scope.locals = Locals(module, scope)
        if not prefix:
            self.providers.read(module, scope)
        context_paths = {f.path for f in context}
        own = [file for file in module.files if file.path not in context_paths]
        calls = {
            name: (file, body) for file in own for (name,), body in file.doc.blocks("module", 1)
        }
        outputs: dict[str, Any] = {}
        active: set[str] = set()

        def module_outputs(name: str) -> Any:
            """Expand a module call on first use, so callers can read its outputs."""
            if name not in outputs and name in calls and name not in active:
                active.add(name)
                file, body = calls[name]
                outputs[name] = self._module_call(file, name, body, scope, call_keys, seen)
            return outputs.get(name)

        blocks: dict[tuple[str, str, str], tuple[SourceFile, str, Mapping[str, Any]]] = {}
        for file in own:
            for mode, key in (("managed", "resource"), ("data", "data")):
                for (rtype, name), body in file.doc.blocks(key, 2):
                    blocks.setdefault((mode, rtype, name), (file, key, body))
        configured: dict[tuple[str, str, str], Any] = {}

        def resource_values(rtype: str, name: str) -> Any:
            """Add a resource on first use, so others can read what its configuration sets."""
            block = ("managed", rtype, name)
            if block in blocks and block not in configured:
                if self._reading >= MAX_REFERENCE_DEPTH:
                    return None  # a long chain of references: read as unknown, never a crash
                configured[block] = None  # a reference cycle reads it as unknown
                file, key, body = blocks[block]
                self._reading += 1
                try:
                    configured[block] = self._resource(
                        file, "managed", key, rtype, name, body, scope
                    )
                finally:
                    self._reading -= 1
            return configured.get(block)

        scope.modules = module_outputs
        scope.resources = resource_values
        for name in calls:
            module_outputs(name)
        for (mode, rtype, name), (file, key, body) in blocks.items():
            if mode == "managed":
                resource_values(rtype, name)
            else:
                self._resource(file, mode, key, rtype, name, body, scope)
        return {
            name: evaluate(body.get("value"), scope)
            for _, (name,), body in module.blocks("output", 1)
        }

    def _check_count(self, path: str, more: int) -> None:
        if len(self.nodes.resources) + more > self.options.max_resources:
            raise InputError(
                path,
                f"the configuration expands to more than {self.options.max_resources:,} "
                "resources (raise it with --max-resources)",
            )

    def _resource(
        self,
        file: SourceFile,
        mode: str,
        key: str,
        rtype: str,
        name: str,
        body: Mapping[str, Any],
        scope: Scope,
    ) -> Any:
        """Add the block's instances; their configured attributes (see ``Scope.resources``)."""
        local = f"{rtype}.{name}" if mode == "managed" else f"data.{rtype}.{name}"
        base = scope.address(local)
        found, uncounted = instances(body, scope, lambda n: self._check_count(file.path, n))
        values: list[Any] = []
        for suffix, each, index in found:
            instance = scope.with_instance(each, index)
            out = Converted()
            written = {k: v for k, v in attributes(body).items() if k not in _META_ARGUMENTS}
            evaluated = evaluate(written, instance)  # dynamic blocks expand here
            if mode == "managed" and rtype.startswith("aws_"):
                evaluated = self.providers.with_default_tags(rtype, body, evaluated, scope.prefix)
            values.append(evaluated)
            settings = {k: materialize(v, k, out) for k, v in evaluated.items()}
            out.references |= instance.refs
            depends = Converted()
            listed = scope.with_instance(each, index)
            materialize(evaluate(body.get("depends_on"), listed), "depends_on", depends)
            depends.references |= listed.refs
            self.nodes.add(
                file.path,
                base + suffix,
                rtype,
                name,
                mode,
                settings,
                out,
                depends,
                Location(file.path, file.lines.get((key, rtype, name))),
                scope.prefix or None,
                uncounted if mode == "managed" else None,
                "count" if uncounted else None,
            )
        if uncounted:
            return None
        if "count" in body:
            return values
        if "for_each" in body:
            return {
                str(each[0]): value
                for (_, each, _), value in zip(found, values, strict=True)
                if each
            }
        return values[0] if values else None

    # -- module calls ----------------------------------------------------------------------

    def _module_call(
        self,
        file: SourceFile,
        name: str,
        body: Mapping[str, Any],
        scope: Scope,
        call_keys: tuple[str, ...],
        seen: frozenset[str],
    ) -> Any:
        """Add the call's node and expand it; its outputs (None when not expanded)."""
        address = scope.address(f"module.{name}")
        source = quoted_text(body.get("source")) or ""
        keys = (*call_keys, name)
        directory, why = self._module_directory(source, scope.path_module, keys)
        if directory is not None and os.path.realpath(directory) in seen:
            directory, why = None, "calls a module that is already being expanded (a cycle)"
        if directory is not None and len(keys) > MAX_MODULE_DEPTH:
            directory, why = None, f"is nested more than {MAX_MODULE_DEPTH} modules deep"
        module = self._module(directory) if directory is not None else None
        if directory is not None and module is None:
            why = f"has no .tf files in {directory}"
        out = Converted()
        arguments = scope.with_instance(scope.each, scope.count_index)
        written = {k: v for k, v in attributes(body).items() if k not in _MODULE_META}
        settings = {k: materialize(evaluate(v, arguments), k, out) for k, v in written.items()}
        out.references |= arguments.refs
        settings["source"] = source or None
        found, uncounted = instances(body, scope, lambda n: self._check_count(file.path, n))
        reason = uncounted if module is not None else None
        if module is None:
            shown = source or "(no source)"
            reason = (
                f"the module's source {shown} {why}, so none of its resources were checked; "
                "run `terraform init`, or scan the plan"
            )
        self.nodes.add(
            file.path,
            address,
            "module",
            name,
            "module",
            settings,
            out,
            Converted(),
            Location(file.path, file.lines.get(("module", name, ""))),
            scope.prefix or None,
            reason,
            "count" if reason and uncounted else None,
        )
        if uncounted:
            self.nodes.uncounted.add(address)
        if module is None:
            return None
        self.module_files.update(f.path for f in module.files)
        results: dict[str, Any] = {}
        providers = self.providers.child_providers(body, scope.prefix)
        for suffix, each, index in found:
            self.providers.provider_maps[address + suffix] = providers
            instance = scope.with_instance(each, index)
            inputs = {k: evaluate(v, instance) for k, v in written.items()}
            results[suffix] = self.instance(
                module,
                inputs,
                address + suffix,
                keys,
                seen | {os.path.realpath(module.directory)},
            )
        if "count" in body and "" not in results:
            return list(results.values())
        if "for_each" in body and "" not in results:
            return {key[2:-2]: value for key, value in results.items()}
        return results.get("", UNKNOWN)

    def _module_directory(
        self, source: str, parent: str, keys: tuple[str, ...]
    ) -> tuple[str | None, str]:
        if source.startswith(("./", "../")):
            directory = os.path.normpath(os.path.join(parent, source))
            if not os.path.isdir(directory):
                return None, "is a local path that does not exist"
            return self._inside(directory)
        installed = self.installed.get(".".join(keys))
        if installed is not None:
            directory = os.path.normpath(self.root / installed)
            if os.path.isdir(directory):
                return self._inside(directory)
        return None, "is not installed (no entry in .terraform/modules/modules.json)"

    def _inside(self, directory: str) -> tuple[str | None, str]:
        """A module directory that resolves outside the root is treated as not installed."""
        if allowed(self.options.confinement, directory):
            return directory, ""
        return None, OUTSIDE_ROOT.replace("; refused, not read", ", so it was not read")

    def _module(self, directory: str) -> ModuleSource | None:
        if directory not in self._modules:
            options = self.options
            self._modules[directory] = read_module(
                directory, options.max_bytes, options.confinement
            )
        return self._modules[directory]


def _from_scan_root(directory: Path, options: ParseOptions) -> str:
    """``directory`` relative to the scan root; the root itself, or a directory outside it,
    by its own name (``basename(path.cwd)`` names things in real modules)."""
    roots = options.confinement.roots if options.confinement else ()
    real = os.path.realpath(directory)
    if roots and within(real, roots[0]) and real != roots[0]:
        return Path(os.path.relpath(real, roots[0])).as_posix()
    return os.path.basename(real) or "."
