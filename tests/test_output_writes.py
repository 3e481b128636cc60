"""Writes go where the user meant: no output follows a symlink the change committed.

A pull request can commit ``guardrails-comment.md -> ~/.bashrc`` (or a ``reports`` directory
linked elsewhere); before the fix every writer followed the link and replaced whatever it
named. Now the link itself is replaced, a directory resolving outside the root is refused, and
a path outside the root is written only when given as an absolute path.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from guardrails.cli import main

MANIFEST = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers: []\n"

#: writer -> argv with {out} for the output path
WRITERS: dict[str, list[str]] = {
    "check -o": ["check", ".", "--engine", "python", "-f", "json", "-o", "{out}"],
    "check --output": ["check", ".", "--engine", "python", "--output", "markdown={out}"],
    "baseline create": ["baseline", "create", ".", "-o", "{out}"],
    "graph -o": ["graph", ".", "-o", "{out}"],
    "cost -o": ["cost", ".", "-o", "{out}"],
    "policies -o": ["policies", "-o", "{out}"],
    "bundle build": ["bundle", "build", "-o", "{out}"],
}


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    (root / "pod.yaml").write_text(MANIFEST)
    monkeypatch.chdir(root)
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    return root


def _argv(writer: str, out: str) -> list[str]:
    return [a.replace("{out}", out) for a in WRITERS[writer]]


@pytest.mark.parametrize("writer", WRITERS, ids=list(WRITERS))
def test_a_planted_symlink_is_replaced_not_followed(writer: str, repo: Path) -> None:
    victim = repo.parent / "victim"
    victim.write_text("precious")
    (repo / "guardrails-comment.md").symlink_to(victim)
    assert main(_argv(writer, "guardrails-comment.md")) in (0, 1)
    assert victim.read_text() == "precious"
    written = repo / "guardrails-comment.md"
    assert not written.is_symlink()
    assert written.stat().st_size > 0


@pytest.mark.parametrize("writer", WRITERS, ids=list(WRITERS))
def test_a_directory_linked_outside_the_root_is_refused(
    writer: str, repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    elsewhere = repo.parent / "elsewhere"
    elsewhere.mkdir()
    (repo / "reports").symlink_to(elsewhere, target_is_directory=True)
    assert main(_argv(writer, "reports/out")) == 2
    assert "outside the repository root" in capsys.readouterr().err
    assert list(elsewhere.iterdir()) == []


@pytest.mark.parametrize("writer", WRITERS, ids=list(WRITERS))
def test_outside_the_root_only_when_given_absolutely(
    writer: str, repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(_argv(writer, "../relative.out")) == 2
    assert "absolute path" in capsys.readouterr().err
    assert not (repo.parent / "relative.out").exists()
    absolute = repo.parent / "absolute.out"
    assert main(_argv(writer, str(absolute))) in (0, 1)
    assert absolute.stat().st_size > 0


def test_a_link_inside_the_root_to_a_file_inside_is_replaced_too(repo: Path) -> None:
    (repo / "docs").mkdir()
    real = repo / "docs" / "README.md"
    real.write_text("keep")
    (repo / "report.json").symlink_to(real)
    assert main(_argv("check -o", "report.json")) in (0, 1)
    assert real.read_text() == "keep"
    assert not (repo / "report.json").is_symlink()
