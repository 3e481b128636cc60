"""Baselines: a round trip reports only new findings; bad files are clean errors."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from pathlib import Path

import pytest

from guardrails.api import ScanOptions, scan
from guardrails.baseline import baseline_document, load_baseline, without_baselined
from guardrails.errors import ConfigError
from guardrails.model import Finding, Severity
from tests.conftest import FIXTURES


def finding(policy: str, resource: str, message: str = "m") -> Finding:
    return Finding(
        policy, "t", Severity.MEDIUM, "tagging", resource, "aws_instance", message, "fix"
    )


def test_round_trip(tmp_path: Path) -> None:
    old = [finding("GR-TAG-001", "aws_instance.a"), finding("GR-SEC-004", "aws_instance.a")]
    path = tmp_path / "baseline.json"
    path.write_text(baseline_document(old))
    assert baseline_document(reversed(old)) == path.read_text()  # order-independent, stable
    new = finding("GR-TAG-001", "aws_instance.b")
    kept, left_out = without_baselined([*old, new], load_baseline(path))
    assert kept == [new]
    assert left_out == 2


@pytest.mark.parametrize(
    ("before", "after", "same"),
    [
        ("costs $10/month", "costs $20/month", True),  # figures are not the identity
        ("container a runs as root", "container b runs as root", False),  # the sub-object is
    ],
)
def test_identity_keeps_the_subject_not_the_figures(
    tmp_path: Path, before: str, after: str, same: bool
) -> None:
    path = tmp_path / "baseline.json"
    path.write_text(baseline_document([finding("GR-COST-001", "x", before)]))
    kept, _ = without_baselined([finding("GR-COST-001", "x", after)], load_baseline(path))
    assert len(kept) == (0 if same else 1)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("{not json", "not valid JSON"),
        ('{"version": 3, "findings": []}', "not a guardrails baseline"),
        ('{"version": 1, "findings": [{"policy": "x"}]}', "must be objects with a fingerprint"),
    ],
)
def test_bad_baselines(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "b.json"
    path.write_text(text)
    with pytest.raises(ConfigError, match=problem):
        load_baseline(path)
    with pytest.raises(ConfigError, match="cannot read baseline"):
        load_baseline(tmp_path / "missing.json")


def test_baseline_from_before_cluster_scoped_addresses_still_matches(tmp_path: Path) -> None:
    """Cluster-scoped Kubernetes objects lost their ``default`` namespace in the address; a
    baseline recorded with the old address still leaves their findings out."""
    fixture = str(FIXTURES / "policies/GR-COST-009/deny_kueue_clusterqueue_gpu_without_quota.yaml")
    report = scan([fixture], ScanOptions(engine="python", no_config=True))
    queue = [f for f in report.findings if f.resource_type == "ClusterQueue"]
    assert [f.resource for f in queue] == ["ClusterQueue/research"]
    old = [dataclasses.replace(f, resource="ClusterQueue/default/research") for f in queue]
    path = tmp_path / "baseline.json"
    path.write_text(baseline_document(old))
    kept, left_out = without_baselined(queue, load_baseline(path))
    assert (kept, left_out) == ([], 1)
    # A namespaced object keeps its namespace, and only the default one is aliased.
    other = finding("GR-TAG-001", "Deployment/team/a")
    path.write_text(baseline_document([dataclasses.replace(other, resource="Deployment/a")]))
    assert without_baselined([other], load_baseline(path))[1] == 0


# -- waivers added or extended by the change (measured against the base's baseline) ----------

_TF = 'resource "aws_instance" "gpu" {\n  count = 2\n  instance_type = "p4d.24xlarge"\n}\n'
_EXPIRES = (date.today() + timedelta(days=30)).isoformat()
_LATER = (date.today() + timedelta(days=90)).isoformat()


def _config(expires: str, extra: str = "") -> str:
    return (
        "waivers:\n"
        f"  - {{policy: GR-TAG-001, resource: 'aws_instance.*', reason: legacy, owner: o,"
        f" expires: {expires}}}\n" + extra
    )


def test_waivers_added_or_extended_by_the_change_are_listed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from guardrails.cli import main

    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / ".git").mkdir()
    (repo / "main.tf").write_text(_TF)
    (repo / ".guardrails.yaml").write_text(_config(_EXPIRES))
    baseline = tmp_path / "base.json"  # made on the base branch, outside the checkout
    assert main(["baseline", "create", str(repo), "-o", str(baseline)]) == 0
    recorded = json.loads(baseline.read_text())["waivers"]
    assert [(w["policy"], w["resource"], w["expires"]) for w in recorded] == [
        ("GR-TAG-001", "aws_instance.*", _EXPIRES)
    ]
    check = ["check", "--engine", "python", "--baseline", str(baseline), str(repo)]
    capsys.readouterr()

    assert main([*check, "-f", "json"]) in (0, 1)  # the base itself adds nothing
    assert json.loads(capsys.readouterr().out)["waivers_added"] == []

    # The change extends the config waiver, adds a wider one and an inline one on gpu[0].
    (repo / ".guardrails.yaml").write_text(
        _config(
            _LATER,
            f"  - {{policy: '*', resource: '*', reason: all, owner: me, expires: {_EXPIRES}}}\n",
        )
    )
    (repo / "main.tf").write_text(
        f'# guardrails:ignore GR-COST-001 reason="needed" expires={_EXPIRES}\n' + _TF
    )
    assert main([*check, "-f", "json"]) in (0, 1)
    out, err = capsys.readouterr()
    added = json.loads(out)["waivers_added"]
    assert sorted(
        (a["change"], a["policy"], a["resource"], a["previous_expires"]) for a in added
    ) == [
        ("added", "*", "*", None),
        ("added", "GR-COST-001", "aws_instance.gpu[0]", None),
        ("added", "GR-COST-001", "aws_instance.gpu[1]", None),
        ("extended", "GR-TAG-001", "aws_instance.*", _EXPIRES),
    ]
    assert {a["origin"] for a in added} == {
        ".guardrails.yaml: waivers[0]",
        ".guardrails.yaml: waivers[1]",
        "main.tf:1",
    }
    assert err.count("warning: waiver added:") == 3 and "warning: waiver extended:" in err

    assert main([*check, "-f", "markdown"]) in (0, 1)
    comment = capsys.readouterr().out
    assert "**⚠️ 4 waiver(s) added or extended by this change:**" in comment
    assert (
        f"- extended: **GR-TAG-001** on `aws_instance.*` until {_LATER} (was {_EXPIRES})" in comment
    )


def test_a_baseline_without_waivers_says_they_cannot_be_told(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from guardrails.cli import main

    (tmp_path / "main.tf").write_text(_TF)
    old = tmp_path / "old.json"
    old.write_text(json.dumps({"version": 1, "tool": "guardrails", "findings": []}))
    code = main(
        ["check", "--engine", "python", "-f", "json", "--baseline", str(old), str(tmp_path)]
    )
    assert code in (0, 1)
    out, err = capsys.readouterr()
    assert json.loads(out)["waivers_added"] is None
    assert "records no waivers" in err


@pytest.mark.parametrize(
    ("recorded", "current", "changes"),
    [
        ([], [{"policy": "A", "resource": "x", "expires": "2026-01-01"}], [("added", None)]),
        (
            [{"policy": "A", "resource": "x", "expires": "2026-01-01"}],
            [{"policy": "A", "resource": "x", "expires": "2026-02-01"}],
            [("extended", "2026-01-01")],
        ),
        (
            [{"policy": "A", "resource": "x", "expires": "2026-02-01"}],
            [{"policy": "A", "resource": "x", "expires": "2026-01-01"}],
            [],
        ),
        (  # a wider match is a new exception
            [{"policy": "A", "resource": "x", "expires": "2026-01-01"}],
            [{"policy": "A", "resource": "*", "expires": "2026-01-01"}],
            [("added", None)],
        ),
        (
            [{"policy": "A", "resource": "x", "expires": "2026-01-01"}],
            [{"policy": "A", "resource": "x", "file": "a.tf", "expires": "2026-01-01"}],
            [("added", None)],
        ),
    ],
)
def test_waiver_changes(
    recorded: list[dict[str, str]], current: list[dict[str, str]], changes: list[tuple[str, str]]
) -> None:
    from guardrails.baseline import waiver_changes

    found = [(d.change, d.previous) for d in waiver_changes(current, recorded)]
    assert found == changes
