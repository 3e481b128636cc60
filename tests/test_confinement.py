"""Nothing outside the repository root is read because a repository file points there.

A pull request controls every file in the checkout, symlinks included. Each case plants, in a
repository (a directory with ``.git``), a path that leads to a file or module outside it that
holds a marker; the marker must reach no output (``graph`` prints every attribute read) and the
run must name the planted path. Before the fix every case printed the marker.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from guardrails.cli import main

MARKER = "GRLEAKMARKER42"
GPU = 'resource "aws_instance" "gpu" {\n  instance_type = "p4d.24xlarge"\n  tags = var.tags\n}\n'
VARIABLE = 'variable "tags" {\n  type = map(string)\n  default = {}\n}\n'


def _outside_tfvars(outside: Path) -> Path:
    target = outside / "credentials.tfrc"
    target.write_text(f'tags = {{ token = "{MARKER}" }}\n')
    return target


def _outside_tfvars_json(outside: Path) -> Path:
    target = outside / "credentials.tfrc.json"
    target.write_text(json.dumps({"tags": {"token": MARKER}}))
    return target


def _outside_module(outside: Path) -> Path:
    module = outside / "module"
    module.mkdir()
    (module / "main.tf").write_text(f'resource "aws_s3_bucket" "b" {{\n  bucket = "{MARKER}"\n}}\n')
    return module


def _tfvars_link(name: str, make: Callable[[Path], Path]) -> Callable[[Path, Path], str]:
    def plant(repo: Path, outside: Path) -> str:
        (repo / "main.tf").write_text(GPU + VARIABLE)
        (repo / name).symlink_to(make(outside))
        return name

    return plant


def _tf_link(repo: Path, outside: Path) -> str:
    (repo / "main.tf").write_text(GPU + VARIABLE)
    target = outside / "other.tf"
    target.write_text(f'resource "aws_s3_bucket" "b" {{\n  bucket = "{MARKER}"\n}}\n')
    (repo / "other.tf").symlink_to(target)
    return "other.tf"


def _yaml_link(repo: Path, outside: Path) -> str:
    (repo / "main.tf").write_text(GPU + VARIABLE)
    target = outside / "pod.yaml"
    target.write_text(f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: {MARKER}\n")
    (repo / "pod.yaml").symlink_to(target)
    return "pod.yaml"


def _module_dir_link(repo: Path, outside: Path) -> str:
    (repo / "main.tf").write_text(GPU + VARIABLE + 'module "m" {\n  source = "./mod"\n}\n')
    (repo / "mod").symlink_to(_outside_module(outside), target_is_directory=True)
    return "mod"


def _module_source_climbs(repo: Path, outside: Path) -> str:
    _outside_module(outside)
    (repo / "main.tf").write_text(
        GPU + VARIABLE + 'module "m" {\n  source = "../outside/module"\n}\n'
    )
    return "../outside/module"


def _modules_json_absolute(repo: Path, outside: Path) -> str:
    module = _outside_module(outside)
    (repo / "main.tf").write_text(
        GPU + VARIABLE + 'module "m" {\n  source = "example/m/aws"\n  version = "1.0"\n}\n'
    )
    manifest = repo / ".terraform" / "modules"
    manifest.mkdir(parents=True)
    entry = {"Key": "m", "Source": "registry.terraform.io/example/m/aws", "Dir": str(module)}
    (manifest / "modules.json").write_text(json.dumps({"Modules": [entry]}))
    return "example/m/aws"


def _modules_json_relative(repo: Path, outside: Path) -> str:
    _outside_module(outside)
    (repo / "main.tf").write_text(
        GPU + VARIABLE + 'module "m" {\n  source = "example/m/aws"\n  version = "1.0"\n}\n'
    )
    manifest = repo / ".terraform" / "modules"
    manifest.mkdir(parents=True)
    entry = {"Key": "m", "Source": "x", "Dir": "../outside/module"}
    (manifest / "modules.json").write_text(json.dumps({"Modules": [entry]}))
    return "example/m/aws"


CASES: dict[str, Callable[[Path, Path], str]] = {
    "terraform.tfvars symlink": _tfvars_link("terraform.tfvars", _outside_tfvars),
    "terraform.tfvars.json symlink": _tfvars_link("terraform.tfvars.json", _outside_tfvars_json),
    "*.auto.tfvars symlink": _tfvars_link("x.auto.tfvars", _outside_tfvars),
    "*.auto.tfvars.json symlink": _tfvars_link("x.auto.tfvars.json", _outside_tfvars_json),
    ".tf file symlink": _tf_link,
    "walked YAML symlink": _yaml_link,
    "module directory symlink": _module_dir_link,
    "module source climbing out": _module_source_climbs,
    "modules.json absolute Dir": _modules_json_absolute,
    "modules.json Dir climbing out": _modules_json_relative,
}


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    (tmp_path / "outside").mkdir()
    monkeypatch.chdir(root)
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    return root


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_nothing_outside_the_root_reaches_any_output(
    case: str, repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    planted = CASES[case](repo, repo.parent / "outside")
    out = repo.parent / "reports"
    out.mkdir()
    seen: list[str] = []
    for argv in (
        ["graph", ".", "-f", "json"],
        ["check", ".", "--engine", "python", "-f", "json"]
        + [f"--output={fmt}={out / fmt}" for fmt in ("markdown", "sarif", "github", "table")],
    ):
        code, text = _run(argv, capsys)
        assert code in (0, 1, 2), text
        seen.append(text)
    seen += [p.read_text() for p in out.iterdir()]
    for text in seen:
        assert MARKER not in text
    everything = "\n".join(seen)
    assert planted in everything
    assert "outside the repository root" in everything


def test_module_outside_the_root_is_reported_not_installed(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _modules_json_absolute(repo, repo.parent / "outside")
    code, text = _run(["graph", ".", "-f", "json"], capsys)
    assert code == 0, text
    module = next(r for r in json.loads(text)["resources"] if r["type"] == "module")
    assert "outside the repository root" in module["unevaluated"]


def test_a_path_the_user_typed_outside_the_root_is_read(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The user's own choice: a directory typed on the command line, outside the root, with
    its tfvars beside it and a module in a sibling directory reached by its own tree."""
    elsewhere = repo.parent / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "main.tf").write_text(GPU + VARIABLE)
    (elsewhere / "terraform.tfvars").write_text(f'tags = {{ team = "{MARKER}" }}\n')
    code, text = _run(["graph", str(elsewhere), "-f", "json"], capsys)
    assert code == 0, text
    assert MARKER in text


def test_links_inside_the_root_are_followed(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shared = repo / "shared"
    shared.mkdir()
    (shared / "common.tfvars").write_text(f'tags = {{ team = "{MARKER}" }}\n')
    env = repo / "env"
    env.mkdir()
    (env / "main.tf").write_text(GPU + VARIABLE)
    os.symlink("../shared/common.tfvars", env / "terraform.tfvars")
    code, text = _run(["graph", "env", "-f", "json"], capsys)
    assert code == 0, text
    assert MARKER in text


def test_path_values_are_never_the_runners_absolute_paths(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """path.cwd / path.module / path.root reach tags and reports: root-relative, never the
    runner's absolute directory (path.cwd was os.path.abspath of the module before)."""
    env = repo / "envs" / "prod"
    (env / "modules" / "m").mkdir(parents=True)
    tags = "tags = { cwd = path.cwd, module = path.module, root = path.root }"
    (env / "main.tf").write_text(
        f'resource "aws_s3_bucket" "b" {{\n  {tags}\n}}\nmodule "m" {{\n  source = "./modules/m"\n}}\n'
    )
    (env / "modules" / "m" / "main.tf").write_text(
        f'resource "aws_s3_bucket" "c" {{\n  {tags}\n}}\n'
    )
    for typed in ("envs/prod", str(env)):
        code, text = _run(["graph", typed, "-f", "json"], capsys)
        assert code == 0, text
        found = {
            r["address"]: r["attributes"]["tags"]
            for r in json.loads(text)["resources"]
            if "tags" in r["attributes"]
        }
        assert found["aws_s3_bucket.b"] == {"cwd": "envs/prod", "module": ".", "root": "."}
        assert found["module.m.aws_s3_bucket.c"] == {
            "cwd": "envs/prod",
            "module": "modules/m",
            "root": ".",
        }
