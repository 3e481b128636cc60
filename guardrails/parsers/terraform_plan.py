"""Terraform plan and state JSON (``terraform show -json``) into the resource graph.

Plans: every ``resource_changes`` entry becomes a resource with its action (replace =
delete+create in either order), after/before values, unknown paths from ``after_unknown`` and
sensitive values from ``after_sensitive``/``before_sensitive`` replaced by REDACTED. Resources
that only appear in ``planned_values`` are kept as no-op. ``configuration`` gives the
``references`` and ``depends_on`` edges (module outputs are followed into the module), and
every module call becomes a ``module`` node with ``parent`` edges. States: ``values`` as no-op.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from guardrails.errors import InputError
from guardrails.inputs.json_safe import in_words
from guardrails.inputs.loader import STDIN_NAME, LoadedInput
from guardrails.model import Action, Edge, EdgeKind, Graph, InputFile, Location, Resource
from guardrails.model import SourceFormat as Fmt
from guardrails.model.ids import resource_id
from guardrails.parsers.base import ParseOptions
from guardrails.parsers.ids import provider_from_terraform, resource_labels
from guardrails.parsers.kubernetes import workload_edges
from guardrails.parsers.terraform_addresses import (
    module_call,
    module_of,
    module_paths_from_config,
    module_sources,
    walk_modules,
    with_ancestors,
)
from guardrails.parsers.terraform_config_edges import ConfigEdges
from guardrails.parsers.terraform_kubernetes import as_kubernetes
from guardrails.parsers.terraform_source import SourceIndex
from guardrails.parsers.terraform_values import aws_default_tags, redact_marked, true_paths, within

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
            SourceIndex(root, module_sources(self.doc), options.max_bytes, options.confinement)
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
            attributes = redact_marked(
                after if isinstance(after, dict) else {}, change.get("after_sensitive")
            )
            # A value marked only in after_sensitive (newly sensitive) is secret before, too.
            prior = (
                redact_marked(
                    redact_marked(before, change.get("before_sensitive")),
                    change.get("after_sensitive"),
                )
                if isinstance(before, dict)
                else None
            )
            unknown = frozenset(true_paths(change.get("after_unknown")))
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
        for mod in walk_modules(module):
            for res in mod.get("resources") or []:
                if not isinstance(res, dict) or res.get("address") in self.resources:
                    continue
                if res.get("address") in self._changed:
                    continue
                values = res.get("values")
                attributes = redact_marked(
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
        module = entry.get("module_address") or module_of(address)
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
        for path in module_paths_from_config(root, None):
            modules.add(path)
        for module in sorted(with_ancestors(modules)):
            self._add_module(module, root)
        links = ConfigEdges(self.resources, self.edges)
        for res in list(self.resources.values()):
            if res.mode == "module":
                parent = module_of(res.address)
                if parent:
                    links.edge(res.address, parent, EdgeKind.PARENT)
            elif res.module:
                links.edge(res.address, res.module, EdgeKind.PARENT)
        if isinstance(root, dict):
            links.add(root, None)

    def _tags_all(
        self, attributes: dict[str, Any], unknown: frozenset[str]
    ) -> tuple[dict[str, Any], frozenset[str]]:
        """AWS ``tags_all`` = provider ``default_tags`` merged with ``tags``: known whenever
        both are (without default_tags it is ``tags``); unknown only when they are."""
        if "tags_all" not in attributes and not any(within(u, "tags_all") for u in unknown):
            return attributes, unknown
        defaults = self._default_tags()
        if defaults is None or any(within(u, "tags") for u in unknown):
            return attributes, unknown
        tags = attributes.get("tags")
        if not isinstance(tags, dict | None):
            return attributes, unknown
        merged = {**defaults, **(tags or {})}
        known = frozenset(u for u in unknown if not within(u, "tags_all"))
        return {**attributes, "tags_all": merged}, known

    def _default_tags(self) -> dict[str, Any] | None:
        """The AWS provider's literal default_tags ({} without any); None when unknown."""
        if not hasattr(self, "_defaults"):
            self._defaults = aws_default_tags(self.doc.get("configuration"))
        return self._defaults

    def _add_module(self, module: str, root: Any) -> None:
        call = module_call(root, module)
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
            module=module_of(module),
        )
