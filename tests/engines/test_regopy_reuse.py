"""regopy builds the bundled library once per sources and data, not once per evaluation."""

from __future__ import annotations

from typing import Any

import pytest

from guardrails.engines import regopy_backend
from tests.sweep import Sweep, engines

CASE = "fixtures/policies/GR-COST-001/deny_aks_gpu_default_pool_in_dev.json"


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    real = regopy_backend._compile

    def counting(sources: Any, data_json: str, entrypoints: Any) -> Any:
        seen.append(data_json)
        return real(sources, data_json, entrypoints)

    monkeypatch.setattr(regopy_backend, "_compile", counting)
    monkeypatch.setattr(regopy_backend, "_last", None)
    return seen


def test_the_same_library_and_config_is_built_once(builds: list[str], sweep: Sweep) -> None:
    catalog, defaults, _, regopy, _ = engines()
    doc, config = sweep.input(CASE)
    first = regopy.evaluate(doc, config or defaults, catalog)
    again = regopy.evaluate(doc, config or defaults, catalog)
    assert first == again and first.get("GR-COST-001")
    assert len(builds) == 1


def test_another_config_is_built_anew_and_judged_by_it(builds: list[str], sweep: Sweep) -> None:
    catalog, defaults, _, regopy, _ = engines()
    doc, config = sweep.input(CASE)
    base = dict(config or defaults)
    strict = regopy.evaluate(doc, base, catalog)
    generous = {**base, "cost_ceilings": {**base["cost_ceilings"], "dev": 10_000_000}}
    relaxed = regopy.evaluate(doc, generous, catalog)
    assert len(builds) == 2
    assert strict.get("GR-COST-001") and not relaxed.get("GR-COST-001")


def test_a_failed_evaluation_leaves_no_bundle_behind(
    builds: list[str], sweep: Sweep, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog, defaults, _, regopy, _ = engines()
    doc, config = sweep.input(CASE)

    def broken(*_: Any, **__: Any) -> Any:
        raise RuntimeError("boom")

    with monkeypatch.context() as patch:
        patch.setattr(regopy_backend, "evaluate_scoped", broken)
        with pytest.raises(RuntimeError):
            regopy.evaluate(doc, config or defaults, catalog)
    assert regopy_backend._last is None
    regopy.evaluate(doc, config or defaults, catalog)
    assert len(builds) == 2
