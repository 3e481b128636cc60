"""Finding text a reviewer acts on: no repeated type and address, the type GR-SPOT-004 means."""

from __future__ import annotations

from guardrails.api import ScanOptions, scan
from tests.conftest import FIXTURES

DENY_CASES = sorted(str(p) for p in (FIXTURES / "policies").glob("*/deny_*"))


def test_messages_do_not_repeat_the_type_and_address_shown_beside_them() -> None:
    """On the default engine; the Rego engines' messages are the same (the parity sweep)."""
    report = scan(DENY_CASES, ScanOptions(no_config=True))
    assert report.findings
    for finding in report.findings:
        if finding.resource == "change":
            continue
        assert finding.resource not in finding.message, (finding.policy, finding.message)
        assert not finding.message.startswith(f"{finding.resource_type} "), finding.message


def test_spot_single_type_names_the_type() -> None:
    path = FIXTURES / "policies" / "GR-SPOT-004" / "deny_spot_node_group_single_type.json"
    report = scan([str(path)], ScanOptions(no_config=True))
    (finding,) = [f for f in report.findings if f.policy == "GR-SPOT-004"]
    assert finding.message == (
        "uses spot capacity with a single instance type, g5.2xlarge; one reclaimed spot market "
        "takes all of its capacity"
    )
    assert "one type" not in finding.message
