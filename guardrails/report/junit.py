"""JUnit XML: one test suite per policy, one test case per finding (or one passing case).

CI systems (GitLab, Jenkins, Azure Pipelines, CircleCI) render JUnit natively, so a finding
shows up as a failed test naming the resource. Waived findings and findings unknown until
apply are skipped test cases with the reason, so they are visible but never red.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict

from guardrails.model import Finding, Outcome
from guardrails.report.model import Report
from guardrails.safe_text import one_line

#: Characters XML 1.0 cannot carry at all (ElementTree would write them and break the file).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: str) -> str:
    """``value`` with characters XML 1.0 forbids replaced by U+FFFD."""
    return _NOT_XML.sub("\ufffd", value)


def _text(value: str) -> str:
    """A value from an input on one line: a CI job that prints the file (``cat junit.xml``)
    must not obey a line of it (``::error …``)."""
    return one_line(value)


def _case(suite: ET.Element, classname: str, finding: Finding) -> tuple[int, int]:
    """Add one test case; returns (failures, skipped) it contributes."""
    where = finding.where
    case = ET.SubElement(
        suite,
        "testcase",
        name=_text(finding.resource),
        classname=classname,
        time="0",
        file=_text(finding.location.file) if finding.location else "",
        line=str(finding.location.line) if finding.location and finding.location.line else "",
    )
    detail = "\n".join(
        part
        for part in (
            _text(finding.message),
            f"Location: {_text(where)}" if where else "",
            f"Remediation: {_text(finding.remediation)}",
            f"Fingerprint: {finding.fingerprint}",
        )
        if part
    )
    if finding.waived:
        ET.SubElement(case, "skipped", message=f"waived: {_text(finding.waiver_reason or '')}")
        return 0, 1
    if finding.outcome == Outcome.UNKNOWN:
        message = f"{finding.unknown_label}: {_text(finding.message)}"
        ET.SubElement(case, "skipped", message=message)
        return 0, 1
    if finding.outcome == Outcome.EXISTING:
        message = f"existing, unchanged by this change: {_text(finding.message)}"
        ET.SubElement(case, "skipped", message=message)
        return 0, 1
    failure = ET.SubElement(
        case,
        "failure",
        message=_text(finding.message),
        type=f"{_text(finding.policy)} ({finding.severity})",
    )
    failure.text = detail
    return 1, 0


def junit_tree(report: Report) -> ET.Element:
    """The ``<testsuites>`` element of ``report``."""
    by_policy: dict[str, list[Finding]] = defaultdict(list)
    for finding in sorted(report.findings, key=lambda f: f.sort_key):
        by_policy[finding.policy].append(finding)
    policy_ids = sorted({p.id for p in report.catalog} | set(by_policy))
    root = ET.Element("testsuites", name="guardrails")
    totals = [0, 0, 0]
    for policy_id in policy_ids:
        meta = report.catalog.policies.get(policy_id)
        title = meta.title if meta else policy_id
        suite = ET.SubElement(root, "testsuite", name=_text(f"{policy_id} {title}"))
        properties = ET.SubElement(suite, "properties")
        ET.SubElement(properties, "property", name="guardrails.engine", value=report.engine)
        source = report.config_source
        ET.SubElement(properties, "property", name="guardrails.config", value=source.name)
        for relaxed in source.relaxations:
            ET.SubElement(
                properties, "property", name="guardrails.config.relaxes", value=_text(relaxed)
            )
        classname = f"guardrails.{policy_id}"
        failures = skipped = 0
        findings = by_policy.get(policy_id, [])
        for finding in findings:
            failed, skip = _case(suite, classname, finding)
            failures += failed
            skipped += skip
        if not findings:
            resources = len(report.graph.resources)
            ET.SubElement(
                suite, "testcase", name=f"{resources} resources", classname=classname, time="0"
            )
        tests = max(1, len(findings))
        suite.attrib.update(
            tests=str(tests), failures=str(failures), errors="0", skipped=str(skipped), time="0"
        )
        for i, value in enumerate((tests, failures, skipped)):
            totals[i] += value
    errors = _input_errors(root, report)
    root.attrib.update(
        tests=str(totals[0] + errors),
        failures=str(totals[1]),
        errors=str(errors),
        skipped=str(totals[2]),
        time="0",
    )
    return root


def _input_errors(root: ET.Element, report: Report) -> int:
    """A partial report: one errored test case per input that could not be read."""
    failed = report.graph.input_errors
    if not failed:
        return 0
    suite = ET.SubElement(root, "testsuite", name="inputs (PARTIAL report)")
    for item in failed:
        case = ET.SubElement(
            suite, "testcase", name=_text(item.path), classname="guardrails.inputs", time="0"
        )
        problem = _text(item.notes[0]) if item.notes else "unreadable"
        ET.SubElement(case, "error", message=problem)
    count = str(len(failed))
    suite.attrib.update(tests=count, failures="0", errors=count, skipped="0", time="0")
    return len(failed)


def render_junit(report: Report) -> str:
    root = junit_tree(report)
    ET.indent(root)
    # Forbidden characters can only come from content (messages, names), never from markup.
    body = xml_text(ET.tostring(root, "unicode"))
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
