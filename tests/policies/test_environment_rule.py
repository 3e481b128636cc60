"""One environment rule: a value is an environment everywhere or invalid everywhere.

Before, `development` was dev for the cost ceiling (enrichment) and invalid for GR-TAG-002 in
the same run.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from guardrails.api import ScanOptions, build_input, scan
from guardrails.engines.select import rego_available

ENGINES = ["python", *(["rego"] if rego_available() else [])]

JOB = """\
apiVersion: batch/v1
kind: Job
metadata:
  name: finetune
  namespace: research
  labels: {owner: a, team: t, cost-center: cc-1, environment: development}
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: train
          image: ghcr.io/acme/train:1.0.0
          resources: {limits: {nvidia.com/gpu: 1}}
"""


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    ("config", "environment", "tag_finding"),
    [
        ("", "dev", False),  # the default aliases: dev for the ceiling, allowed by GR-TAG-002
        ("environment_aliases: {dev: []}\n", "unknown", True),  # invalid for both
        ("environment_aliases: {dev: [development]}\n", "dev", False),
    ],
)
def test_alias_is_one_rule(
    tmp_path: Path, engine: str, config: str, environment: str, tag_finding: bool
) -> None:
    (tmp_path / "job.yaml").write_text(JOB)
    (tmp_path / ".guardrails.yaml").write_text(config or "{}\n")
    options = ScanOptions(engine=engine, config_path=tmp_path / ".guardrails.yaml")
    doc = build_input([str(tmp_path / "job.yaml")], options)
    assert doc["resources"][0]["facts"]["environment"] == environment
    report = scan([str(tmp_path / "job.yaml")], options)
    assert any(f.policy == "GR-TAG-002" for f in report.findings) is tag_finding
