"""The unmodelled-accelerator walk holds memory in proportion to the values it may visit
(at most ``_MAX_VALUES``), not to the size of one list or mapping in the input."""

from __future__ import annotations

import tracemalloc
from typing import Any

import pytest

from guardrails.enrich import unmodelled
from guardrails.enrich.catalog import load_gpu_catalog
from guardrails.enrich.unmodelled import find_accelerator

NAMED = "nvidia.com/gpu"


def _peak_mib(attributes: dict[str, Any]) -> tuple[object, float]:
    catalog = load_gpu_catalog()
    tracemalloc.start()
    try:
        found = find_accelerator(attributes, catalog, frozenset())
        return found, tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize(
    "shape",
    [
        pytest.param(lambda n: {"v": [i % 1000 for i in range(n)]}, id="one long list"),
        pytest.param(lambda n: {"v": {f"k{i}": i for i in range(n)}}, id="one wide mapping"),
    ],
)
def test_a_huge_container_costs_only_the_values_walked(shape: Any) -> None:
    # 1,000,000 children: the walk stops after 100,000 values. Pushing every child onto the
    # stack first held ~130 MiB here (2M numbers: `guardrails graph` peaked at 514 MB).
    found, peak = _peak_mib(shape(1_000_000))
    assert found is None
    assert peak < 40, f"{peak:.0f} MiB traced"


@pytest.mark.parametrize(("index", "seen"), [(5, True), (99_990, True), (150_000, False)])
def test_what_is_reachable_is_still_found(
    monkeypatch: pytest.MonkeyPatch, index: int, seen: bool
) -> None:
    values: list[Any] = [0] * 200_000
    values[index] = NAMED
    found = find_accelerator({"v": values}, load_gpu_catalog(), frozenset())
    assert (found is not None) is seen
    if found is not None:
        assert found[0] == f"v[{index}]"


def test_the_limit_counts_the_container_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(unmodelled, "_MAX_VALUES", 4)
    # "v" is value 1 and items 0..2 are values 2..4: item 2 is the last one walked.
    assert find_accelerator({"v": [0, 0, NAMED]}, load_gpu_catalog(), frozenset()) is not None
    assert find_accelerator({"v": [0, 0, 0, NAMED]}, load_gpu_catalog(), frozenset()) is None
