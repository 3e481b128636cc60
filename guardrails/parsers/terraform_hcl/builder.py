"""Terraform HCL (``.tf`` files, one directory = one module) into the resource graph.

Evaluated the way ``terraform plan`` would where values are literal: variables take their
``terraform.tfvars`` / ``*.auto.tfvars`` / ``--var-file`` value or default, locals and the
common functions evaluate (see hcl_eval), literal ``count``/``for_each`` give one resource per
instance with a plan's address (``aws_instance.gpu[0]``, ``module.eks.aws_eks_node_group.this
["gpu"]``), and module calls are expanded: local sources from their directory, registry and
git sources from ``.terraform/modules/modules.json`` after ``terraform init``, the call's
arguments bound to the module's variables. A module that cannot be expanded stays a ``module``
node marked ``unevaluated`` (GR-INPUT-001 reports it); an expression that needs a value known
only after apply is in the resource's ``unknown`` paths.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from guardrails.errors import InputError
from guardrails.inputs.confine import OUTSIDE_ROOT, allowed, check_inside, within
from guardrails.inputs.json_safe import check_values, load_json
from guardrails.inputs.loader import LoadedInput, read_text
from guardrails.inputs.safe_io import read_side_file
from guardrails.inputs.secrets import redact_terraform
from guardrails.model import (
    INPUT_SKIPPED,
    REDACTED,
    Action,
    Edge,
    EdgeKind,
    Graph,
    InputFile,
    Location,
    Resource,
)
from guardrails.model import SourceFormat as Fmt
from guardrails.model.ids import resource_id
from guardrails.parsers.base import ParseOptions
from guardrails.parsers.ids import KNOWN_TAGGABLE, provider_from_terraform, resource_labels
from guardrails.parsers.kubernetes import workload_edges
from guardrails.parsers.terraform_hcl.adapter.guard import bounded_hcl, hcl_syntax_error
from guardrails.parsers.terraform_hcl.budget import work_budget
from guardrails.parsers.terraform_hcl.expressions import UNKNOWN, Scope, Unknown, unknown_of
from guardrails.parsers.terraform_hcl.type_constraints import convert, parse_type
from guardrails.parsers.terraform_hcl.values import Converted, evaluate, materialize, unquote
from guardrails.parsers.terraform_kubernetes import as_kubernetes
from guardrails.parsers.terraform_source import block_lines, installed_modules

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
#: AWS types whose tags the provider's default_tags do not reach (their own ``tag`` blocks).
_NO_DEFAULT_TAGS = {"aws_autoscaling_group"}
#: Longest chain of resources evaluated because one reads another (deeper reads are unknown).
MAX_REFERENCE_DEPTH = 16
#: Deepest module nesting expanded (a module that calls itself must end somewhere).
MAX_MODULE_DEPTH = 24
_NO_INSTANCES: list[tuple[str, tuple[Any, Any] | None, int | None]] = []


def _load(path: str, text: str) -> dict[str, Any]:
    # Imported here: python-hcl2 and Lark cost ~50 ms, and most runs read no .tf file.
    import hcl2
    from hcl2.utils import SerializationOptions

    options = SerializationOptions(with_comments=False, explicit_blocks=True)
    try:
        document = hcl2.loads(bounded_hcl(path, text), serialization_options=options)
    except InputError:
        raise
    except Exception as exc:  # python-hcl2 raises Lark errors of many types
        raise InputError(path, hcl_syntax_error(exc)) from None
    check_values(path, document)
    return document if isinstance(document, dict) else {}


def _labelled(blocks: Any, depth: int) -> Iterator[tuple[tuple[str, ...], Mapping[str, Any]]]:
    """(labels, body) of every block in python-hcl2's nested-dict form."""
    for item in blocks if isinstance(blocks, list) else []:
        if not isinstance(item, Mapping):
            continue
        for first, inner in item.items():
            if depth == 1 and isinstance(inner, Mapping):
                yield (unquote(first),), inner
            elif depth == 2 and isinstance(inner, Mapping):
                for second, body in inner.items():
                    if isinstance(body, Mapping):
                        yield (unquote(first), unquote(second)), body


def _sensitive(body: Mapping[str, Any]) -> bool:
    flag = body.get("sensitive")
    return flag is True or (isinstance(flag, str) and flag.strip('"${} ').lower() == "true")


@dataclass(frozen=True)
class _File:
    path: str
    lines: dict[tuple[str, str, str], int]
    doc: dict[str, Any]


@dataclass(frozen=True)
class ModuleSource:
    """The parsed .tf files of one directory."""

    directory: str
    files: tuple[_File, ...]

    def blocks(self, key: str, depth: int) -> Iterator[tuple[_File, tuple[str, ...], Any]]:
        for file in self.files:
            for labels, body in _labelled(file.doc.get(key), depth):
                yield file, labels, body

    def local_sources(self) -> list[str]:
        """Directories this module's local module calls point at."""
        out = []
        for _, _, body in self.blocks("module", 1):
            source = body.get("source")
            if isinstance(source, str) and unquote(source).startswith(("./", "../")):
                out.append(os.path.normpath(os.path.join(self.directory, unquote(source))))
        return out


class TerraformHclParser:
    """``.tf`` configuration files (python-hcl2)."""

    format = Fmt.TERRAFORM_HCL

    def matches(self, loaded: LoadedInput) -> bool:
        return loaded.syntax == "hcl"

    def parse(self, loaded: LoadedInput, options: ParseOptions) -> Graph:
        directory = os.path.dirname(loaded.path) or "."
        module = ModuleSource(directory, (_parsed(loaded.path, loaded.text),))
        return self.expand(module, options)

    def parse_sources(
        self, sources: list[tuple[str, str]], options: ParseOptions | None = None
    ) -> Graph:
        """.tf texts already in memory (path, text), evaluated together as one root module."""
        directory = os.path.dirname(sources[0][0]) if sources else "."
        files = tuple(_parsed(path, text) for path, text in sources)
        return self.expand(ModuleSource(directory or ".", files), options or ParseOptions())

    def load_directory(
        self, directory: str, files: list[str], options: ParseOptions
    ) -> ModuleSource:
        """One directory's .tf files, parsed (variables apply across files)."""
        return ModuleSource(
            directory,
            tuple(_parsed(f, read_text(f, options.max_bytes)) for f in sorted(files)),
        )

    def parse_files(
        self, files: list[str], options: ParseOptions, loaded: ModuleSource | None = None
    ) -> Graph:
        """The given .tf files of one directory as a root module.

        When only some of a directory's files are given, the ``variable`` and ``locals``
        blocks of the others still apply (a Terraform module is a directory).
        """
        directory = os.path.dirname(files[0]) or "."
        module = loaded or self.load_directory(directory, files, options)
        siblings = [
            str(p)
            for p in sorted(Path(directory).glob("*.tf"))
            if str(p) not in set(files) and p.is_file()
        ]
        context = []
        for sibling in siblings:
            check_inside(options.confinement, sibling)
            text = read_side_file(sibling, options.max_bytes)
            if text is not None:
                parsed = _parsed(sibling, text)
                doc = {k: v for k, v in parsed.doc.items() if k in ("variable", "locals")}
                context.append(_File(sibling, {}, doc))
        return self.expand(module, options, tuple(context))

    def expand(
        self, module: ModuleSource, options: ParseOptions, context: tuple[_File, ...] = ()
    ) -> Graph:
        """The resource graph of ``module`` as a root module, its module calls expanded."""
        root = Path(module.directory)
        builder = _Builder(root, options)
        variables = _root_variables(module, context, options)
        full = ModuleSource(module.directory, module.files + context)
        builder.instance(full, variables, "", (), frozenset({os.path.realpath(root)}), context)
        inputs = [f.path for f in module.files] + sorted(builder.module_files)
        return builder.graph(inputs)


def root_addresses(graph: Graph) -> set[str]:
    """Blocks a plan's root module declares (``aws_instance.gpu``, ``module.eks``)."""
    return {_strip_keys(r.address) for r in graph.resources if not r.module}


def _declared(module: ModuleSource) -> set[str]:
    found = {f"{t}.{n}" for _, (t, n), _ in module.blocks("resource", 2)}
    found |= {f"data.{t}.{n}" for _, (t, n), _ in module.blocks("data", 2)}
    return found | {f"module.{n}" for _, (n,), _ in module.blocks("module", 1)}


def directory_graphs(
    directories: Mapping[str, list[str]],
    plan_dirs: Mapping[str, set[str]],
    options: ParseOptions,
    errors: list[InputError],
) -> Iterator[Graph]:
    """The graphs of the .tf files found, one per root module.

    Rules that keep every resource counted once: a directory another scanned directory calls
    as a local module is evaluated through that call (see :func:`root_directories`); .tf files
    beside a Terraform plan or state JSON that declares every block they declare are that
    plan's source: the plan represents them, they only give its resources their file:line.
    """
    from guardrails.errors import current_input

    parser = TerraformHclParser()
    modules = {}
    for directory, files in directories.items():
        current_input.set(directory)
        try:
            modules[directory] = parser.load_directory(directory, files, options)
        except InputError as exc:  # one bad directory does not hide the others
            errors.append(exc)
    for directory in root_directories(modules):
        current_input.set(directory)
        files = directories[directory]
        planned = plan_dirs.get(os.path.normpath(directory))
        if planned is not None and _declared(modules[directory]) <= planned:
            note = "source of the plan in this directory: gives its file:line, not counted again"
            yield Graph(inputs=tuple(InputFile(f, INPUT_SKIPPED, (note,)) for f in files))
            continue
        try:
            with work_budget():  # one budget of work per root module and the modules it calls
                graph = parser.parse_files(files, options, modules[directory])
        except InputError as exc:
            errors.append(exc)
            continue
        yield graph


def _parsed(path: str, text: str) -> _File:
    return _File(path, block_lines(text), _load(path, text))


def root_directories(modules: Mapping[str, ModuleSource]) -> list[str]:
    """The directories to evaluate as root modules: those no other scanned directory calls.

    A module repository's top directory used by its ``examples/*`` is evaluated through them,
    with their arguments, rather than a second time on its own with none.
    """
    called: set[str] = set()
    for directory, module in modules.items():
        called.update(d for d in module.local_sources() if d != os.path.normpath(directory))
    roots = [d for d in modules if os.path.normpath(d) not in called]
    return roots or list(modules)


def _root_variables(
    module: ModuleSource, context: tuple[_File, ...], options: ParseOptions
) -> dict[str, Any]:
    """Values of the root module's variables: tfvars files, then ``--var-file`` (later wins)."""
    values: dict[str, Any] = {}
    directory = Path(module.directory)
    found = [directory / "terraform.tfvars", directory / "terraform.tfvars.json"]
    found += sorted(directory.glob("*.auto.tfvars")) + sorted(directory.glob("*.auto.tfvars.json"))
    for path in found:
        if path.exists():
            check_inside(options.confinement, path)
        text = read_side_file(str(path), options.max_bytes)
        if text is not None:
            values.update(_var_file(str(path), text))
    for var_file in options.var_files:
        check_inside(options.confinement, var_file)
        values.update(_var_file(var_file, read_text(var_file, options.max_bytes)))
    return values


def _var_file(path: str, text: str) -> dict[str, Any]:
    if path.endswith(".json"):
        doc = load_json(path, text)
        if not isinstance(doc, dict):
            raise InputError(path, "a .tfvars.json file must hold one JSON object")
        return {str(k): v for k, v in doc.items()}
    doc = _load(path, text)
    return {k: evaluate(v, Scope()) for k, v in doc.items() if not k.startswith("__")}


class _Builder:
    def __init__(self, root: Path, options: ParseOptions) -> None:
        self.root = root
        self.options = options
        self.installed = installed_modules(root, options.max_bytes, options.confinement)
        self.cwd_shown = _from_scan_root(root, options)
        self.resources: list[Resource] = []
        self.references: dict[str, set[str]] = {}
        self.depends: dict[str, set[str]] = {}
        self.parents: dict[str, str] = {}
        self.notes: dict[str, list[str]] = {}
        self.module_files: set[str] = set()
        #: Module calls whose number of instances is unknown: one instance stands for all.
        self.uncounted: set[str] = set()
        #: AWS provider configuration ("aws", "aws.west") -> its default_tags (Unknown when
        #: an expression known only after apply); module instance -> provider name mapping.
        self.default_tags: dict[str, Any] = {}
        #: Resources being evaluated because another one reads them (nesting depth).
        self._reading = 0
        self.provider_maps: dict[str, dict[str, str]] = {}
        self._modules: dict[str, ModuleSource | None] = {}

    # -- one module instance ---------------------------------------------------------------

    def instance(
        self,
        module: ModuleSource,
        inputs: Mapping[str, Any],
        prefix: str,
        call_keys: tuple[str, ...],
        seen: frozenset[str],
        context: tuple[_File, ...] = (),
    ) -> dict[str, Any]:
        """Add one module instance's resources and module calls; return its outputs."""
        variables: dict[str, Any] = {}
        for _, (name,), body in module.blocks("variable", 1):
            if _sensitive(body):
                variables[name] = REDACTED  # its value never reaches an output
            else:
                variables[name] = _variable_value(body, inputs.get(name, _ABSENT))
        scope = Scope(variables, lambda _: UNKNOWN, prefix, None, None, module.directory)
        scope.path_cwd = self.cwd_shown
        shown = os.path.relpath(os.path.abspath(module.directory), os.path.abspath(self.root))
        scope.path_module_shown = Path(shown).as_posix()
        scope.locals = _Locals(module, scope)
        if not prefix:
            self._read_providers(module, scope)
        context_paths = {f.path for f in context}
        calls = {
            name: (file, body)
            for file in module.files
            if file.path not in context_paths
            for (name,), body in _labelled(file.doc.get("module"), 1)
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

        blocks: dict[tuple[str, str, str], tuple[_File, str, Mapping[str, Any]]] = {}
        for file in module.files:
            if file.path in context_paths:
                continue
            for mode, key in (("managed", "resource"), ("data", "data")):
                for (rtype, name), body in _labelled(file.doc.get(key), 2):
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

    def _instances(
        self, body: Mapping[str, Any], scope: Scope, address: str, path: str
    ) -> tuple[list[tuple[str, tuple[Any, Any] | None, int | None]], str | None]:
        """(address suffix, each, count.index) of every instance, and why their number is
        unknown (then one unkeyed instance stands for all of them)."""
        if "count" in body:
            count = evaluate(body["count"], scope)
            finite = isinstance(count, int) or (isinstance(count, float) and count.is_integer())
            if isinstance(count, bool) or not finite or count < 0:
                return [("", None, None)], _uncounted("count", body["count"], count)
            self._check_count(path, int(count))
            return [(f"[{i}]", None, i) for i in range(int(count))], None
        if "for_each" in body:
            each = evaluate(body["for_each"], scope)
            if isinstance(each, list) and all(isinstance(k, str) for k in each):
                pairs: list[tuple[Any, Any]] = [(k, k) for k in each]
            elif isinstance(each, dict) and not isinstance(each, Unknown):
                pairs = list(each.items())
            else:
                return [("", None, None)], _uncounted("for_each", body["for_each"], each)
            self._check_count(path, len(pairs))
            return [(f'["{k}"]', (k, v), None) for k, v in pairs], None
        return [("", None, None)], None

    def _check_count(self, path: str, more: int) -> None:
        if len(self.resources) + more > self.options.max_resources:
            raise InputError(
                path,
                f"the configuration expands to more than {self.options.max_resources:,} "
                "resources (raise it with --max-resources)",
            )

    def _resource(
        self,
        file: _File,
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
        instances, uncounted = self._instances(body, scope, base, file.path)
        values: list[Any] = []
        for suffix, each, index in instances:
            instance = scope.with_instance(each, index)
            out = Converted()
            written = {
                k: v for k, v in body.items() if k not in _META_ARGUMENTS and not k.startswith("__")
            }
            evaluated = evaluate(written, instance)  # dynamic blocks expand here
            if mode == "managed" and rtype.startswith("aws_"):
                evaluated = self._with_default_tags(rtype, body, evaluated, scope.prefix)
            values.append(evaluated)
            attributes = {k: materialize(v, k, out) for k, v in evaluated.items()}
            out.references |= instance.refs
            depends = Converted()
            listed = scope.with_instance(each, index)
            materialize(evaluate(body.get("depends_on"), listed), "depends_on", depends)
            depends.references |= listed.refs
            self._add(
                file.path,
                base + suffix,
                rtype,
                name,
                mode,
                attributes,
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
                for (_, each, _), value in zip(instances, values, strict=True)
                if each
            }
        return values[0] if values else None

    # -- providers: AWS default_tags -------------------------------------------------------

    def _read_providers(self, module: ModuleSource, scope: Scope) -> None:
        """The root module's ``provider "aws"`` blocks: their literal ``default_tags``."""
        for _, (name,), body in module.blocks("provider", 1):
            if name != "aws":
                continue
            alias = evaluate(body.get("alias"), scope)
            key = f"aws.{alias}" if isinstance(alias, str) else "aws"
            blocks = body.get("default_tags")
            block = blocks[0] if isinstance(blocks, list) and blocks else {}
            tags = evaluate(block.get("tags"), scope) if isinstance(block, Mapping) else UNKNOWN
            self.default_tags[key] = tags if tags is not None else {}

    def _child_providers(self, body: Mapping[str, Any], prefix: str) -> dict[str, str]:
        """A module call's provider names -> root configurations: the default ``aws`` is
        inherited, ``providers = { aws = aws.west }`` passes another one."""
        parent = self.provider_maps.get(prefix, {})
        child = {"aws": parent.get("aws", "aws")}
        passed = body.get("providers")
        for item in passed if isinstance(passed, list) else [passed]:
            for key, value in item.items() if isinstance(item, Mapping) else ():
                ref = _reference_text(value)
                if ref and not str(key).startswith("__"):
                    child[unquote(str(key))] = parent.get(ref, ref)
        return child

    def _with_default_tags(
        self, rtype: str, body: Mapping[str, Any], attributes: dict[str, Any], prefix: str
    ) -> dict[str, Any]:
        """``tags_all``, as the AWS provider plans it: its ``default_tags`` under ``tags``."""
        if rtype in _NO_DEFAULT_TAGS or ("tags" not in attributes and rtype not in KNOWN_TAGGABLE):
            return attributes
        local = _reference_text(body.get("provider")) or "aws"
        config = self.provider_maps.get(prefix, {}).get(local, local)
        defaults = self.default_tags.get(config, {})
        tags = attributes.get("tags")
        if not defaults:
            return attributes  # without default_tags, tags_all is tags
        if isinstance(defaults, Unknown) or isinstance(tags, Unknown):
            return {**attributes, "tags_all": unknown_of(defaults, tags)}
        if not isinstance(defaults, dict) or not isinstance(tags, dict | None):
            return attributes
        return {**attributes, "tags_all": {**defaults, **(tags or {})}}

    # -- module calls ----------------------------------------------------------------------

    def _module_call(
        self,
        file: _File,
        name: str,
        body: Mapping[str, Any],
        scope: Scope,
        call_keys: tuple[str, ...],
        seen: frozenset[str],
    ) -> Any:
        """Add the call's node and expand it; its outputs (None when not expanded)."""
        address = scope.address(f"module.{name}")
        raw_source = body.get("source")
        source = unquote(raw_source) if isinstance(raw_source, str) else ""
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
        attributes = {
            k: materialize(evaluate(v, arguments), k, out)
            for k, v in body.items()
            if k not in _MODULE_META and not k.startswith("__")
        }
        out.references |= arguments.refs
        attributes["source"] = source or None
        instances, uncounted = self._instances(body, scope, address, file.path)
        reason = uncounted if module is not None else None
        if module is None:
            shown = source or "(no source)"
            reason = (
                f"the module's source {shown} {why}, so none of its resources were checked; "
                "run `terraform init`, or scan the plan"
            )
        self._add(
            file.path,
            address,
            "module",
            name,
            "module",
            attributes,
            out,
            Converted(),
            Location(file.path, file.lines.get(("module", name, ""))),
            scope.prefix or None,
            reason,
            "count" if reason and uncounted else None,
        )
        if uncounted:
            self.uncounted.add(address)
        if module is None:
            return None
        self.module_files.update(f.path for f in module.files)
        results: dict[str, Any] = {}
        providers = self._child_providers(body, scope.prefix)
        for suffix, each, index in instances:
            self.provider_maps[address + suffix] = providers
            instance = scope.with_instance(each, index)
            inputs = {
                k: evaluate(v, instance)
                for k, v in body.items()
                if k not in _MODULE_META and not k.startswith("__")
            }
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
            files = []
            for path in sorted(Path(directory).glob("*.tf")):
                check_inside(self.options.confinement, path)
                text = read_side_file(str(path), self.options.max_bytes)
                if text is not None:
                    files.append(_parsed(str(path), text))
            self._modules[directory] = ModuleSource(directory, tuple(files)) if files else None
        return self._modules[directory]

    # -- nodes and edges -------------------------------------------------------------------

    def _add(
        self,
        path: str,
        address: str,
        rtype: str,
        name: str,
        mode: str,
        attributes: dict[str, Any],
        out: Converted,
        depends: Converted,
        location: Location,
        module: str | None,
        unevaluated: str | None = None,
        uncounted: str | None = None,
    ) -> None:
        rid = resource_id(path, address)
        if (
            uncounted is None
            and module
            and any(
                module == call or module.startswith((call + ".", call + "["))
                for call in self.uncounted
            )
        ):
            uncounted = "count"  # inside a module call whose number of instances is unknown
        if uncounted:  # enrichment must not price the stand-in as one instance
            out.unknown.add(uncounted)
        self.references[rid] = out.references
        self.depends[rid] = depends.references
        if module:
            self.parents[rid] = _strip_last_key(module)
        if mode == "managed":
            attributes = redact_terraform(rtype, attributes)
        self.resources.append(
            as_kubernetes(
                Resource(
                    id=rid,
                    address=address,
                    source_format=Fmt.TERRAFORM_HCL,
                    provider="terraform"
                    if mode == "module"
                    else provider_from_terraform(None, rtype),
                    type=rtype,
                    name=name,
                    action=Action.CREATE,
                    attributes=attributes,
                    unknown=frozenset(out.unknown),
                    labels=resource_labels(rtype, attributes) if mode == "managed" else {},
                    location=location,
                    mode=mode,
                    module=module,
                    unevaluated=unevaluated,
                )
            )
        )

    def graph(self, paths: list[str]) -> Graph:
        by_address = {r.address: r.id for r in self.resources}
        by_base: dict[str, list[str]] = {}
        for r in self.resources:
            by_base.setdefault(_strip_keys(r.address), []).append(r.id)
        edges: list[Edge] = []
        for resource in self.resources:
            for kind, table in (
                (EdgeKind.REFERENCES, self.references),
                (EdgeKind.DEPENDS_ON, self.depends),
            ):
                for reference in sorted(table.get(resource.id, ())):
                    for target in by_base.get(_strip_keys(reference), ()):
                        if target != resource.id:
                            edges.append(Edge(resource.id, target, kind))
            parent = by_address.get(self.parents.get(resource.id, ""))
            if parent is not None and parent != resource.id:
                edges.append(Edge(resource.id, parent, EdgeKind.PARENT))
        # Services select, HPAs scale and workloads mount the kubernetes_* objects.
        edges.extend(workload_edges(self.resources))
        inputs = tuple(
            InputFile(p, str(Fmt.TERRAFORM_HCL), tuple(self.notes.get(p, ()))) for p in paths
        )
        return Graph(tuple(self.resources), tuple(dict.fromkeys(edges)), inputs)


class _Locals:
    """Locals evaluated on first use (they may refer to each other, in any order)."""

    def __init__(self, module: ModuleSource, scope: Scope) -> None:
        self.raw: dict[str, Any] = {}
        for file in module.files:
            blocks = file.doc.get("locals")
            for block in blocks if isinstance(blocks, list) else []:
                if isinstance(block, Mapping):
                    self.raw.update({k: v for k, v in block.items() if not k.startswith("__")})
        self.scope = scope
        self.values: dict[str, Any] = {}
        self.active: set[str] = set()

    def __call__(self, name: str) -> Any:
        if name in self.values:
            return self.values[name]
        if name not in self.raw or name in self.active:
            return UNKNOWN  # undefined or a cycle: Terraform would refuse; we do not guess
        self.active.add(name)
        value = evaluate(self.raw[name], self.scope)
        self.active.discard(name)
        self.values[name] = value
        return value


def _uncounted(meta: str, raw: Any, value: Any) -> str:
    """Why the number of instances is unknown, naming the expression and what to do."""
    text = raw.strip() if isinstance(raw, str) else json.dumps(raw, default=str)
    if text.startswith("${") and text.endswith("}"):
        text = text[2:-1].strip()
    text = " ".join(text.split())
    text = text if len(text) <= 120 else text[:117] + "..."
    references = sorted(value.references) if isinstance(value, Unknown) else []
    if isinstance(value, Unknown):
        cause = "cannot be evaluated before apply (it depends on "
        cause += (
            f"{', '.join(references[:3])})"
            if references
            else "a resource attribute, a data source or a variable without a value)"
        )
    else:
        cause = "is not " + ("a whole number" if meta == "count" else "a map or a set of strings")
    return (
        f"{meta} = {text} {cause}, so the number of instances is unknown: one resource stands "
        "for all of them and its cost is not counted; give the value literally or through "
        "variables (terraform.tfvars, --var-file), or scan the plan (`terraform show -json`)"
    )


_ABSENT = object()


def _from_scan_root(directory: Path, options: ParseOptions) -> str:
    """``directory`` relative to the scan root; the root itself, or a directory outside it,
    by its own name (``basename(path.cwd)`` names things in real modules)."""
    roots = options.confinement.roots if options.confinement else ()
    real = os.path.realpath(directory)
    if roots and within(real, roots[0]) and real != roots[0]:
        return Path(os.path.relpath(real, roots[0])).as_posix()
    return os.path.basename(real) or "."


def _reference_text(raw: Any) -> str | None:
    """``${aws.west}`` / ``aws.west`` -> ``aws.west`` (a provider reference)."""
    text = raw.strip() if isinstance(raw, str) else ""
    if text.startswith("${") and text.endswith("}"):
        text = text[2:-1].strip()
    return text or None


def _variable_value(body: Mapping[str, Any], given: Any) -> Any:
    """A variable's value: the argument or its default, converted to its ``type`` (optional
    attributes filled in); ``nullable = false`` turns null into the default."""
    spec = parse_type(body.get("type"))
    default = evaluate(body["default"], Scope()) if "default" in body else _ABSENT
    if spec is not None and default is not _ABSENT:
        default = convert(default, spec)
    value = default if given is _ABSENT else given
    if value is _ABSENT:
        return UNKNOWN
    if spec is not None and given is not _ABSENT:
        value = convert(value, spec)
    nullable = body.get("nullable")
    if value is None and default is not _ABSENT and (nullable is False or nullable == "false"):
        return default
    return value


def _strip_keys(address: str) -> str:
    """``module.a["x"].aws_y.z[0]`` -> ``module.a.aws_y.z`` (instance keys removed)."""
    out = []
    depth = 0
    quoted = False
    for ch in address:
        if ch == '"' and depth:
            quoted = not quoted
        elif ch == "[" and not quoted:
            depth += 1
        elif ch == "]" and not quoted:
            depth -= 1
        elif not depth:
            out.append(ch)
    return "".join(out)


def _strip_last_key(module: str) -> str:
    """The call node a module instance belongs to: ``module.a.module.b["k"]`` -> ``...b``."""
    if module.endswith("]"):
        depth = 0
        for i in range(len(module) - 1, -1, -1):
            if module[i] == "]":
                depth += 1
            elif module[i] == "[":
                depth -= 1
                if depth == 0:
                    return module[:i]
    return module


__all__ = [
    "ModuleSource",
    "TerraformHclParser",
    "directory_graphs",
    "root_addresses",
    "root_directories",
]
