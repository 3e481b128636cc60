"""Taggability of a Terraform type does not depend on its tags/labels argument being written.

Before, ``google_artifact_registry_repository`` and ``azurerm_public_ip`` without ``labels``/
``tags`` in the HCL were not taggable, so GR-TAG-001 missed them (3 misses on public files).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from guardrails.api import ScanOptions, build_input

HCL = """\
resource "google_artifact_registry_repository" "repo" {
  repository_id = "r"
  format        = "DOCKER"
}
resource "azurerm_public_ip" "ip" {
  name                = "ip"
  resource_group_name = "rg"
  location            = "eastus"
  allocation_method   = "Static"
}
resource "aws_nat_gateway" "nat" {
  subnet_id = "subnet-1"
}
resource "google_artifact_registry_repository_iam_member" "reader" {
  repository = "r"
  role       = "roles/artifactregistry.reader"
  member     = "user:a@example.com"
}
resource "aws_iam_role" "role" {
  name               = "r"
  assume_role_policy = "{}"
}
resource "google_project_iam_binding" "b" {
  project = "p"
  role    = "roles/viewer"
  members = []
}
resource "random_id" "suffix" {
  byte_length = 4
}
resource "null_resource" "n" {}
resource "kubernetes_namespace_v1" "ns" {
  metadata {
    name = "ns"
  }
}
resource "google_secret_manager_secret" "s" {
  secret_id = "s"
  replication {
    auto {}
  }
}
resource "google_some_future_thing" "unknown" {
  name = "x"
}
resource "google_some_future_thing" "labelled" {
  name   = "x"
  labels = {}
}
data "google_storage_bucket" "existing" {
  name = "b"
}
"""


@pytest.mark.parametrize(
    ("address", "taggable"),
    [
        ("google_artifact_registry_repository.repo", True),
        ("azurerm_public_ip.ip", True),
        ("aws_nat_gateway.nat", True),
        # Carry no spend (or only trivial spend) by themselves.
        ("google_artifact_registry_repository_iam_member.reader", False),
        ("aws_iam_role.role", False),
        ("google_project_iam_binding.b", False),
        ("random_id.suffix", False),
        ("null_resource.n", False),
        ("kubernetes_namespace_v1.ns", False),
        ("google_secret_manager_secret.s", False),
        # An unlisted type keeps the rule of the written attribute.
        ("google_some_future_thing.unknown", False),
        ("google_some_future_thing.labelled", True),
        ("data.google_storage_bucket.existing", False),
    ],
)
def test_taggable_whether_or_not_the_argument_is_written(
    tmp_path: Path, address: str, taggable: bool
) -> None:
    (tmp_path / "main.tf").write_text(HCL)
    doc = build_input([str(tmp_path)], ScanOptions(no_config=True))
    facts = {r["address"]: r["facts"] for r in doc["resources"]}
    assert address in facts, sorted(facts)
    assert facts[address]["taggable"] is taggable
