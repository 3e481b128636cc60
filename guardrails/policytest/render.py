"""``guardrails test`` reports: a table for people, JSON for tools, JUnit XML for CI."""

from __future__ import annotations

import json
from collections.abc import Callable
from xml.etree import ElementTree as ET

from guardrails.policytest.results import PolicyTestResult, Status, TestRun, summary_line
from guardrails.report.junit import xml_text
from guardrails.safe_text import one_line

_MARK = {Status.PASS: "PASS", Status.FAIL: "FAIL", Status.ERROR: "ERROR", Status.SKIP: "SKIP"}


def _where(result: PolicyTestResult) -> str:
    return f"{result.file}:{result.line}" if result.line else result.file


def render_table(run: TestRun) -> str:
    """One line per test and engine; failures followed by expected vs actual findings."""
    lines: list[str] = []
    for result in run.results:
        lines.append(f"{_MARK[result.status]:<5} {result.engine:<22} {result.name}")
        if result.status in (Status.FAIL, Status.ERROR):
            lines.append(f"      {_where(result)}")
            if result.detail:
                lines.append(f"      {one_line(result.detail)}")
            if result.expected or result.actual:
                lines.append("      expected:")
                lines += [f"        {one_line(e)}" for e in result.expected]
                lines.append("      actual:")
                lines += [f"        {one_line(a)}" for a in result.actual or ("(no finding)",)]
    lines += [f"note: {note}" for note in run.notes]
    lines.append(summary_line(run))
    return "\n".join(lines) + "\n"


def render_json(run: TestRun) -> str:
    """Every result, the counts and the engines, as one JSON document."""
    counts = run.counts()
    document = {
        "engines": list(run.engines),
        "summary": {s.value: counts[s.value] for s in Status},
        "notes": list(run.notes),
        "results": [
            {
                "kind": str(r.kind),
                "name": r.name,
                "engine": r.engine,
                "status": str(r.status),
                "file": r.file,
                "line": r.line,
                "seconds": round(r.seconds, 4),
                "detail": r.detail,
                "expected": list(r.expected),
                "actual": list(r.actual),
            }
            for r in run.results
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=True) + "\n"


def render_junit(run: TestRun) -> str:
    """JUnit XML: one test suite per engine, one test case per test."""
    suites = ET.Element("testsuites", name="guardrails test")
    for engine in run.engines:
        mine = [r for r in run.results if r.engine == engine]
        counts = {s: sum(1 for r in mine if r.status == s) for s in Status}
        suite = ET.SubElement(
            suites,
            "testsuite",
            name=engine,
            tests=str(len(mine)),
            failures=str(counts[Status.FAIL]),
            errors=str(counts[Status.ERROR]),
            skipped=str(counts[Status.SKIP]),
            time=f"{sum(r.seconds for r in mine):.3f}",
        )
        for result in mine:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=f"{engine}.{result.kind}",
                name=xml_text(one_line(result.name)),
                file=xml_text(one_line(result.file)),
                time=f"{result.seconds:.3f}",
            )
            if result.line:
                case.set("line", str(result.line))
            body = "\n".join(
                xml_text(one_line(line))
                for line in [
                    _where(result),
                    *(["expected:", *result.expected] if result.expected else []),
                    *(["actual:", *result.actual] if result.expected or result.actual else []),
                ]
            )
            message = xml_text(one_line(result.detail))
            if result.status == Status.FAIL:
                ET.SubElement(case, "failure", message=message).text = body
            elif result.status == Status.ERROR:
                ET.SubElement(case, "error", message=message).text = body
            elif result.status == Status.SKIP:
                ET.SubElement(case, "skipped", message=message)
    ET.indent(suites)
    text = ET.tostring(suites, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{text}\n'


RENDERERS: dict[str, Callable[[TestRun], str]] = {
    "table": render_table,
    "json": render_json,
    "junit": render_junit,
}
