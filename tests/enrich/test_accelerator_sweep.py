"""No silent pass, by construction: every resource whose content names an accelerator, in every
fixture and corpus file, is either modelled as a GPU resource or reported unknown.

The detector here is deliberately independent of enrich.unmodelled (plain substrings and the
catalog, not its regular expressions), so a gap in either shows up.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from guardrails.api import ScanOptions, build_input
from guardrails.enrich.catalog import is_gpu_family, load_gpu_catalog
from guardrails.enrich.unmodelled import DESCRIPTIVE, find_accelerator
from guardrails.errors import GuardrailsError
from tests.conftest import CORPUS, FIXTURES, requires_corpus

#: Substrings only accelerator content has.
TOKENS = (
    "nvidia.com/gpu",
    "nvidia.com/mig-",
    "amd.com/gpu",
    "google.com/tpu",
    "habana.ai/",
    "aws.amazon.com/neuron",
    "gpu.intel.com/",
    "gpu.nvidia.com",
    "cloud.google.com/gke-accelerator",
    "cloud.google.com/gke-tpu",
    "karpenter.k8s.aws/instance-gpu",
    "kubernetes.azure.com/accelerator",
)
#: Modelled resources whose sizing decided, for a documented reason, that they hold no GPU.
DECIDED = {
    # remove_default_node_pool: the node_config's a2 pool is deleted after creation.
    ("accelerators/terraform-hcl/gke_default_pool", "google_container_cluster.removed"),
    (
        "terraform-parity/plans/accelerators_gke_default_pool.json",
        "google_container_cluster.removed",
    ),
    # A DaemonSet pinned to GPU nodes follows the nodes that exist (enrich.pod_accelerators).
    ("accelerators/kubernetes/pinned.yaml", "DaemonSet/gpu-operator/dcgm-exporter"),
    # A runtime a TrainJob of the scan uses: its GPUs are counted on that TrainJob.
    ("accelerators/kubernetes/trainjob.yaml", "ClusterTrainingRuntime/torch-distributed-gpu"),
    # One of its alternative node selector terms admits CPU nodes: not pinned to GPUs.
    ("accelerators/kubernetes/pinned.yaml", "Deployment/ml/gpu-or-cpu"),
}


def _inputs(root: Path) -> Iterator[Path]:
    """Every input under ``root``: a file, or a directory of .tf files (one module)."""
    seen: set[Path] = set()
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.suffix not in (".yaml", ".yml", ".json", ".tf"):
            continue
        target = path.parent if path.suffix == ".tf" else path
        if target not in seen and path.name != "config.yaml":
            seen.add(target)
            yield target


def _names_accelerator(resource: dict[str, Any]) -> str | None:
    attributes = dict(resource["attributes"] or {})
    for key in ("metadata", "status") if resource["source_format"] == "kubernetes" else ("tags",):
        attributes.pop(key, None)
    text = json.dumps(attributes).replace("\\\\", "")
    token = next((t for t in TOKENS if t in text), None)
    if token is not None:
        return token
    catalog = load_gpu_catalog()
    for value in _strings(attributes):
        spec = catalog.instance(value)
        if is_gpu_family(value) or (spec is not None and spec.gpu_count):
            return value
    return None


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, str) and len(value) <= 64:
        yield value


def _unseen(root: Path) -> tuple[int, list[str]]:
    """(resources naming an accelerator, those neither modelled as GPU nor unknown)."""
    named, unseen = 0, []
    for target in _inputs(root):
        try:
            doc = build_input([str(target)], ScanOptions(allow_empty=True, no_config=True))
        except GuardrailsError:
            continue  # not an input (a config, a values file) or a hostile one
        relative = target.relative_to(root).as_posix()
        for r in doc["resources"]:
            if r["mode"] != "managed" or r["unevaluated"] or r["type"] in DESCRIPTIVE:
                continue
            found = _names_accelerator(r)
            if found is None:
                continue
            named += 1
            facts = r["facts"]
            if (
                facts["is_gpu"]
                or facts["accelerator_unknown"]
                or (relative, r["address"]) in DECIDED
            ):
                continue
            unseen.append(f"{relative}: {r['address']} names {found}")
    return named, unseen


@pytest.mark.integration  # builds every fixture: ~10 s
def test_every_fixture_accelerator_is_seen_or_unknown() -> None:
    named, unseen = _unseen(FIXTURES)
    assert named >= 100  # the sweep really meets accelerators
    assert unseen == []


@pytest.mark.integration
@requires_corpus
def test_every_corpus_accelerator_is_seen_or_unknown() -> None:
    named, unseen = _unseen(CORPUS)
    assert named >= 10
    assert unseen == []


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("PaddleJobX/ml/custom-trainer", 'spec.workers.resources.limits["nvidia.com/gpu"]'),
        ("TrainingJob/ml/ack-training", "spec.resourceConfig.instanceType"),
        # A YAML string is walked as data: the path goes on inside it.
        (
            "ConfigMap/ml/ray-autoscaler",
            'data["cluster.yaml"].available_node_types.gpu.node_config.nodeSelector'
            '["cloud.google.com/gke-accelerator"]',
        ),
    ],
)
def test_unknown_names_the_kind_and_path(address: str, expected: str) -> None:
    doc = build_input([str(FIXTURES / "accelerators" / "kubernetes" / "unmodelled.yaml")])
    facts = {r["address"]: r["facts"] for r in doc["resources"]}
    message = facts[address]["accelerator_unknown"]
    assert f"at {expected}," in message
    assert f"does not model {address.split('/')[0]}" in message
    # Caps, descriptions and plain content are not flagged.
    for quiet in ("ResourceQuota/ml/gpu-quota", "DeviceClass/gpu.nvidia.com", "ConfigMap/ml/plain"):
        assert facts[quiet]["accelerator_unknown"] is None


@pytest.mark.parametrize(
    ("value", "named"),
    [
        ("ml.p4d.24xlarge", True),
        ("g5.xlarge", True),
        ("a3-highgpu-8g", True),
        ("Standard_NC24ads_A100_v4", True),
        ("ct5lp-hightpu-4t", True),
        ("v5litepod-8", True),
        ("nvidia-tesla-t4", True),
        ("requests.nvidia.com/gpu", True),
        ("resources.limits.nvidia\\.com/gpu", True),
        # Look-alikes: a file name, a version, a CPU type, a plugin name, prose.
        ("p3.json", False),
        ("g2.0", False),
        ("m5.xlarge", False),
        ("Standard_D4s_v3", False),
        ("nvidia-device-plugin", False),
        ("we trained on a g5.xlarge last week", False),
    ],
)
def test_what_counts_as_naming_an_accelerator(value: str, named: bool) -> None:
    found = find_accelerator({"value": value}, load_gpu_catalog(), frozenset())
    assert (found is not None) is named


def test_tolerating_a_gpu_taint_names_no_accelerator() -> None:
    """A device plugin or agent that tolerates the nvidia.com/gpu taint uses no GPU."""
    attributes = {"spec": {"tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists"}]}}
    assert find_accelerator(attributes, load_gpu_catalog(), frozenset()) is None


_TOLERATING = (
    "nodeSelector:\n  efa: 'true'\ntolerations:\n  - key: nvidia.com/gpu\n    operator: Exists\n"
)


@pytest.mark.parametrize(
    ("values", "found"),
    [
        # A helm_release's values (YAML inside HCL) tolerating the GPU taint: no accelerator.
        # Before, the string was scanned as text and named nvidia.com/gpu (GR-INPUT-001 FP).
        ([_TOLERATING], None),
        ([json.dumps({"tolerations": [{"key": "nvidia.com/gpu"}]})], None),
        # Requests inside the values still name one, at their path in the parsed document.
        (
            ["resources:\n  limits:\n    nvidia.com/gpu: 1\n"],
            ("values[0].resources.limits", "nvidia.com/gpu"),
        ),
        # Not YAML (a bad indent): scanned as text, as before.
        (["a: [\n  nvidia.com/gpu\n b: {"], ("values[0]", "nvidia.com/gpu")),
        # Too large to parse: scanned as text.
        ([_TOLERATING + "# pad\n" * 50_000], ("values[0]", "nvidia.com/gpu")),
    ],
)
def test_yaml_inside_a_string_is_walked_as_data(
    values: list[str], found: tuple[str, str] | None
) -> None:
    hit = find_accelerator({"values": values}, load_gpu_catalog(), frozenset())
    if found is None:
        assert hit is None
    else:
        assert hit is not None and hit[0].startswith(found[0]) and hit[1] == found[1]


def test_helm_release_tolerating_the_gpu_taint_is_not_unknown(tmp_path: Path) -> None:
    (tmp_path / "helm.tf").write_text(
        'resource "helm_release" "efa" {\n  name  = "efa"\n  chart = "efa"\n'
        "  values = [\n    <<-EOT\n      tolerations:\n        - key: nvidia.com/gpu\n"
        "          operator: Exists\n    EOT\n  ]\n}\n"
    )
    doc = build_input([str(tmp_path)], ScanOptions(no_config=True))
    (release,) = (r for r in doc["resources"] if r["type"] == "helm_release")
    assert release["facts"]["accelerator_unknown"] is None
