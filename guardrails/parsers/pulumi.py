"""Pulumi ``preview --json`` and ``stack export`` into the resource graph.

Addresses are URNs; ``parent`` and ``dependencies`` become edges. Values unknown during a
preview (Pulumi's unknown sentinel) are null with their path in ``unknown``; secrets are
replaced by the redaction marker, so their plaintext never reaches any output.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from guardrails.errors import InputError
from guardrails.inputs.loader import LoadedInput
from guardrails.inputs.secrets import redact_keys, redact_kubernetes
from guardrails.model import REDACTED, Action, Edge, EdgeKind, Graph, InputFile, Resource
from guardrails.model import SourceFormat as Fmt
from guardrails.model.ids import resource_id
from guardrails.parsers.base import ParseOptions
from guardrails.parsers.ids import resource_labels, string_map
from guardrails.parsers.kubernetes import address_of, workload_edges
from guardrails.parsers.kubernetes_pods import pod_templates
from guardrails.parsers.pulumi_attrs import azure_native, normalize
from guardrails.parsers.pulumi_types import canonical_type, kubernetes_kind

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
SECRET_SIG = "4dabf18193072939515e22adb298388d"
_OPS = {
    "create": Action.CREATE,
    "update": Action.UPDATE,
    "delete": Action.DELETE,
    "replace": Action.REPLACE,
    "create-replacement": Action.REPLACE,
    "delete-replaced": Action.REPLACE,
    "same": Action.NO_OP,
    "read": Action.READ,
    "read-replacement": Action.READ,
    "refresh": Action.NO_OP,
    "discard": Action.NO_OP,
    "discard-replaced": Action.NO_OP,
    "import": Action.CREATE,
    "import-replacement": Action.REPLACE,
    "remove-pending-replace": Action.NO_OP,
}
_PROVIDERS = {
    "gcp": "google",
    "google-native": "google",
    "azure": "azurerm",
    "azure-native": "azurerm",
}


def provider_from_type(token: str) -> str:
    """Provider of a type token: ``aws:ec2/instance:Instance`` → ``aws``, ``gcp:…`` → ``google``."""
    package = token.split(":", 1)[0]
    if package == "kubernetes":
        return "kubernetes"
    if package == "pulumi" and token.startswith("pulumi:providers:"):
        package = token.rsplit(":", 1)[-1]
    return _PROVIDERS.get(package, package)


def clean(value: Any, path: str, unknown: set[str]) -> Any:
    """Unknowns → None (path recorded), secrets → REDACTED, ``__defaults`` bookkeeping dropped."""
    return _clean(value, [path] if path else [], unknown)


def _clean(value: Any, parts: list[str], unknown: set[str]) -> Any:
    # The dotted path is only spelled out for an unknown (rare), not for every value.
    if type(value) is str or not isinstance(value, Mapping | list):
        if value == UNKNOWN:
            unknown.add(_dotted(parts))
            return None
        return value
    if isinstance(value, Mapping):
        if SECRET_SIG in value:
            return REDACTED
        out: dict[str, Any] = {}
        for k, v in value.items():
            if k != "__defaults":
                key = str(k)
                parts.append(key)
                out[key] = _clean(v, parts, unknown)
                parts.pop()
        return out
    items: list[Any] = []
    for i, v in enumerate(value):
        parts.append(str(i))
        items.append(_clean(v, parts, unknown))
        parts.pop()
    return items


def _dotted(parts: list[str]) -> str:
    path = ""
    for part in parts:
        path = f"{path}.{part}" if path else part
    return path


def _kubernetes_fields(obj: Mapping[str, Any], urn_name: str) -> dict[str, Any]:
    """Namespace, labels and pod templates of a Pulumi ``kubernetes:*`` object.

    Pulumi auto-names objects without ``metadata.name``; the URN name stands in for it.
    """
    raw_meta = obj.get("metadata")
    meta: Mapping[str, Any] = raw_meta if isinstance(raw_meta, Mapping) else {}
    named = {**obj, "metadata": {"name": urn_name, **meta}}
    _, _, namespace = address_of(named)
    templates = pod_templates(named)
    return {
        "labels": string_map(meta.get("labels")),
        "namespace": namespace,
        "workload": {"pod_templates": templates} if templates is not None else None,
    }


def _name(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]


def _type_of(urn: str, state: Mapping[str, Any]) -> str:
    if isinstance(state.get("type"), str):
        return str(state["type"])
    parts = urn.split("::")
    return parts[-2].rsplit("$", 1)[-1] if len(parts) >= 3 else "unknown"


def _values(state: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    if not isinstance(state, Mapping):
        return None
    inputs = state.get("inputs")
    outputs = state.get("outputs")
    if isinstance(inputs, Mapping) and inputs:
        return inputs
    return outputs if isinstance(outputs, Mapping) else {}


def _shape(
    token: str, values: Mapping[str, Any], custom: bool = True
) -> tuple[str, Mapping[str, Any]]:
    """The canonical type of ``token`` and ``values`` in that type's attribute shape.

    Component resources (``custom: false``) group others and provision nothing: they keep
    their token.
    """
    if not custom:
        return token, values
    k8s = kubernetes_kind(token)
    if k8s is not None:
        # A Kubernetes object keeps its own (camelCase) shape, the one manifests have.
        return k8s[1], {"apiVersion": k8s[0], "kind": k8s[1], **values}
    if "apiVersion" in values and "kind" in values and token.startswith("kubernetes:"):
        return str(values["kind"]), values  # apiextensions CustomResource
    rtype = canonical_type(token)
    if token.startswith("azure-native:") and rtype != token:
        return azure_native(rtype, values)
    if rtype == token:
        return rtype, values
    return rtype, normalize(values, rtype)


def _secret_outputs(*states: Mapping[str, Any] | None) -> list[str]:
    names: list[str] = []
    for state in states:
        listed = state.get("additionalSecretOutputs") if isinstance(state, Mapping) else None
        if isinstance(listed, list):
            names.extend(n for n in listed if isinstance(n, str))
    return names


def _as_mapping(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    return {"value": value} if value is not None else {}


class _Builder:
    def __init__(self, path: str, fmt: Fmt) -> None:
        self.path = path
        self.fmt = fmt
        self.resources: dict[str, Resource] = {}
        self.links: list[tuple[str, str, EdgeKind]] = []

    def add(
        self, urn: str, action: Action, state: Mapping[str, Any], old: Mapping[str, Any] | None
    ) -> None:
        source = state if state else (old or {})
        token = _type_of(urn, source)
        # Outputs named in additionalSecretOutputs are secret: redacted before anything reads them.
        secret_names = _secret_outputs(state, old)
        custom = source.get("custom", True) is not False
        rtype, shaped = _shape(token, redact_keys(_values(state) or {}, secret_names), custom)
        unknown: set[str] = set()
        # A secret envelope in place of the whole inputs cleans to a string, not a mapping.
        attributes = _as_mapping(clean(shaped, "", unknown))
        before_raw = _values(old)
        before = (
            _as_mapping(
                clean(_shape(token, redact_keys(before_raw, secret_names), custom)[1], "", set())
            )
            if before_raw is not None
            else None
        )
        mode = (
            "data"
            if action == Action.READ or token.startswith("pulumi:providers:")
            else ("managed" if custom or token == "pulumi:pulumi:Stack" else "module")
        )
        if token.startswith("kubernetes:"):
            attributes = redact_kubernetes(attributes)
            before = redact_kubernetes(before) if before is not None else None
        # The same label sources as the Terraform parsers (GKE node_config labels too).
        fields: dict[str, Any] = {"labels": resource_labels(rtype, attributes)}
        if token.startswith("kubernetes:") and rtype != token:
            fields = _kubernetes_fields(attributes, _name(urn))
        self.resources[urn] = Resource(
            id=resource_id(self.path, urn),
            address=urn,
            source_format=self.fmt,
            provider=provider_from_type(token),
            type=rtype,
            native_type=token if rtype != token else None,
            name=_name(urn),
            action=action,
            attributes=attributes,
            before=before,
            unknown=frozenset(unknown),
            mode=mode,
            **fields,
        )
        parent = source.get("parent")
        if isinstance(parent, str) and parent:
            self.links.append((urn, parent, EdgeKind.PARENT))
        dependencies = source.get("dependencies")
        for dependency in dependencies if isinstance(dependencies, list) else []:
            if isinstance(dependency, str):
                self.links.append((urn, dependency, EdgeKind.DEPENDS_ON))
        by_property = source.get("propertyDependencies")
        for targets in by_property.values() if isinstance(by_property, Mapping) else []:
            for target in targets if isinstance(targets, list) else []:
                if isinstance(target, str):
                    self.links.append((urn, target, EdgeKind.REFERENCES))

    def graph(self, notes: tuple[str, ...] = ()) -> Graph:
        edges = [
            Edge(self.resources[a].id, self.resources[b].id, kind)
            for a, b, kind in self.links
            if a in self.resources and b in self.resources and a != b
        ]
        edges.extend(workload_edges(list(self.resources.values())))
        return Graph(
            tuple(self.resources.values()),
            tuple(dict.fromkeys(edges)),
            (InputFile(self.path, str(self.fmt), notes),),
        )


def _steps(doc: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    for step in doc.get("steps") or []:
        if isinstance(step, Mapping) and isinstance(step.get("urn"), str):
            yield step


class PulumiPreviewParser:
    """``pulumi preview --json``: one resource per step (op → action)."""

    format = Fmt.PULUMI_PREVIEW

    def matches(self, loaded: LoadedInput) -> bool:
        doc = loaded.first
        return (
            loaded.syntax == "json"
            and isinstance(doc, Mapping)
            and isinstance(doc.get("steps"), list)
            and ("changeSummary" in doc or any(True for _ in _steps(doc)))
        )

    def parse(self, loaded: LoadedInput, options: ParseOptions) -> Graph:
        builder = _Builder(loaded.path, Fmt.PULUMI_PREVIEW)
        for index, step in enumerate(_steps(loaded.first)):
            op = str(step.get("op", "same"))
            action = _OPS.get(op)
            if action is None:  # named by position: an error line never echoes content
                raise InputError(loaded.path, f"unknown Pulumi step op (at steps[{index}])")
            new = step.get("newState") if isinstance(step.get("newState"), Mapping) else {}
            old = step.get("oldState") if isinstance(step.get("oldState"), Mapping) else None
            if op == "delete-replaced" and step["urn"] in builder.resources:
                continue  # the create-replacement step already holds the new state
            builder.add(step["urn"], action, new or {}, old)
        return builder.graph()


class PulumiStateParser:
    """``pulumi stack export``: every resource in ``deployment.resources`` as no-op."""

    format = Fmt.PULUMI_STATE

    def matches(self, loaded: LoadedInput) -> bool:
        doc = loaded.first
        return (
            loaded.syntax == "json"
            and isinstance(doc, Mapping)
            and isinstance(doc.get("deployment"), Mapping)
            and isinstance(doc["deployment"].get("resources", []), list)
        )

    def parse(self, loaded: LoadedInput, options: ParseOptions) -> Graph:
        builder = _Builder(loaded.path, Fmt.PULUMI_STATE)
        for item in loaded.first["deployment"].get("resources") or []:
            if isinstance(item, Mapping) and isinstance(item.get("urn"), str):
                builder.add(item["urn"], Action.NO_OP, item, None)
        notes = () if builder.resources else ("the stack holds no resources",)
        return builder.graph(notes)
