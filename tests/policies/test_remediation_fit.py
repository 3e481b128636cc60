"""Remediation fits the resource: no Azure advice on an AWS bucket, no ``backoffLimit`` on an EC2
instance. Every policy, every fixture it fires on, both engines."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from guardrails.api import ScanOptions, scan
from guardrails.catalog import load_catalog
from guardrails.catalog.metadata import PROVIDER_FAMILIES
from guardrails.errors import ConfigError
from guardrails.model import Action, Resource, SourceFormat
from tests.conftest import FIXTURES
from tests.sweep import Sweep

#: Words that name one family's services and fields (case-sensitive on purpose: the Kubernetes
#: label ``kubernetes.azure.com/...`` is not the word "Azure").
MARKERS: dict[str, list[str]] = {
    "aws": [
        r"\baws_",
        r"\bS3\b",
        r"\bEC2\b",
        r"\bEKS\b",
        r"\bEBS\b",
        r"\bEFS\b",
        r"\bRDS\b",
        r"\bSSM\b",
        r"SageMaker",
        r"IMDS",
        r"http_tokens",
        r"instance_market_options",
        r"default_tags",
        r"capacity_type",
        r"mixed_instances_policy",
        r"Auto Scaling",
        r"(?<!network )security group",
    ],
    "azure": [
        r"\bazurerm_",
        r"Azure",
        r"\bAKS\b",
        r"[Bb]lob",
        r"eviction_policy",
        r"priority = \"Spot\"",
        r"scale set",
        r"SAS token",
    ],
    "google": [
        r"\bgoogle_",
        r"\bGCS\b",
        r"\bGKE\b",
        r"\bGCE\b",
        r"\bIAP\b",
        r"allUsers",
        r"provisioning_model",
        r"Vertex",
        r"access_config",
        r"Cloud Storage",
        r"default_labels",
        r"guest_accelerator",
        r"resource_labels",
    ],
    "kubernetes": [
        r"kubectl",
        r"backoffLimit",
        r"metadata\.labels",
        r"securityContext",
        r"ClusterIP",
        r"HorizontalPodAutoscaler",
        r"\bHPA\b",
        r"nodeSelector",
        r"toleration",
        r"[Kk]arpenter",
        r"terminationGracePeriodSeconds",
        r"maxReplicas",
        r"KServe",
        r"KEDA",
        r"Kueue",
        r"Volcano",
        r"activeDeadlineSeconds",
        r"headGroupSpec",
        r"authOptions",
    ],
}


def family_of(resource_type: str) -> str | None:
    """The family a canonical type belongs to (types are Terraform names or Kubernetes kinds)."""
    for prefix, family in (("aws_", "aws"), ("azurerm_", "azure"), ("google_", "google")):
        if resource_type.startswith(prefix):
            return family
    if resource_type.startswith("kubernetes_") or resource_type[:1].isupper():
        return "kubernetes"
    return None


def foreign_words(text: str, family: str) -> list[str]:
    """Words in ``text`` that belong to a family other than ``family``."""
    return [
        pattern
        for other, patterns in MARKERS.items()
        if other != family
        for pattern in patterns
        if re.search(pattern, text)
    ]


def _fixture_dirs() -> list[Path]:
    dirs = sorted(p for p in (FIXTURES / "policies").iterdir() if p.is_dir())
    return [*dirs, FIXTURES / "kubernetes", FIXTURES / "terraform-plan", FIXTURES / "pulumi"]


def _cases(directory: Path) -> list[str]:
    return sorted(
        str(p)
        for p in directory.iterdir()
        if p.name != "config.yaml" and (p.suffix in (".json", ".yaml", ".yml", ".tf") or p.is_dir())
    )


@pytest.mark.parametrize("directory", _fixture_dirs(), ids=lambda p: p.name)
def test_remediation_names_only_the_resources_own_cloud(directory: Path, sweep: Sweep) -> None:
    """On the default engine; the Rego engines' findings are the same (the parity sweep)."""
    config = directory / "config.yaml"
    checked = 0
    for case in _cases(directory):
        try:
            report = sweep.scan(case, config if config.exists() else None)
        except ConfigError:
            continue  # a fixture that is a bad input on purpose
        for finding in report.findings:
            family = family_of(finding.resource_type)
            if family is None:
                continue
            checked += 1
            wrong = foreign_words(finding.remediation, family)
            assert not wrong, (
                f"{finding.policy} on {finding.resource_type} ({Path(case).name}) advises "
                f"{wrong}: {finding.remediation}"
            )
    assert checked or directory.name.startswith("GR-COST-00") or directory.name == "GR-INPUT-001"


def test_every_family_advice_in_the_catalog_stays_in_its_family() -> None:
    """Also the advice no fixture reaches yet: each ``remediation_by`` text for a family (or a
    type of that family) names no other family's services."""
    for policy in load_catalog():
        for key, text in policy.remediation_by:
            family = key if key in PROVIDER_FAMILIES else family_of(key)
            if family is None:
                continue
            assert not foreign_words(text, family), (policy.id, key, text)


def _resource(
    rtype: str, provider: str, fmt: SourceFormat = SourceFormat.TERRAFORM_PLAN
) -> Resource:
    return Resource(
        id=f"x/{rtype}",
        address=f"{rtype}.x",
        source_format=fmt,
        provider=provider,
        type=rtype,
        name="x",
        action=Action.CREATE,
        attributes={},
    )


def test_remediation_is_picked_by_type_then_provider_then_default() -> None:
    catalog = load_catalog()
    spot = catalog.policies["GR-SPOT-004"]
    by = dict(spot.remediation_by)
    assert spot.remediation_for(_resource("aws_eks_node_group", "aws")) == by["aws_eks_node_group"]
    sec = catalog.policies["GR-SEC-003"]
    sec_by = dict(sec.remediation_by)
    assert sec.remediation_for(_resource("aws_security_group", "aws")) == sec_by["aws"]
    # Pulumi's azure-native resources and Terraform's azurerm ones are both the azure family.
    assert (
        sec.remediation_for(_resource("azurerm_network_security_group", "azurerm"))
        == (sec_by["azure"])
    )
    assert sec.remediation_for(_resource("openstack_fw_rule", "openstack")) == sec.remediation
    assert sec.remediation_for(None) == sec.remediation


@pytest.mark.parametrize(
    "fixture",
    ["deny_aks_gpu_default_pool_in_dev.json", "deny_aks_gpu_default_pool_in_dev.pulumi.json"],
)
def test_spot_advice_on_an_aks_default_pool_does_not_ask_for_the_impossible(fixture: str) -> None:
    """AKS refuses spot on the default (system) pool: the advice is a separate spot user pool."""
    path = FIXTURES / "policies" / "GR-COST-001" / fixture
    report = scan([str(path)], ScanOptions(engine="python", no_config=True))
    advice = [f.remediation for f in report.findings if f.policy == "GR-SPOT-001"]
    assert advice and all("azurerm_kubernetes_cluster_node_pool" in a for a in advice), advice
    assert all("cannot run on spot" in a for a in advice)
