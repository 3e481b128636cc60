"""The verdict lives in the API: ``scan`` applies unknown mode, baseline and ``fail_on``, so
every front door (check, hook, Action) judges the same way without re-implementing it."""

from __future__ import annotations

from pathlib import Path

import pytest

from guardrails.api import ScanOptions, scan
from guardrails.baseline import baseline_document
from guardrails.model import Outcome
from guardrails.parsers import ParseOptions
from tests.conftest import FIXTURES

PLAN = FIXTURES / "terraform-plan" / "gpu_training"


@pytest.mark.parametrize(
    ("fail_on", "unknown", "failed"),
    [("low", None, True), ("never", "warn", False), ("never", "fail", None)],
)
def test_scan_judges_by_the_options(fail_on: str, unknown: str | None, failed: bool | None) -> None:
    report = scan([str(PLAN)], ScanOptions(no_config=True, fail_on=fail_on, unknown=unknown))
    assert report.config["fail_on"] == fail_on
    assert report.config["unknown"] == (unknown or "warn")
    has_unknown = any(f.outcome == Outcome.UNKNOWN for f in report.active)
    assert report.failed is (has_unknown if failed is None else failed)


def test_scan_drops_unknowns_under_ignore() -> None:
    report = scan([str(PLAN)], ScanOptions(no_config=True, unknown="ignore"))
    assert all(f.outcome != Outcome.UNKNOWN for f in report.findings)


def test_scan_leaves_out_baselined_findings(tmp_path: Path) -> None:
    first = scan([str(PLAN)], ScanOptions(no_config=True))
    assert first.findings
    baseline = tmp_path / "baseline.json"
    baseline.write_text(baseline_document(first.findings))
    again = scan([str(PLAN)], ScanOptions(no_config=True, baseline=baseline))
    assert again.findings == ()
    assert any("in the baseline" in w for w in again.warnings)


def test_parse_options_travel_inside_scan_options() -> None:
    tiny = ScanOptions(no_config=True, parse=ParseOptions(max_resources=1))
    with pytest.raises(Exception, match="resources"):
        scan([str(PLAN)], tiny)


def test_engine_rows_are_released_before_the_sources_are_read_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """At 100,000 objects the engine's raw rows are ~140 MB: they went on living while the
    waivers re-read the inputs (the scan's peak); now only the findings made of them do."""
    import weakref
    from dataclasses import replace
    from typing import Any

    from guardrails.api import evaluation
    from guardrails.api.config import resolve_config
    from guardrails.api.graph import enriched_graph
    from guardrails.api.policies import prepare_policies

    class Rows(dict[str, Any]):
        """The engine's result, as a dict a weak reference can follow."""

    refs: list[weakref.ref[Rows]] = []
    alive: list[bool] = []

    class Recording:
        def __init__(self, engine: Any) -> None:
            self.engine, self.name = engine, engine.name

        def evaluate(self, *args: Any) -> Rows:
            rows = Rows(self.engine.evaluate(*args))
            refs.append(weakref.ref(rows))
            return rows

    real = evaluation.collect_waivers

    def collect(*args: Any, **kwargs: Any) -> Any:
        alive.append(refs[0]() is not None)
        return real(*args, **kwargs)

    monkeypatch.setattr(evaluation, "collect_waivers", collect)
    options = ScanOptions(no_config=True)
    prepared = prepare_policies(resolve_config([str(PLAN)], options), options)
    prepared = replace(prepared, engine=Recording(prepared.engine))
    report = evaluation.evaluate_prepared(enriched_graph([str(PLAN)], options), prepared)
    assert report.findings and alive == [False]
