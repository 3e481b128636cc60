"""Where the time of one ``guardrails check`` goes, stage by stage (CPU seconds).

    python -m benchmarks.stages INPUT [--engine python] [--gc on|off] [--format json|table|...]

CPU time (``time.process_time``) rather than wall time, so the split holds on a shared machine.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections.abc import Callable
from typing import Any


def _timed(stages: dict[str, float], name: str, step: Callable[[], Any]) -> Any:
    start = time.process_time()
    value = step()
    stages[name] = time.process_time() - start
    return value


def measure(
    path: str, engine: str = "python", collect_garbage: bool = True, fmt: str = "json"
) -> dict[str, float]:
    """CPU seconds per stage: import, parse, enrich, evaluate, report."""
    stages: dict[str, float] = {}
    start = time.process_time()
    from guardrails.api import ScanOptions, build_graph, enrich_graph, evaluate, resolve_config
    from guardrails.report import REPORTERS

    stages["import"] = time.process_time() - start
    if not collect_garbage:
        gc.disable()
    options = ScanOptions(no_config=True, engine=engine)
    config = resolve_config([path], options)
    graph = _timed(stages, "parse", lambda: build_graph([path], options))
    graph = _timed(stages, "enrich", lambda: enrich_graph(graph, config))
    report = _timed(stages, "evaluate", lambda: evaluate(graph, config, options))
    _timed(stages, "report", lambda: REPORTERS[fmt](report, False))
    stages["total"] = time.process_time() - start
    return stages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("input")
    parser.add_argument("--engine", default="python")
    parser.add_argument("--gc", choices=("on", "off"), default="on")
    parser.add_argument("--format", default="json", help="the report format to time")
    args = parser.parse_args()
    stages = measure(args.input, args.engine, args.gc == "on", args.format)
    sys.stdout.write("  ".join(f"{k} {v:.2f}s" for k, v in stages.items()) + "\n")


if __name__ == "__main__":
    main()
