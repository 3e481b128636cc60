"""guardrails budgets compile / prove: allowed types, worst cases, limits from dollars, and the
generated manifests against the CRDs' published schemas."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from guardrails.cli import main
from guardrails.enrich.allowed import Requirement, allowed_by_requirements, monthly
from guardrails.enrich.catalog import InstanceSpec, load_gpu_catalog
from guardrails.enrich.cost import ceiling_monthly
from guardrails.enrich.sizing import Sizing, Unit
from tests.conftest import FIXTURES, ROOT

CLUSTER = FIXTURES / "budgets" / "cluster"
CONFIG = FIXTURES / "budgets" / "config.yaml"
CRD = ROOT / "tests" / "data" / "crd"
FAMILY = "karpenter.k8s.aws/instance-family"


def _req(key: str, operator: str, *values: str) -> Requirement:
    return Requirement(key, operator, list(values))


@pytest.mark.parametrize(
    ("requirements", "priciest_per_gpu", "unpriced"),
    [
        # data-on-eks's gpu NodePool: four families, sizes without 16xlarge
        (
            [
                _req(FAMILY, "In", "g5", "g6", "g6e", "g7e"),
                _req(
                    "karpenter.k8s.aws/instance-size",
                    "In",
                    *[
                        "xlarge",
                        "2xlarge",
                        "4xlarge",
                        "8xlarge",
                        "12xlarge",
                        "24xlarge",
                        "48xlarge",
                    ],
                ),
            ],
            "g7e.8xlarge",
            (),
        ),
        # the same families with every size: g6e.16xlarge is the priciest GPU-hour
        ([_req(FAMILY, "In", "g5", "g6", "g6e", "g7e")], "g6e.16xlarge", ()),
        # a family the catalog has no row for is unpriced, never skipped
        ([_req(FAMILY, "In", "g3", "g5")], "g5.16xlarge", ("family g3",)),
        # by GPU name
        ([_req("karpenter.k8s.aws/instance-gpu-name", "In", "a10g")], "g5.16xlarge", ()),
        # no category: every GPU type qualifies, Capacity-Block-only rows have no price
        (
            [
                _req("karpenter.k8s.aws/instance-cpu", "Gt", "3"),
                _req("karpenter.k8s.aws/instance-memory", "Gt", "8191"),
            ],
            "p6-b300.48xlarge",
            ("p5e.48xlarge", "trn2.48xlarge"),
        ),
        # EKS Auto Mode keys mean the same
        ([_req("eks.amazonaws.com/instance-family", "In", "g6")], "g6.16xlarge", ()),
        # NotIn narrows
        ([_req(FAMILY, "In", "g6", "g6e"), _req(FAMILY, "NotIn", "g6e")], "g6.16xlarge", ()),
    ],
)
def test_the_types_a_nodepool_allows_and_the_priciest_per_gpu(
    requirements: list[Requirement], priciest_per_gpu: str, unpriced: tuple[str, ...]
) -> None:
    allowed = allowed_by_requirements(requirements, load_gpu_catalog(), "aws")
    ceiling = allowed.ceiling()
    assert ceiling is not None
    assert ceiling.per_gpu_type == priciest_per_gpu
    assert allowed.unpriced == unpriced


def test_a_cpu_only_nodepool_allows_no_gpu() -> None:
    allowed = allowed_by_requirements(
        [_req("karpenter.k8s.aws/instance-category", "In", "c", "m", "r")],
        load_gpu_catalog(),
        "aws",
    )
    assert not allowed.any_gpu


def _spec(on_demand: float, spot: float) -> InstanceSpec:
    return InstanceSpec("g5.xlarge", "A10G", "A10G", "nvidia", 1, 24, 4, on_demand, spot)


@pytest.mark.parametrize("spot", [True, False])
def test_spot_capacity_is_bounded_at_the_on_demand_price(spot: bool) -> None:
    sizing = Sizing(is_gpu=True, units=[Unit(_spec(1.006, 0.436), 1, spot, 2, 10)])
    # 10 nodes x $1.006 x 730 h, whatever the capacity: spot can cost up to on-demand
    assert ceiling_monthly(sizing) == round(10 * 1.006 * 730, 2)


def _nodepool(capacity: list[str] | None) -> dict[str, Any]:
    requirements: list[dict[str, Any]] = [{"key": FAMILY, "operator": "In", "values": ["g6"]}]
    if capacity is not None:
        requirements.append(
            {"key": "karpenter.sh/capacity-type", "operator": "In", "values": capacity}
        )
    return {
        "apiVersion": "karpenter.sh/v1",
        "kind": "NodePool",
        "metadata": {"name": "gpu"},
        "spec": {
            "template": {
                "spec": {
                    "nodeClassRef": {"group": "karpenter.k8s.aws", "kind": "EC2NodeClass"},
                    "requirements": requirements,
                }
            },
            "limits": {"nvidia.com/gpu": "4"},
        },
    }


def _prove(tmp_path: Path, docs: list[dict[str, Any]], budgets: dict[str, Any]) -> Any:
    (tmp_path / "in").mkdir(exist_ok=True)
    (tmp_path / "in" / "objects.yaml").write_text(yaml.safe_dump_all(docs))
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump({"budgets": budgets}))
    out = tmp_path / "proof.json"
    code = main(
        ["budgets", "prove", str(tmp_path / "in"), "-c", str(config), "-f", "json", "-o", str(out)]
    )
    assert code == 0
    return json.loads(out.read_text())["pools"]


@pytest.mark.parametrize("capacity", [["spot"], ["on-demand"], ["spot", "on-demand"], None])
def test_spot_and_on_demand_nodepools_have_the_same_worst_case(
    tmp_path: Path, capacity: list[str] | None
) -> None:
    [pool] = _prove(tmp_path, [_nodepool(capacity)], {"nodepool": {"gpu": 100000}})
    per_gpu = monthly(max(_g6_per_gpu()))
    node = monthly(max(r.on_demand or 0 for r in _g6_rows()))
    assert pool["monthly_usd_worst"] == round(4 * per_gpu + node, 2)
    assert pool["status"] == "ok"


def _g6_rows() -> list[InstanceSpec]:
    return [r for t, r in load_gpu_catalog().instances.items() if t.startswith("g6.")]


def _g6_per_gpu() -> list[float]:
    return [(r.on_demand or 0) / r.gpu_count for r in _g6_rows()]


def test_compile_refuses_a_pool_that_allows_an_unpriced_type(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["budgets", "compile", str(FIXTURES / "budgets" / "unpriced"), "-c", str(CONFIG)])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert err.strip().splitlines() == [
        "error: budgets compile refused pool team=research: NodePool/legacy: unpriced: allows "
        "family g3 (no catalog price)"
    ]


def test_prove_says_unknown_where_nothing_bounds_the_spend(tmp_path: Path) -> None:
    out = tmp_path / "proof.json"
    assert (
        main(["budgets", "prove", str(CLUSTER), "-c", str(CONFIG), "-f", "json", "-o", str(out)])
        == 0
    )
    pools = {p["pool"]: p for p in json.loads(out.read_text())["pools"]}
    research = pools["research"]
    assert research["status"] == "unknown" and research["monthly_usd_worst"] is None
    problems = sorted(m["problem"] for m in research["members"] if m["problem"])
    assert problems == [
        "unbounded: in cohort ml with no borrowingLimit it may borrow whatever the cohort lends",
        "unbounded: no spec.limits",
    ]
    # vision: 64 GPUs of g6 and a cohort queue borrowing 8 exceed $50/hour
    assert pools["vision"]["status"] == "over"


def _compiled_objects(tmp_path: Path) -> list[dict[str, Any]]:
    out = tmp_path / "compiled.yaml"
    code = main(
        ["budgets", "compile", str(CLUSTER), "-c", str(CONFIG), "--as", "objects", "-o", str(out)]
    )
    assert code == 0
    return [d for d in yaml.safe_load_all(out.read_text()) if d]


def test_compiled_limits_are_proven_within_budget(tmp_path: Path) -> None:
    """compile, apply (the compiled objects replace the scanned ones), prove: every pool fits."""
    compiled = _compiled_objects(tmp_path)
    applied = tmp_path / "applied"
    applied.mkdir()
    shutil.copy(CLUSTER / "namespaces.yaml", applied)
    flavors = [d for d in yaml.safe_load_all((CLUSTER / "kueue.yaml").read_text())]
    (applied / "flavors.yaml").write_text(
        yaml.safe_dump_all([d for d in flavors if d["kind"] == "ResourceFlavor"])
    )
    (applied / "compiled.yaml").write_text(yaml.safe_dump_all(compiled))
    out = tmp_path / "proof.json"
    assert (
        main(["budgets", "prove", str(applied), "-c", str(CONFIG), "-f", "json", "-o", str(out)])
        == 0
    )
    pools = {p["pool"]: p for p in json.loads(out.read_text())["pools"]}
    assert {p: pools[p]["status"] for p in ("research", "vision")} == {
        "research": "ok",
        "vision": "ok",
    }
    # $50/hour binds the vision pool: 36,500 a month, not 60,000
    assert pools["vision"]["budget"] == 36500
    assert pools["vision"]["monthly_usd_worst"] <= 36500
    assert pools["research"]["monthly_usd_worst"] <= 150000


def test_a_cohort_queue_gets_a_borrowing_limit_and_keeps_its_nominal_quota(
    tmp_path: Path,
) -> None:
    queues = {
        d["metadata"]["name"]: d for d in _compiled_objects(tmp_path) if d["kind"] == "ClusterQueue"
    }
    [gpu] = [
        r
        for r in queues["research-queue"]["spec"]["resourceGroups"][0]["flavors"][0]["resources"]
        if r["name"] == "nvidia.com/gpu"
    ]
    # $50,000 share / (l4 ceiling $1.7344/GPU-hour x 730 h) = 39 GPUs: 16 nominal + 23 borrowed
    assert (gpu["nominalQuota"], gpu["borrowingLimit"]) == (16, 23)


def test_compiled_text_states_the_arithmetic_and_the_prices(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["budgets", "compile", str(CLUSTER), "-c", str(CONFIG)]) == 0
    out = capsys.readouterr().out
    assert "# spec.limits.nvidia.com/gpu: 9 = floor(($12,167 - overrun margin $3,359)" in out
    assert "spot capacity is bounded at the on-demand price" in out
    assert "zz_generated.pricing_aws.go@6fc13b523 (generated 2026-07-20)" in out
    assert "as of 2026-07-20" in out


def _schema(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((CRD / name).read_text())
    return document["schema"]


def test_compiled_manifests_validate_against_the_published_crd_schemas(tmp_path: Path) -> None:
    nodepool = _schema("karpenter-nodepool-v1-limits.json")
    queue = _schema("kueue-clusterqueue-v1beta1-resourcegroups.json")
    compiled = _compiled_objects(tmp_path)
    kinds = sorted(d["kind"] for d in compiled)
    assert kinds == [
        "ClusterQueue",
        "ClusterQueue",
        "NodePool",
        "NodePool",
        "ResourceQuota",
        "ResourceQuota",
    ]
    for document in compiled:
        if document["kind"] == "NodePool":
            jsonschema.validate(document, nodepool)
        elif document["kind"] == "ClusterQueue":
            jsonschema.validate(document, queue)
            spec = document["spec"]
            # the CRD's CEL rules (x-kubernetes-validations), which jsonschema does not run
            for group in spec["resourceGroups"]:
                for flavor in group["flavors"]:
                    assert len(flavor["resources"]) == len(group["coveredResources"])
                    if "cohort" not in spec:
                        assert all("borrowingLimit" not in r for r in flavor["resources"])


def test_the_schema_check_can_fail() -> None:
    nodepool = _schema("karpenter-nodepool-v1-limits.json")
    bad = {"spec": {"limits": {"nvidia.com/gpu": "eight"}}}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, nodepool)


def test_a_share_below_the_overrun_margin_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "np.yaml").write_text(yaml.safe_dump(_nodepool(["on-demand"])))
    config = tmp_path / "c.yaml"
    config.write_text(yaml.safe_dump({"budgets": {"nodepool": {"gpu": 1000}}}))
    assert main(["budgets", "compile", str(tmp_path / "in"), "-c", str(config)]) == 2
    err = capsys.readouterr().err
    assert "pool nodepool=gpu: NodePool/gpu: its share $1,000 is below the overrun margin" in err


def test_prove_html_draws_worst_case_desired_and_budget_per_pool(tmp_path: Path) -> None:
    from html.parser import HTMLParser

    out = tmp_path / "proof.html"
    args = ["budgets", "prove", str(CLUSTER), "-c", str(CONFIG), "-f", "html", "-o", str(out)]
    assert main(args) == 0

    class Shapes(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.seen: list[tuple[str, str]] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found = dict(attrs)
            if tag in ("rect", "line", "script", "link"):
                self.seen.append((tag, found.get("class") or ""))

    shapes = Shapes()
    shapes.feed(out.read_text())
    assert sorted(shapes.seen) == sorted(
        [("rect", "bar worst"), ("rect", "bar desired"), ("line", "budget-marker")] * 2
    )


HPA = """apiVersion: apps/v1
kind: Deployment
metadata: {name: chat, namespace: vision, labels: {team: vision}}
spec:
  replicas: 2
  selector: {matchLabels: {app: chat}}
  template:
    metadata: {labels: {app: chat}}
    spec:
      nodeSelector: {node.kubernetes.io/instance-type: g5.xlarge}
      containers: [{name: c, image: x, resources: {limits: {nvidia.com/gpu: 1}}}]
"""
SCALERS = {
    "no scaler: max is desired": ("", 2),
    "HPA maxReplicas": (
        """---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: chat, namespace: vision}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: chat}
  maxReplicas: 10
""",
        10,
    ),
    "KEDA without maxReplicaCount: its default 100": (
        """---
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: chat, namespace: vision}
spec:
  scaleTargetRef: {name: chat}
""",
        100,
    ),
}


@pytest.mark.parametrize("case", list(SCALERS))
def test_a_workload_is_bounded_by_its_scaler_max(tmp_path: Path, case: str) -> None:
    scaler, replicas = SCALERS[case]
    docs = [d for d in yaml.safe_load_all(HPA + scaler) if d]
    [pool] = _prove(tmp_path, docs, {"team": {"vision": 5000}})
    g5 = load_gpu_catalog().instance("g5.xlarge")
    assert g5 is not None and g5.on_demand is not None
    assert pool["monthly_usd_worst"] == round(replicas * g5.on_demand * 730, 2)


def test_a_node_group_is_bounded_by_its_max_size(tmp_path: Path) -> None:
    plan = FIXTURES / "policies" / "GR-COST-007" / "deny_research_pool_across_formats"
    config = tmp_path / "c.yaml"
    config.write_text(yaml.safe_dump({"budgets": {"team": {"research": 100000}}}))
    out = tmp_path / "p.json"
    args = ["budgets", "prove", str(plan / "node-group.plan.json"), "-c", str(config)]
    code = main([*args, "-f", "json", "-o", str(out)])
    assert code == 0
    [pool] = json.loads(out.read_text())["pools"]
    [member] = pool["members"]
    p4d = load_gpu_catalog().instance("p4d.24xlarge")
    assert p4d is not None and p4d.on_demand is not None
    # max_size 2 x p4d.24xlarge, on-demand
    assert member["monthly_usd_worst"] == round(2 * p4d.on_demand * 730, 2)


def test_a_gpu_limit_over_types_the_catalog_does_not_know_is_unknown(tmp_path: Path) -> None:
    nodepool = _nodepool(["on-demand"])
    nodepool["spec"]["template"]["spec"]["requirements"][0]["values"] = ["zz9"]
    [pool] = _prove(tmp_path, [nodepool], {"nodepool": {"gpu": 100000}})
    assert pool["status"] == "unknown"
    assert "allows no instance type the catalog knows" in pool["members"][0]["problem"]


def test_a_volcano_queue_capability_is_bounded_and_compiled(tmp_path: Path) -> None:
    queue = {
        "apiVersion": "scheduling.volcano.sh/v1beta1",
        "kind": "Queue",
        "metadata": {"name": "research", "labels": {"team": "research"}},
        "spec": {"weight": 1, "capability": {"cpu": "400", "nvidia.com/gpu": "64"}},
    }
    docs = [_nodepool(["on-demand"]), queue]
    docs[0]["metadata"]["labels"] = {"team": "other"}
    [_, pool] = sorted(
        _prove(tmp_path, docs, {"team": {"research": 20000, "other": 100000}}),
        key=lambda p: p["pool"],
    )
    per_gpu = monthly(max(_g6_per_gpu()))  # the priciest GPU the scan provides: the g6 NodePool
    assert pool["pool"] == "research"
    assert pool["monthly_usd_worst"] == round(64 * per_gpu, 2) and pool["status"] == "over"
    out = tmp_path / "compiled.yaml"
    config = tmp_path / "config.yaml"
    assert (
        main(["budgets", "compile", str(tmp_path / "in"), "-c", str(config), "-o", str(out)]) == 0
    )
    [patch] = [d for d in yaml.safe_load_all(out.read_text()) if d and d["kind"] == "Queue"]
    assert patch["spec"] == {"capability": {"nvidia.com/gpu": str(int(20000 // per_gpu))}}
