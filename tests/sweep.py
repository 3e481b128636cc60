"""The fixture and corpus inputs, parsed, enriched and evaluated once per test run.

Several tests judge the same inputs: the policy cases' verdicts, engine parity, batch parity,
remediation fit, Pulumi twins. Each used to parse and enrich every input again (at least four
times per run). ``Sweep`` (the session fixture ``sweep`` in tests/conftest.py) keeps one input
document, one oracle evaluation and one default-engine report per input and config.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from guardrails.api import ScanOptions, build_input, scan
from guardrails.catalog import Catalog, load_catalog
from guardrails.config import load_config
from guardrails.engines.base import RawFinding
from guardrails.engines.python import PythonEngine
from guardrails.engines.rego import RegoEngine
from guardrails.report.model import Report
from tests.conftest import CORPUS, FIXTURES

POLICY_CASES = FIXTURES / "policies"


def finding_rows(raw: dict[str, list[RawFinding]]) -> list[tuple[str, str]]:
    """Every finding, duplicates kept (a batch must not report a finding twice)."""
    return sorted((pid, json.dumps(f, sort_keys=True)) for pid, fs in raw.items() for f in fs)


def real_inputs() -> list[str]:
    """Every fixture file and module folder (not the hostile ones) and every corpus file."""
    fixtures = sorted(
        str(p)
        for p in FIXTURES.rglob("*")
        if p.suffix in {".json", ".yaml"} and p.name != "config.yaml" and "hostile" not in p.parts
    )
    folders = {str(p.parent) for p in FIXTURES.rglob("*.tf") if "hostile" not in p.parts}
    # Multi-file policy cases (a pool spanning a plan and manifests) are also scanned whole.
    folders |= {str(p) for p in POLICY_CASES.glob("*/*") if p.is_dir()}
    fixtures += sorted(folders)
    manifest = (
        json.loads((CORPUS / "manifest.json").read_text())["files"] if CORPUS.exists() else []
    )
    return fixtures + [str(CORPUS / e["local_path"]) for e in manifest]


def case_config(path: str | Path) -> Path | None:
    """The config.yaml of a policy case (fixtures/policies/<ID>/config.yaml), if any."""
    here = Path(path)
    for folder in (here.parent, here.parent.parent):
        if folder.parent == POLICY_CASES and (folder / "config.yaml").is_file():
            return folder / "config.yaml"
    return None


def policy_case_verdict(path: str | Path) -> tuple[str, str] | None:
    """(policy id, "allow" | "deny") for a policy case file or folder, else None."""
    here = Path(path)
    if here.parent.parent != POLICY_CASES or not here.name.startswith(("allow_", "deny_")):
        return None
    return here.parent.name, "deny" if here.name.startswith("deny_") else "allow"


@cache
def engines() -> tuple[Catalog, dict[str, Any], RegoEngine, RegoEngine, PythonEngine]:
    """The catalog, the default policy config and one compiled engine of each kind."""
    return (
        load_catalog(),
        load_config(None).for_policies(),
        RegoEngine("opa"),
        RegoEngine("regopy"),
        PythonEngine(),
    )


class Sweep:
    """Memoised input documents, oracle (real OPA) findings and default-engine reports."""

    def __init__(self) -> None:
        self._inputs: dict[str, tuple[dict[str, Any], dict[str, Any] | None]] = {}
        self._oracle: dict[str, dict[str, list[RawFinding]]] = {}
        self._reports: dict[tuple[str, str | None], Report] = {}

    def input(self, path: str) -> tuple[dict[str, Any], dict[str, Any] | None]:
        """The input document of ``path`` and its policy case's config (None: the defaults).

        Raises InputError for a malformed input, every time it is asked for.
        """
        if path not in self._inputs:
            config_path = case_config(path)
            if config_path is None:
                self._inputs[path] = (build_input([path], ScanOptions(no_config=True)), None)
            else:
                doc = build_input([path], ScanOptions(config_path=config_path))
                self._inputs[path] = (doc, load_config(config_path).for_policies())
        return self._inputs[path]

    def oracle(self, path: str) -> dict[str, list[RawFinding]]:
        """Real OPA's findings on ``path`` (with its case config), evaluated once."""
        if path not in self._oracle:
            catalog, defaults, opa, _, _ = engines()
            doc, config = self.input(path)
            self._oracle[path] = opa.evaluate(doc, config or defaults, catalog)
        return self._oracle[path]

    def scan(self, path: str | Path, config: Path | None = None) -> Report:
        """``api.scan`` of one input on the default engine, as the CLI runs it, once."""
        key = (str(path), str(config) if config else None)
        if key not in self._reports:
            options = ScanOptions(config_path=config, no_config=config is None)
            self._reports[key] = scan([str(path)], options)
        return self._reports[key]
