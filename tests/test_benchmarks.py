"""The engine benchmark runs and its engines agree at every size (timings are not asserted)."""

from __future__ import annotations

from benchmarks.bench_engines import markdown, replicate, run, seed_documents


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
