"""Tag and label keys follow one rule for the environment enrichment and every GR-TAG policy:
case-insensitive by default, aliases from ``tag_aliases`` in ``.guardrails.yaml``."""

from __future__ import annotations

from pathlib import Path

import pytest

from guardrails.api import ScanOptions, enriched_graph, scan
from guardrails.cli import main
from guardrails.engines.select import rego_available

ENGINES = ["python", *(["rego"] if rego_available() else [])]

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: trainer
  namespace: ml
  labels: {labels}
spec:
  replicas: 1
  template:
    metadata: {{labels: {{app: trainer}}}}
    spec:
      containers:
        - name: train
          image: pytorch/pytorch:2.4.0-cuda12.1-cudnn9-runtime
          resources: {{limits: {{nvidia.com/gpu: 1, cpu: "4", memory: 16Gi}}}}
"""


def _scan(tmp_path: Path, labels: str, config: str | None, engine: str) -> dict[str, str]:
    path = tmp_path / "deploy.yaml"
    path.write_text(DEPLOYMENT.format(labels=labels))
    options = ScanOptions(engine=engine, no_config=True)
    if config is not None:
        (tmp_path / "cfg.yaml").write_text(config)
        options = ScanOptions(engine=engine, config_path=tmp_path / "cfg.yaml")
    report = scan([str(path)], options)
    return {f.policy: f.message for f in report.findings if f.policy.startswith("GR-TAG")}


@pytest.mark.parametrize("engine", ENGINES)
def test_keys_match_in_any_case_and_env_counts_as_environment(tmp_path: Path, engine: str) -> None:
    labels = "{Owner: ana, TEAM: vision, Cost-Center: cc-1, env: dev, Workload: training, Model: x}"
    found = _scan(tmp_path, labels, None, engine)
    assert "GR-TAG-001" not in found and "GR-TAG-003" not in found and "GR-TAG-004" not in found
    graph = enriched_graph([str(tmp_path / "deploy.yaml")], ScanOptions(no_config=True))
    facts = next(r.facts for r in graph.resources if r.type == "Deployment")
    # The environment the cost ceilings use comes from the same rule.
    assert facts["environment"] == "dev" and facts["environment_source"] == "label"
    assert facts["tags"]["team"] == "vision" and facts["tag_keys"]["team"] == "TEAM"


@pytest.mark.parametrize("engine", ENGINES)
def test_configured_aliases_satisfy_required_keys(tmp_path: Path, engine: str) -> None:
    labels = "{owner: ana, owner-team: vision, costcenter: cc-1, stage: dev, workload: training}"
    without = _scan(tmp_path, labels, None, engine)
    assert without["GR-TAG-001"] == "is missing required tags: cost-center, team"
    config = "tag_aliases: {team: [owner-team], cost-center: [costcenter]}\n"
    found = _scan(tmp_path, labels, config, engine)
    assert "GR-TAG-001" not in found
    # attribution: team came through its alias; model is still missing and named as configured.
    assert found["GR-TAG-004"] == "spend cannot be attributed: no model or project tag"


@pytest.mark.parametrize("engine", ENGINES)
def test_allowed_values_are_checked_through_the_alias_and_name_the_written_key(
    tmp_path: Path, engine: str
) -> None:
    labels = "{owner: a, team: b, cost-center: c, Env: Production, workload: training}"
    # `Production` is an alias of prod by default (one environment rule): allowed.
    assert "GR-TAG-002" not in _scan(tmp_path, labels, None, engine)
    found = _scan(tmp_path, labels, "environment_aliases: {prod: []}\n", engine)
    assert found["GR-TAG-002"] == "has Env=Production; allowed values: dev, prod, staging"


def test_the_canonical_key_wins_over_its_aliases_and_case_variants() -> None:
    from guardrails.enrich.tags import alias_table, canonical_tags

    table = alias_table({"environment": ["env", "stage"]})
    tags, keys = canonical_tags(
        {"stage": "qa", "env": "dev", "Environment": "staging", "environment": "prod"}, table
    )
    assert tags["environment"] == "prod" and keys["environment"] == "environment"
    tags, keys = canonical_tags({"stage": "qa", "env": "dev"}, table)
    assert tags["environment"] == "dev" and keys["environment"] == "env"


@pytest.mark.parametrize(
    ("config", "says"),
    [
        ("tag_aliases: {team: owner-team}\n", "invalid config at tag_aliases.team"),
        ("tag_aliases: {team: [1]}\n", "invalid config at tag_aliases.team.0"),
        ("tag_aliases: {team: [env]}\n", "env is an alias of both environment and team"),
        ("tag_aliases: {team: [owner], owner: [lead]}\n", "owner is an alias of team but also"),
        ("tag_alias: {team: [owner-team]}\n", "tag_alias"),
    ],
)
def test_bad_tag_aliases_are_a_one_line_config_error(
    tmp_path: Path, config: str, says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / ".guardrails.yaml").write_text(config)
    path = tmp_path / "deploy.yaml"
    path.write_text(DEPLOYMENT.format(labels="{team: a}"))
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and says in err and "Traceback" not in err


def test_budget_pools_read_keys_through_the_same_rule(tmp_path: Path) -> None:
    """A resource that passes GR-TAG-004 through an alias is in its team's pool, not unattributed."""
    (tmp_path / "deploy.yaml").write_text(
        DEPLOYMENT.format(labels="{owner: ana, owner-team: vision, env: dev, workload: training}")
    )
    (tmp_path / "cfg.yaml").write_text(
        "tag_aliases: {team: [owner-team]}\nbudgets: {team: {vision: 100000}}\n"
    )
    graph = enriched_graph(
        [str(tmp_path / "deploy.yaml")], ScanOptions(config_path=tmp_path / "cfg.yaml")
    )
    pools = graph.summary["budgets"]["pools"]
    assert [(p["dimension"], p["value"]) for p in pools] == [("team", "vision")], pools
