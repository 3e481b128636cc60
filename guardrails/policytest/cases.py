"""Verdict cases: input files (or folders) with the findings a policy must give on them.

Layout, in a cases directory (``<policy dir>/cases/`` by default)::

    <POLICY-ID>/
      deny_<name>.<yaml|json|tf> | deny_<name>/   the policy reports at least one finding
                                                  (when <name> contains "unknown": at least
                                                  one of them is unknown)
      allow_<name>...                             the policy reports nothing
      config.yaml                                 optional: the .guardrails.yaml of these cases
      expect.yaml                                 optional: the exact findings of some cases

``expect.yaml`` maps a case name to the findings it must give, exactly (nothing more), each
``{resource: <address>, outcome: fail|unknown, policy: <id>}`` (``policy`` defaults to the
folder's id, ``outcome`` to fail), or to ``none`` for no finding of the folder's policy.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from guardrails.errors import ConfigError
from guardrails.inputs.safe_io import read_text
from guardrails.inputs.safe_yaml import load_yaml
from guardrails.report import Report

CASE_PREFIXES = ("allow_", "deny_")
CONFIG_NAME = "config.yaml"
EXPECT_NAME = "expect.yaml"
OUTCOMES = ("fail", "unknown")
MAX_EXPECT_BYTES = 1 << 20
_POLICY_ID = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$")

#: Expected finding: (policy id, outcome, resource address).
Expected = tuple[str, str, str]


@dataclass(frozen=True)
class Case:
    """One input (file or folder) of a policy's cases and what it must give."""

    policy: str
    path: Path
    config: Path | None
    #: None: judged by its prefix; else the exact findings (of the policies they name and of
    #: the folder's policy).
    exact: tuple[Expected, ...] | None = None

    @property
    def name(self) -> str:
        return f"{self.policy}/{self.path.name}"

    @property
    def verdict(self) -> str:
        return "deny" if self.path.name.startswith("deny_") else "allow"


def find_cases(root: Path) -> list[Case]:
    """Every case under a cases directory ``root`` (one folder per policy id)."""
    cases: list[Case] = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        if not _POLICY_ID.match(folder.name):
            continue
        config = folder / CONFIG_NAME
        expectations = _expectations(folder)
        names = set()
        for path in sorted(folder.iterdir()):
            if not path.name.startswith(CASE_PREFIXES) or path.name.startswith("."):
                continue
            names.add(path.name)
            cases.append(
                Case(
                    folder.name,
                    path,
                    config if config.is_file() else None,
                    expectations.get(path.name),
                )
            )
        unknown = sorted(set(expectations) - names)
        if unknown:
            raise ConfigError(
                f"{folder / EXPECT_NAME}: names {unknown[0]}, which is no case in {folder} "
                "(cases are allow_* and deny_* files or folders)"
            )
    return cases


def _expectations(folder: Path) -> dict[str, tuple[Expected, ...]]:
    path = folder / EXPECT_NAME
    if not path.is_file():
        return {}
    documents = load_yaml(str(path), read_text(str(path), MAX_EXPECT_BYTES), 100_000).documents
    document = documents[0] if documents else None
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise ConfigError(f"{path}: must map case names to their findings (or none)")
    out: dict[str, tuple[Expected, ...]] = {}
    for name, value in document.items():
        where = f"{path}: {name}"
        if value in (None, "none", []):
            out[str(name)] = ()
            continue
        if not isinstance(value, list):
            raise ConfigError(f"{where}: must be a list of findings or none")
        out[str(name)] = tuple(_expected(item, folder.name, where) for item in value)
    return out


def _expected(item: Any, policy: str, where: str) -> Expected:
    if not isinstance(item, dict) or not isinstance(item.get("resource"), str):
        raise ConfigError(f"{where}: each finding needs a resource (its address)")
    extra = sorted(set(item) - {"resource", "outcome", "policy"})
    if extra:
        raise ConfigError(f"{where}: unknown key {extra[0]} (resource, outcome, policy)")
    outcome = str(item.get("outcome", "fail"))
    if outcome not in OUTCOMES:
        raise ConfigError(f"{where}: outcome must be fail or unknown, not {outcome!r}")
    named = str(item.get("policy", policy))
    if not _POLICY_ID.match(named):
        raise ConfigError(f"{where}: policy {named!r} is not a policy id")
    return (named, outcome, item["resource"])


@dataclass(frozen=True)
class CaseVerdict:
    """Whether a case passed, why not, and the findings compared."""

    passed: bool
    detail: str
    expected: tuple[str, ...]
    actual: tuple[str, ...]


def _row(finding: Expected) -> str:
    policy, outcome, resource = finding
    return f"{policy} {outcome} {resource}"


def judge(case: Case, report: Report) -> CaseVerdict:
    """Compare a case's expectation with the findings ``report`` holds."""
    policies = {case.policy} | {e[0] for e in case.exact or ()}
    found = [
        (f.policy, str(f.outcome), f.resource, f.message)
        for f in report.findings
        if f.policy in policies
    ]
    actual = tuple(sorted(f"{p} {o} {r}: {m}" for p, o, r, m in found))
    if case.exact is not None:
        want = Counter(case.exact)
        got = Counter((p, o, r) for p, o, r, _ in found)
        expected = tuple(sorted(_row(e) for e in case.exact)) or ("(no finding)",)
        if want == got:
            return CaseVerdict(True, "", expected, actual)
        missing = sorted(_row(e) for e in (want - got).elements())
        extra = sorted(_row(e) for e in (got - want).elements())
        detail = "; ".join(
            [*(f"missing {m}" for m in missing), *(f"unexpected {x}" for x in extra)]
        )
        return CaseVerdict(False, detail, expected, actual or ("(no finding)",))
    if case.verdict == "allow":
        expected = (f"no {case.policy} finding",)
        if not found:
            return CaseVerdict(True, "", expected, ())
        return CaseVerdict(False, f"{case.policy} should allow it", expected, actual)
    wants_unknown = "unknown" in case.path.name
    expected = (
        f"{case.policy} unknown (at least one)" if wants_unknown else f"{case.policy} finding",
    )
    if not found:
        return CaseVerdict(False, f"{case.policy} should deny it", expected, ("(no finding)",))
    if wants_unknown and not any(o == "unknown" for _, o, _, _ in found):
        return CaseVerdict(
            False, f"{case.policy} should find a value unknown until apply", expected, actual
        )
    return CaseVerdict(True, "", expected, actual)


#: How a case is scanned: (case, engine name) -> report. The harness passes api.scan with the
#: engine's options; the test suite passes its memoised scans.
CaseScanner = Callable[[Case], Report]
