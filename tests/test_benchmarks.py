"""The benchmarks run and their engines agree at every size (timings are never asserted)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from benchmarks.bench_engines import markdown, replicate, run, seed_documents
from benchmarks.run import FLOOR, run_benchmark, write_results
from testing.generate import kubernetes_manifests, pulumi_preview, terraform_plan


def test_replicated_graph_has_unique_ids_and_valid_edges() -> None:
    doc = replicate(seed_documents(), 300)
    ids = [r["id"] for r in doc["resources"]]
    assert len(ids) == len(set(ids)) == 300
    assert doc["edges"] and all(e["from"] in ids and e["to"] in ids for e in doc["edges"])


def test_benchmark_runs_and_engines_agree() -> None:
    result = run([40, 80], repeat=1)
    for size in {r["resources"] for r in result["results"]}:
        counts = {r["engine"]: r["findings"] for r in result["results"] if r["resources"] == size}
        assert len(set(counts.values())) == 1, counts
    table = markdown(result)
    assert table.startswith("# Engine benchmark") and "| python | 40 |" in table


def test_end_to_end_harness_smoke(tmp_path: Path) -> None:
    """The e2e harness at a tiny N without Checkov: it runs, every engine agrees, files appear."""
    result = run_benchmark(
        [30], ["terraform", "kubernetes", "pulumi"], ["auto"], repeat=1, work=tmp_path / "in"
    )
    assert {c["kind"] for c in result["cells"]} == {"terraform", "kubernetes", "pulumi"}
    for cell in result["cells"]:
        (run,) = cell["runs"]
        assert run["note"] == "" and run["load_1m"] is not None
        if cell["tool"] == FLOOR:  # Python's own parser on the same file, in the same rotation
            assert run["engine"] == (
                "yaml.CSafeLoader" if cell["kind"] == "kubernetes" else "json.load"
            )
        else:
            assert run["engine"] == "python" and run["findings"] > 0
    assert result["small_check"]["cpu_s"] > 0 and result["help"]["cpu_s"] > 0
    assert result["install"].startswith("README-style install")  # what a user gets
    table = write_results(result, tmp_path / "out")
    text = table.read_text()
    assert text.startswith("# End-to-end benchmark")
    assert "| 30 | auto | python |" in text and "| 30 | floor | json.load |" in text
    assert "## Targets (issue #25" in text and "`guardrails check` of one small plan" in text
    assert json.loads((tmp_path / "out" / "latest.json").read_text())["cells"]


def test_generators_are_seeded_and_sized() -> None:
    assert terraform_plan(40, seed=3) == terraform_plan(40, seed=3)
    assert len(terraform_plan(40)["resource_changes"]) == 40
    assert len(pulumi_preview(40)["steps"]) == 40
    assert len(kubernetes_manifests(40)) == 40


def test_table_benchmark_smoke(tmp_path: Path) -> None:
    """The table-output harness at a tiny N: both formats run, the table is written."""
    from benchmarks.bench_table import bench
    from benchmarks.bench_table import markdown as table_markdown

    result = bench([20], 1, None, tmp_path)
    assert {c["format"] for c in result["cells"]} == {"table", "json"}
    assert all(c["runs"] == 1 and c["report_cpu_s"] >= 0 for c in result["cells"])
    assert "| this checkout | 20 | table |" in table_markdown(result, ("0", "0"))


def test_startup_benchmark_smoke(tmp_path: Path) -> None:
    """benchmarks.startup runs every command, records wall, CPU and load, judges the target."""
    from benchmarks.startup import TARGETED, main

    assert main(["--repeat", "1", "--out", str(tmp_path)]) == 0
    result = json.loads((tmp_path / "startup.json").read_text())
    for label, row in result["results"].items():
        assert row["exit_codes"] == [0], label  # --fail-on never: every check exits 0
        assert row["min_wall_s"] > 0 and row["median_cpu_s"] > 0 and row["median_load_1m"] >= 0
    text = (tmp_path / "startup.md").read_text()
    assert all(f"`{label}`" in text for label in TARGETED)
    assert "Measured: README-style install" in text


def test_readme_install_is_non_editable_and_compiled(tmp_path: Path) -> None:
    """The benchmarks' install is what ``pip install .`` gives a user: guardrails in the
    venv's site-packages (not this checkout), bytecode written, reused while the source holds."""
    from benchmarks.install import child_env, readme_install, source_hash

    install = readme_install()
    assert install == readme_install() and install.source_hash == source_hash()
    probe = "import guardrails, sys; print(guardrails.__file__); print(sys.dont_write_bytecode)"
    done = subprocess.run(
        [str(install.python), "-c", probe],
        capture_output=True,
        text=True,
        env=child_env(),
        cwd=tmp_path,  # not this checkout, which ``-c`` would put first on sys.path
    )
    where, no_bytecode = done.stdout.split()
    assert Path(where).is_relative_to(install.python.parents[1]) and no_bytecode == "False"
    assert list(Path(where).parent.glob("__pycache__/cli*.pyc")) or list(
        Path(where).parent.glob("cli/__pycache__/*.pyc")
    )
    assert {"PYTHONDONTWRITEBYTECODE", "PYTHONPATH"}.isdisjoint(child_env())
