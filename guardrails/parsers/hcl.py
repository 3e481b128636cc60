"""Terraform HCL (``.tf`` files, one directory = one module) into the resource graph.

Resources keep their literal attributes; ``var.x`` takes the variable's default and ``local.x``
a literal local; every other expression is unknown until apply (its path goes in ``unknown``).
Module calls become ``module`` nodes; their contents are not expanded (noted in the input).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from guardrails.errors import InputError
from guardrails.model import REDACTED, Action, Edge, EdgeKind, Graph, InputFile, Location, Resource
from guardrails.model import SourceFormat as Fmt
from guardrails.parsers.base import ParseOptions
from guardrails.parsers.hcl_guard import bounded_hcl
from guardrails.parsers.hcl_values import Converted, ValueConverter, literal_table, unquote
from guardrails.parsers.ids import provider_from_terraform, resource_id, string_map
from guardrails.parsers.json_safe import check_values
from guardrails.parsers.loader import LoadedInput, read_text
from guardrails.parsers.terraform_source import block_lines

_META_ARGUMENTS = (
    "count",
    "for_each",
    "provider",
    "lifecycle",
    "depends_on",
    "provisioner",
    "connection",
)


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
        line = getattr(exc, "line", None)
        where = f" at line {line}" if isinstance(line, int) and line > 0 else ""
        problem = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(path, f"invalid HCL{where}: {problem[:160]}") from None
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


class TerraformHclParser:
    """``.tf`` configuration files (python-hcl2)."""

    format = Fmt.TERRAFORM_HCL

    def matches(self, loaded: LoadedInput) -> bool:
        return loaded.syntax == "hcl"

    def parse(self, loaded: LoadedInput, options: ParseOptions) -> Graph:
        return self.parse_sources([(loaded.path, loaded.text)])

    def parse_files(self, files: list[str], options: ParseOptions) -> Graph:
        """One directory's .tf files, parsed together (variables apply across files)."""
        return self.parse_sources([(f, read_text(f, options.max_bytes)) for f in sorted(files)])

    def parse_sources(self, sources: list[tuple[str, str]]) -> Graph:
        documents = [(path, text, _load(path, text)) for path, text in sources]
        variables: dict[str, Any] = {}
        locals_: dict[str, Any] = {}
        for _, _, doc in documents:
            for labels, body in _labelled(doc.get("variable"), 1):
                variables.update(literal_table({labels[0]: body}, "default"))
                if labels[0] in variables and _sensitive(body):
                    variables[labels[0]] = REDACTED  # its default never reaches an output
            for block in doc.get("locals", []) if isinstance(doc.get("locals"), list) else []:
                if isinstance(block, Mapping):
                    locals_.update(literal_table(dict(block), None))
        converter = ValueConverter(variables, locals_)
        builder = _Builder(converter)
        for path, text, doc in documents:
            builder.add_file(path, text, doc)
        return builder.graph([path for path, _ in sources])


class _Builder:
    def __init__(self, converter: ValueConverter) -> None:
        self.converter = converter
        self.resources: list[Resource] = []
        self.references: dict[str, set[str]] = {}
        self.depends: dict[str, set[str]] = {}
        self.notes: dict[str, list[str]] = {}

    def add_file(self, path: str, text: str, doc: Mapping[str, Any]) -> None:
        lines = block_lines(text)
        for mode, key in (("managed", "resource"), ("data", "data")):
            for (rtype, name), body in _labelled(doc.get(key), 2):
                address = f"{rtype}.{name}" if mode == "managed" else f"data.{rtype}.{name}"
                line = lines.get((key, rtype, name))
                self._add(path, address, rtype, name, mode, body, line)
        for (name,), body in _labelled(doc.get("module"), 1):
            line = lines.get(("module", name, ""))
            source = body.get("source")
            shown = unquote(source) if isinstance(source, str) else "unknown source"
            reason = (
                f"module source {shown} was not expanded, so none of its resources were "
                "checked; run `terraform init`, or scan the plan"
            )
            self._add(path, f"module.{name}", "module", name, "module", body, line, reason)

    def _add(
        self,
        path: str,
        address: str,
        rtype: str,
        name: str,
        mode: str,
        body: Mapping[str, Any],
        line: int | None,
        unevaluated: str | None = None,
    ) -> None:
        out = Converted()
        attributes = {
            key: self.converter.convert(value, key, out)
            for key, value in body.items()
            if key not in _META_ARGUMENTS and not key.startswith("__")
        }
        depends = Converted()
        self.converter.convert(body.get("depends_on"), "depends_on", depends)
        for meta in ("count", "for_each"):
            if meta in body:
                self.notes.setdefault(path, []).append(
                    f"{address} uses {meta}: one resource stands for every instance"
                )
        labels: dict[str, str] = {}
        if mode == "managed":
            for key in ("tags", "labels", "tag"):  # `tag` blocks: aws_autoscaling_group
                labels.update(string_map(attributes.get(key)))
        rid = resource_id(path, address)
        self.references[rid] = out.references
        self.depends[rid] = depends.references
        self.resources.append(
            Resource(
                id=rid,
                address=address,
                source_format=Fmt.TERRAFORM_HCL,
                provider="terraform" if mode == "module" else provider_from_terraform(None, rtype),
                type=rtype,
                name=name,
                action=Action.CREATE,
                attributes=attributes,
                unknown=frozenset(out.unknown),
                labels=labels,
                location=Location(path, line),
                mode=mode,
                unevaluated=unevaluated,
            )
        )

    def graph(self, paths: list[str]) -> Graph:
        by_address = {r.address: r.id for r in self.resources}
        edges: list[Edge] = []
        for resource in self.resources:
            for kind, table in (
                (EdgeKind.REFERENCES, self.references),
                (EdgeKind.DEPENDS_ON, self.depends),
            ):
                for reference in sorted(table.get(resource.id, ())):
                    target = by_address.get(reference)
                    if target is not None and target != resource.id:
                        edges.append(Edge(resource.id, target, kind))
        inputs = tuple(
            InputFile(p, str(Fmt.TERRAFORM_HCL), tuple(self.notes.get(p, ()))) for p in paths
        )
        return Graph(tuple(self.resources), tuple(dict.fromkeys(edges)), inputs)


__all__ = ["TerraformHclParser"]
