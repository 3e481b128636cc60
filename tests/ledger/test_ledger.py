"""The ledger, table-driven: each class on each input format, against each kind of base.

Each case writes a base and a head repository, runs ``guardrails check --fail-on-new``
(with ``--base`` where the format has no base of its own) and compares the ledger of the
JSON report with the expected rows (policy, resource, class) and escalation texts.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from guardrails.cli import main
from tests.ledger import cases

D = ("d", "g5.xlarge")
CONFIG_HIGH_TAGS = "severity_overrides:\n  GR-TAG-001: high\n"


@dataclass(frozen=True)
class Case:
    name: str
    head: dict[str, str]
    #: Files of the base repository (None: no --base; the plan is its own base).
    base: dict[str, str] | None
    #: Paths scanned (the same at the base, relative to each repository).
    paths: tuple[str, ...]
    rows: set[tuple[str, str, str]]
    escalations: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    code: int = 1


CASES = [
    Case(
        "plan",
        {"plan.json": cases.PLAN},
        None,
        ("plan.json",),
        {
            ("GR-COST-001", "aws_eks_node_group.gpu", "escalated"),
            ("GR-TAG-001", "aws_instance.new", "new"),
            ("GR-TAG-001", "aws_instance.old", "fixed"),
            ("GR-TAG-001", "aws_instance.same", "unchanged"),
        },
        {
            ("GR-COST-001", "aws_eks_node_group.gpu"): (
                "max cost $32,058 → $64,116/month (+$32,058)",
                "max GPUs 16 → 32",
            )
        },
    ),
    Case(
        "hcl, a file moved and a severity raised",
        {
            "infra/compute.tf": cases.hcl(("a", "g5.xlarge"), ("c", "g5.xlarge")),
            ".guardrails.yaml": CONFIG_HIGH_TAGS,
        },
        {"infra/main.tf": cases.hcl(("a", "g5.xlarge"), ("b", "g5.xlarge"))},
        ("infra",),
        {
            ("GR-TAG-001", "aws_instance.a", "escalated"),
            ("GR-TAG-003", "aws_instance.a", "unchanged"),
            ("GR-TAG-003", "aws_instance.c", "new"),
            ("GR-TAG-003", "aws_instance.b", "fixed"),
        },
        {("GR-TAG-001", "aws_instance.a"): ("severity medium → high",)},
    ),
    Case(
        "pulumi",
        {"stack/preview.json": cases.pulumi(("a", "p5.48xlarge"), ("c", "g5.xlarge"), D)},
        {"stack/preview.json": cases.pulumi(("a", "p4d.24xlarge"), ("b", "g5.xlarge"), D)},
        ("stack/preview.json",),
        {
            ("GR-COST-001", "urn:pulumi:dev::lab::aws:ec2/instance:Instance::a", "escalated"),
            ("GR-TAG-003", "urn:pulumi:dev::lab::aws:ec2/instance:Instance::c", "new"),
            ("GR-TAG-003", "urn:pulumi:dev::lab::aws:ec2/instance:Instance::b", "fixed"),
            ("GR-TAG-003", "urn:pulumi:dev::lab::aws:ec2/instance:Instance::d", "unchanged"),
        },
    ),
    Case(
        "kubernetes",
        {
            "k8s/serving.yaml": cases.deployment("llm", 4),
            "k8s/extra.yaml": cases.deployment("web", 1, privileged=True),
        },
        {
            "k8s/serving.yaml": cases.deployment("llm", 2)
            + cases.deployment("old", 1, privileged=True),
        },
        ("k8s",),
        {
            ("GR-COST-001", "Deployment/ml-dev/llm", "escalated"),
            ("GR-TAG-003", "Deployment/ml-dev/llm", "escalated"),
            ("GR-SEC-005", "Deployment/ml-dev/web", "new"),
            ("GR-SEC-005", "Deployment/ml-dev/old", "fixed"),
        },
        {
            ("GR-COST-001", "Deployment/ml-dev/llm"): (
                "max cost $32,058 → $64,116/month (+$32,058)",
                "max GPUs 16 → 32",
            )
        },
    ),
    Case(
        "kubernetes, only a file move: nothing new, the gate passes",
        {"moved/elsewhere.yaml": cases.deployment("llm", 2)},
        {"k8s/serving.yaml": cases.deployment("llm", 2)},
        (".",),
        {
            ("GR-COST-001", "Deployment/ml-dev/llm", "unchanged"),
            ("GR-TAG-003", "Deployment/ml-dev/llm", "unchanged"),
        },
        code=0,
    ),
    Case(
        "kubernetes, scaled down: fixed cost, no gate",
        {"k8s/serving.yaml": cases.deployment("llm", 1, gpus=1)},
        {"k8s/serving.yaml": cases.deployment("llm", 2)},
        ("k8s",),
        {
            ("GR-COST-001", "Deployment/ml-dev/llm", "fixed"),
            ("GR-TAG-003", "Deployment/ml-dev/llm", "unchanged"),
        },
        code=0,
    ),
]


def write_repo(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


def ledger_of(
    case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[int, dict[str, object]]:
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    head = write_repo(tmp_path / "head", case.head)
    args = ["check", *case.paths, "--fail-on-new", "--fail-on", "high", "-f", "json"]
    if case.base is not None:
        base = write_repo(tmp_path / "base", case.base)
        for p in case.paths:
            args += ["--base", str(base / p)]
    out = tmp_path / "report.json"
    monkeypatch.chdir(head)
    code = main([*args, "-o", str(out)])
    ledger: dict[str, object] = json.loads(out.read_text())["ledger"]
    return code, ledger


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_ledger_classes(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, ledger = ledger_of(case, tmp_path, monkeypatch)
    rows = {
        (e["policy"], e["resource"], change)
        for change in ("new", "escalated", "fixed", "unchanged")
        for e in ledger[change]  # type: ignore[attr-defined]
    }
    assert case.rows <= rows, sorted(rows)
    for (policy, resource), texts in case.escalations.items():
        entry = next(
            e
            for e in ledger["escalated"]  # type: ignore[attr-defined]
            if (e["policy"], e["resource"]) == (policy, resource)
        )
        assert tuple(entry["escalations"]) == texts
    assert code == case.code


def test_cost_delta_per_class_and_the_fixed_cost_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, ledger = ledger_of(CASES[0], tmp_path, monkeypatch)
    delta = ledger["monthly_usd_delta"]
    assert delta["escalated"] == pytest.approx(32058, abs=1)  # type: ignore[index]
    assert delta["fixed"] < 0 < delta["new"]  # type: ignore[index,operator]
    assert ledger["base"] == "the plans' prior state"


def test_only_new_findings_fail_where_the_base_already_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The base fails GR-COST-001 already; a label edit gates nothing, a new privileged
    Deployment fails the check (and without --fail-on-new the old finding fails it too)."""
    relabelled = cases.deployment("llm", 2).replace("app: llm}}", "app: llm, tier: a}}", 1)
    same = Case("", {"k8s/serving.yaml": relabelled}, CASES[4].base, ("k8s",), set(), code=0)
    assert ledger_of(same, tmp_path / "a", monkeypatch)[0] == 0
    assert main(["check", "k8s", "--fail-on", "high", "-f", "json", "-o", "/dev/null"]) == 1


def test_comment_and_sarif_carry_the_ledger(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The comment leads with new and escalated, then the fixed ones as good news with the
    cost saved, then the unchanged ones collapsed with a count; SARIF says each result's
    baselineState and lists the fixed ones as absent (code scanning closes their alerts)."""
    ledger_of(CASES[0], tmp_path, monkeypatch)  # writes the head repository, chdir there
    args = ["check", "plan.json", "--fail-on-new", "--fail-on", "never"]
    assert main([*args, "-f", "markdown", "-o", str(tmp_path / "c.md")]) == 0
    body = (tmp_path / "c.md").read_text()
    order = [body.index(s) for s in ("### 🆕 New and escalated", "### ✅ Good news", "unchanged</")]
    assert order == sorted(order)
    assert "4 fixed, $734/month saved at max scale" in body
    assert "<details><summary>4 unchanged</summary>" in body
    assert "⬆️ max cost $32,058 → $64,116/month (+$32,058); max GPUs 16 → 32" in body
    assert main([*args, "-f", "table", "-o", str(tmp_path / "t.txt")]) == 0
    table = (tmp_path / "t.txt").read_text()
    assert (
        "escalated: GR-COST-001 on aws_eks_node_group.gpu: max cost $32,058 → $64,116/month"
        in table
    )
    assert "4 fixed ($734/month saved at max scale), 4 unchanged" in table
    assert main([*args, "-f", "sarif", "-o", str(tmp_path / "r.sarif")]) == 0
    results = json.loads((tmp_path / "r.sarif").read_text())["runs"][0]["results"]
    states = {
        (r["ruleId"], r["locations"][0]["logicalLocations"][0]["name"]): r["baselineState"]
        for r in results
    }
    assert states[("GR-COST-001", "aws_eks_node_group.gpu")] == "updated"
    assert states[("GR-TAG-001", "aws_instance.new")] == "new"
    assert states[("GR-TAG-001", "aws_instance.same")] == "unchanged"
    assert states[("GR-TAG-001", "aws_instance.old")] == "absent"


def test_json_reports_validate_against_the_published_schema(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import jsonschema

    from tests.conftest import ROOT

    schema = json.loads((ROOT / "guardrails" / "schemas" / "report.schema.json").read_text())
    golden = json.loads((ROOT / "tests" / "report" / "golden" / "report.json").read_text())
    jsonschema.validate(golden, schema)  # no ledger: null
    ledger_of(CASES[1], tmp_path, monkeypatch)
    assert (
        main(["check", "infra", "--fail-on-new", "-f", "json", "-o", str(tmp_path / "r.json")]) == 1
    )
    jsonschema.validate(json.loads((tmp_path / "r.json").read_text()), schema)


def test_a_baseline_file_is_a_base_with_cost_and_gpus(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``baseline create`` records cost and GPUs at max scale, so a check against the
    baseline tells an escalation from an unchanged finding."""
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    repo = write_repo(tmp_path / "repo", {"k8s/serving.yaml": cases.deployment("llm", 2)})
    monkeypatch.chdir(repo)
    assert main(["baseline", "create", "k8s", "-o", "baseline.json"]) == 0
    recorded = json.loads((repo / "baseline.json").read_text())
    assert recorded["version"] == 2
    assert any(e["max_gpus"] == 16 for e in recorded["findings"])
    (repo / "k8s" / "serving.yaml").write_text(cases.deployment("llm", 4))
    args = ["check", "k8s", "--baseline", "baseline.json", "--fail-on-new", "-f", "json"]
    assert main([*args, "-o", str(tmp_path / "r.json")]) == 1
    doc = json.loads((tmp_path / "r.json").read_text())
    assert doc["ledger"]["base"] == "baseline baseline.json"
    escalated = {e["policy"] for e in doc["ledger"]["escalated"]}
    assert "GR-COST-001" in escalated
    # Unchanged findings are left out of the report, as --baseline always did.
    assert {f["policy"] for f in doc["findings"]} == escalated


def test_a_path_the_base_lacks_is_all_new_and_said(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    case = Case(
        "",
        {"k8s/serving.yaml": cases.deployment("llm", 2)},
        {"other/x.txt": ""},
        ("k8s",),
        {("GR-COST-001", "Deployment/ml-dev/llm", "new")},
    )
    code, ledger = ledger_of(case, tmp_path, monkeypatch)
    assert code == 1 and ledger["counts"]["unchanged"] == 0  # type: ignore[index]
    assert "k8s does not exist at the base; its findings count as new" in capsys.readouterr().err
