"""One public name for the distribution, the repository and the image (RELEASING.md)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml

from guardrails import __version__
from guardrails.report.sarif import INFORMATION_URI
from tests.conftest import ROOT

NAME = "guardrails-ai-infra"
REPOSITORY = f"{NAME}/{NAME}"
URL = f"https://github.com/{REPOSITORY}"
IMAGE = f"ghcr.io/{REPOSITORY}"
#: No version has been published to PyPI yet: docs must install from git or a wheel.
RELEASED = False
DOCS = [ROOT / "README.md", ROOT / "RELEASING.md", *sorted((ROOT / "docs").glob("*.md"))]


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_distribution_and_repository() -> None:
    project = tomllib.loads(_text(ROOT / "pyproject.toml"))["project"]
    assert project["name"] == NAME
    assert project["version"] == __version__
    assert project["urls"]["Repository"] == URL
    assert INFORMATION_URI == URL


def test_docs_pin_the_one_repository() -> None:
    pinned = [
        (doc.name, used)
        for doc in DOCS
        for used in re.findall(r"uses: ([\w.-]+/[\w.-]+)@", _text(doc))
        if not used.startswith(("actions/", "github/"))
    ] + [
        (doc.name, repo) for doc in DOCS for repo in re.findall(r"repo: (https://\S+)", _text(doc))
    ]
    assert pinned
    wrong = [(doc, name) for doc, name in pinned if name not in (REPOSITORY, URL)]
    assert not wrong, f"pins other than {REPOSITORY}: {wrong}"


def test_image_is_the_one_name_at_the_version() -> None:
    deployment = yaml.safe_load(_text(ROOT / "deploy" / "deployment.yaml"))
    images = [c["image"] for c in deployment["spec"]["template"]["spec"]["containers"]]
    assert images and all(image.split("@")[0] == f"{IMAGE}:{__version__}" for image in images)
    assert f'org.opencontainers.image.source="{URL}"' in _text(ROOT / "deploy" / "Dockerfile")


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: d.name)
def test_installs_name_what_exists(doc: Path) -> None:
    for line in _text(doc).splitlines():
        for install in re.findall(r"pip install ([^&|;#]*)", line):
            words = install.split()
            if "guardrails" in words:
                pytest.fail(f"{doc.name}: `pip install guardrails` installs an unrelated project")
            if not RELEASED and any(re.fullmatch(rf"{NAME}(==\d\S*)?", w) for w in words):
                pytest.fail(
                    f"{doc.name}: {line.strip()!r} installs {NAME} from PyPI, where no release "
                    "exists yet: install from git or a wheel (RELEASING.md)"
                )
    assert "released distribution" not in _text(doc) or RELEASED


def test_git_installs_name_the_distribution_and_repository() -> None:
    files = [
        *DOCS,
        *sorted((ROOT / "docs").rglob("*.yml")),
        ROOT / "guardrails" / "schemas" / "report.schema.json",
    ]
    installs = [
        (path.name, found)
        for path in files
        for found in re.findall(
            r"([\w.-]+) @ git\+(https://github\.com/[\w.-]+/[\w.-]+)", _text(path)
        )
    ]
    assert installs
    wrong = [(name, found) for name, found in installs if found != (NAME, URL)]
    assert not wrong, f"git installs other than {NAME} @ git+{URL}: {wrong}"
    schema = _text(ROOT / "guardrails" / "schemas" / "report.schema.json")
    assert f'"$id": "{URL}/' in schema
