"""Stable identity: the same finding has one fingerprint and one file from any working
directory, by absolute path, from standard input, and a baseline made in one place matches
from another. Paths are relative to the git top level (or ``--root``), never to the cwd."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from guardrails.cli import main
from tests.conftest import FIXTURES

TF_DIR = FIXTURES / "terraform-plan" / "gpu_training"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository holding the GPU training stack under infra/gpu_training."""
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    root = tmp_path / "repo"
    shutil.copytree(TF_DIR, root / "infra" / "gpu_training")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (tmp_path / "elsewhere").mkdir()
    return root


def sarif_results(
    cwd: Path, args: list[str], monkeypatch: pytest.MonkeyPatch, stdin: str | None = None
) -> list[dict[str, object]]:
    monkeypatch.chdir(cwd)
    out = cwd.parent / f"out-{abs(hash((str(cwd), *args)))}.sarif"
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", _Stdin(stdin))
    code = main(["check", *args, "--format", "sarif", "--fail-on", "never", "-o", str(out)])
    assert code == 0
    results: list[dict[str, object]] = json.loads(out.read_text())["runs"][0]["results"]
    assert results
    return results


class _Stdin:
    def __init__(self, text: str) -> None:
        import io

        self.buffer = io.BytesIO(text.encode())


def identity(results: list[dict[str, object]]) -> list[tuple[str, str, int]]:
    rows = []
    for r in results:
        loc = r["locations"][0]["physicalLocation"]  # type: ignore[index]
        rows.append(
            (
                r["partialFingerprints"]["guardrails/v2"],  # type: ignore[index]
                loc["artifactLocation"]["uri"],
                loc["region"]["startLine"],
            )
        )
    return sorted(rows)


def test_same_fingerprints_from_three_directories_and_by_absolute_path(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = repo / "infra" / "gpu_training" / "plan.json"
    runs = {
        "repo root": identity(sarif_results(repo, ["infra/gpu_training/plan.json"], monkeypatch)),
        "infra/": identity(sarif_results(repo / "infra", ["gpu_training/plan.json"], monkeypatch)),
        "plan dir": identity(sarif_results(plan.parent, ["plan.json"], monkeypatch)),
        "absolute": identity(sarif_results(repo.parent / "elsewhere", [str(plan)], monkeypatch)),
    }
    first = runs["repo root"]
    assert {uri for _, uri, _ in first} == {
        "infra/gpu_training/main.tf",
        "infra/gpu_training/modules/gpu/main.tf",
    }
    for where, rows in runs.items():
        assert rows == first, f"identity differs when run from {where}"


def test_baseline_made_in_one_directory_matches_from_another(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    baseline = repo / ".guardrails-baseline.json"
    monkeypatch.chdir(repo / "infra")
    assert main(["baseline", "create", "gpu_training", "-o", str(baseline)]) == 0
    recorded = json.loads(baseline.read_text())["findings"]
    assert recorded
    monkeypatch.chdir(repo.parent / "elsewhere")
    capsys.readouterr()
    code = main(
        ["check", str(repo / "infra" / "gpu_training"), "--baseline", str(baseline), "-f", "json"]
    )
    doc = json.loads(capsys.readouterr().out)
    assert code == 0
    assert doc["findings"] == []


def test_root_option_sets_the_base_of_paths_and_fingerprints(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    infra = repo / "infra"
    from_root = identity(sarif_results(repo, ["infra", "--root", "infra"], monkeypatch))
    from_elsewhere = identity(
        sarif_results(repo.parent / "elsewhere", [str(infra), "--root", str(infra)], monkeypatch)
    )
    assert from_root == from_elsewhere
    uris = {uri for _, uri, _ in from_root}
    assert {"gpu_training/main.tf", "gpu_training/modules/gpu/main.tf"} <= uris
    assert uris <= {
        "gpu_training/main.tf",
        "gpu_training/modules/gpu/main.tf",
        "gpu_training/plan.json",
    }
    capsys.readouterr()
    assert main(["check", str(infra), "--root", str(infra / "main.tf")]) == 2
    assert "--root is not a directory" in capsys.readouterr().err


def test_plan_on_stdin_keeps_file_and_line(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tf_dir = repo / "infra" / "gpu_training"
    plan = (tf_dir / "plan.json").read_text()
    from_file = identity(sarif_results(repo, ["infra/gpu_training/plan.json"], monkeypatch))
    piped = identity(sarif_results(tf_dir, ["-"], monkeypatch, stdin=plan))
    assert piped == from_file
    assert all(uri.endswith(".tf") for _, uri, _ in piped)


def test_stdin_never_becomes_a_sarif_or_annotation_file(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = (repo / "infra" / "gpu_training" / "plan.json").read_text()
    elsewhere = repo.parent / "elsewhere"  # no .tf files: nothing to point at
    monkeypatch.chdir(elsewhere)
    monkeypatch.setattr("sys.stdin", _Stdin(plan))
    assert main(["check", "-", "--format", "sarif", "-o", str(elsewhere / "x.sarif")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--stdin-path" in err
    assert not (elsewhere / "x.sarif").exists()

    monkeypatch.setattr("sys.stdin", _Stdin(plan))
    main(["check", "-", "--format", "github", "--fail-on", "never"])
    annotations = [line for line in capsys.readouterr().out.splitlines() if line.startswith("::")]
    assert annotations
    assert not any("file=stdin" in line or "file=<stdin>" in line for line in annotations)

    named = sarif_results(
        elsewhere, ["-", "--stdin-path", "plans/gpu.json"], monkeypatch, stdin=plan
    )
    assert {uri for _, uri, _ in identity(named)} == {"plans/gpu.json"}


def test_stdin_path_names_hcl_on_stdin(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    main_tf = repo / "infra" / "gpu_training" / "main.tf"
    from_file = identity(sarif_results(repo, ["infra/gpu_training/main.tf"], monkeypatch))
    piped = identity(
        sarif_results(
            repo,
            ["-", "--stdin-path", "infra/gpu_training/main.tf"],
            monkeypatch,
            stdin=main_tf.read_text(),
        )
    )
    assert piped == from_file
