"""Variable and local values of a module instance: tfvars files, ``--var-file``, arguments,
defaults converted to the variable's type, and locals evaluated on first use."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from guardrails.errors import InputError
from guardrails.inputs.confine import check_inside
from guardrails.inputs.json_safe import load_json
from guardrails.inputs.loader import read_text
from guardrails.inputs.safe_io import read_side_file
from guardrails.parsers.base import ParseOptions
from guardrails.parsers.terraform_hcl.adapter.documents import is_false, load_document
from guardrails.parsers.terraform_hcl.module import ModuleSource
from guardrails.parsers.terraform_hcl.scope import Scope
from guardrails.parsers.terraform_hcl.type_constraints import convert, parse_type
from guardrails.parsers.terraform_hcl.unknown import UNKNOWN
from guardrails.parsers.terraform_hcl.values import evaluate

#: No value given (None is a value: null).
ABSENT = object()


def root_variables(module: ModuleSource, options: ParseOptions) -> dict[str, Any]:
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
    values = load_document(path, text).attributes()
    return {k: evaluate(v, Scope()) for k, v in values.items()}


def variable_value(body: Mapping[str, Any], given: Any) -> Any:
    """A variable's value: the argument or its default, converted to its ``type`` (optional
    attributes filled in); ``nullable = false`` turns null into the default."""
    spec = parse_type(body.get("type"))
    default = evaluate(body["default"], Scope()) if "default" in body else ABSENT
    if spec is not None and default is not ABSENT:
        default = convert(default, spec)
    value = default if given is ABSENT else given
    if value is ABSENT:
        return UNKNOWN
    if spec is not None and given is not ABSENT:
        value = convert(value, spec)
    if value is None and default is not ABSENT and is_false(body.get("nullable")):
        return default
    return value


class Locals:
    """Locals evaluated on first use (they may refer to each other, in any order)."""

    def __init__(self, module: ModuleSource, scope: Scope) -> None:
        self.raw: dict[str, Any] = {}
        for file in module.files:
            self.raw.update(file.doc.locals())
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
