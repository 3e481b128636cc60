"""Parity: real OPA (opa-golib), regopy and the Python twins return identical findings.

Checked over every fixture, every corpus file and 500 random graphs. Real OPA is the oracle.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guardrails.api import ScanOptions, build_input
from guardrails.catalog import Catalog
from guardrails.engines import scoped
from guardrails.engines.findings import canonical
from guardrails.engines.python import PythonEngine
from guardrails.engines.rego import RegoEngine, backend_available
from guardrails.enrich.tags import DEFAULT_TAG_ALIASES, alias_table, canonical_tags
from guardrails.errors import InputError
from tests.conftest import FIXTURES, FUZZ_LONG, FUZZ_SCALE
from tests.sweep import Sweep, engines, finding_rows, policy_case_verdict, real_inputs

pytestmark = pytest.mark.skipif(
    not (backend_available("opa") and backend_available("regopy")),
    reason="parity needs both opa-golib-python-bindings and regopy (.ci/run installs both)",
)


def _setup() -> tuple[Catalog, dict[str, Any], RegoEngine, RegoEngine, PythonEngine]:
    return engines()


def assert_parity(doc: dict[str, Any], config: dict[str, Any] | None = None) -> int:
    catalog, defaults, opa, regopy, python = _setup()
    config = config if config is not None else defaults
    oracle = canonical(opa.evaluate(doc, config, catalog))
    assert canonical(regopy.evaluate(doc, config, catalog)) == oracle, "regopy differs from OPA"
    assert canonical(python.evaluate(doc, config, catalog)) == oracle, "python differs from OPA"
    return len(oracle)


def _one_batch(doc: dict[str, Any]) -> bool:
    """Whether the default batch bounds hold the whole document in one batch (one query)."""
    resources = doc.get("resources") or []
    return (
        len(resources) <= scoped.BATCH_RESOURCES
        and len(json.dumps(resources)) <= scoped.BATCH_BYTES  # batches count compact JSON
    )


@pytest.mark.parametrize("path", real_inputs())
def test_real_input_sweep(path: str, sweep: Sweep, monkeypatch: pytest.MonkeyPatch) -> None:
    """One pass per fixture and corpus input: its policy case's verdict, the same findings on
    real OPA (the oracle), regopy and the Python twins, and on OPA the same findings when every
    resource is its own batch (a policy that secretly reads a second resource would differ).

    The policy cases' other engines and batch sizes need no run of their own: this implies them.
    """
    try:
        doc, config = sweep.input(path)
    except InputError:
        return  # malformed corpus files are covered by the parser tests
    catalog, defaults, opa, regopy, python = _setup()
    config = config if config is not None else defaults
    oracle = sweep.oracle(path)
    expected = canonical(oracle)
    assert canonical(regopy.evaluate(doc, config, catalog)) == expected, "regopy differs from OPA"
    assert canonical(python.evaluate(doc, config, catalog)) == expected, "python differs from OPA"
    verdict = policy_case_verdict(path)
    if verdict is not None:
        policy_id, kind = verdict
        assert bool(oracle.get(policy_id)) == (kind == "deny"), f"{policy_id} should {kind}"
    if "/fixtures/" in path:
        with monkeypatch.context() as patch:
            if _one_batch(doc):  # the oracle's evaluation was the whole document's already
                whole = finding_rows(oracle)
            else:
                patch.setattr(scoped, "BATCH_BYTES", 1 << 40)
                whole = finding_rows(opa.evaluate(doc, config, catalog))
            patch.setattr(scoped, "BATCH_BYTES", 1)  # one resource per batch
            assert finding_rows(opa.evaluate(doc, config, catalog)) == whole, (
                "batches of one differ"
            )


def test_real_inputs_produce_findings_from_every_policy(sweep: Sweep) -> None:
    catalog = _setup()[0]
    seen: set[str] = set()
    for path in real_inputs():
        try:
            found = sweep.oracle(path)
        except InputError:
            continue
        seen |= {pid for pid, items in found.items() if items}
    assert seen == set(catalog.policies), f"never triggered: {set(catalog.policies) - seen}"


# ---- random graphs ---------------------------------------------------------------------------

_word = st.sampled_from(
    [
        "a",
        "b",
        "prod",
        "dev",
        "staging",
        "Production",
        "training",
        "inference",
        "x-1",
        "cc-42",
        "spot",
        "on-demand",
    ]
)
_TAG_TABLE = alias_table(DEFAULT_TAG_ALIASES)
_labels = st.dictionaries(
    st.sampled_from(["owner", "team", "cost-center", "environment", "workload", "Name"]),
    _word,
    max_size=5,
)
_num = st.one_of(st.none(), st.integers(-1, 70000), st.sampled_from(["22", "8000-9000", "*", "x"]))
_image = st.sampled_from(
    [
        None,
        "nginx",
        "nginx:latest",
        "nginx:1.27",
        "host:5000/app",
        "ghcr.io/a/b@sha256:abc",
        "repo/app:",
    ]
)
_sc = st.fixed_dictionaries(
    {},
    optional={
        "privileged": st.booleans(),
        "allowPrivilegeEscalation": st.booleans(),
        "runAsNonRoot": st.booleans(),
        "runAsUser": st.sampled_from([0, 1000, None]),
        "capabilities": st.fixed_dictionaries(
            {
                "add": st.lists(
                    st.sampled_from(["SYS_ADMIN", "NET_ADMIN", "ALL", "sys_admin"]), max_size=2
                )
            }
        ),
    },
)
_quantities = st.dictionaries(
    st.sampled_from(["nvidia.com/gpu", "amd.com/gpu", "cpu", "memory", "google.com/tpu"]),
    st.sampled_from(["1", "2", "0"]),
    max_size=3,
)
_container = st.fixed_dictionaries(
    {
        "name": st.sampled_from(["main", "side", "init"]),
        "image": _image,
        "init": st.booleans(),
        "resources": st.fixed_dictionaries({"requests": _quantities, "limits": _quantities}),
        "security_context": _sc,
        "ports": st.just([]),
    }
)
_template = st.fixed_dictionaries(
    {
        "role": st.sampled_from(["pod", "head", "Worker"]),
        "replicas": st.fixed_dictionaries(
            {
                "desired": st.one_of(st.none(), st.integers(0, 5)),
                "max": st.one_of(st.none(), st.integers(0, 50)),
            }
        ),
        "containers": st.lists(_container, max_size=3),
        "node_selector": st.dictionaries(
            st.sampled_from(["karpenter.sh/capacity-type", "zone"]), _word, max_size=1
        ),
        "affinity": st.just({}),
        "tolerations": st.lists(
            st.fixed_dictionaries(
                {
                    "key": st.sampled_from(
                        [
                            "kubernetes.azure.com/scalesetpriority",
                            "cloud.google.com/gke-spot",
                            "dedicated",
                        ]
                    )
                }
            ),
            max_size=2,
        ),
        "volumes": st.lists(
            st.sampled_from(
                [
                    {"name": "d", "hostPath": {"path": "/"}},
                    {"name": "c", "persistentVolumeClaim": {"claimName": "c"}},
                    {"name": "e", "emptyDir": {}},
                ]
            ),
            max_size=2,
        ),
        "security_context": _sc,
        "host_network": st.booleans(),
        "host_pid": st.booleans(),
        "host_ipc": st.booleans(),
        "termination_grace_period_seconds": st.one_of(st.none(), st.integers(0, 120)),
        "annotations": st.dictionaries(st.sampled_from(["checkpoint-dir", "x"]), _word, max_size=1),
        "labels": st.just({}),
        "restart_policy": st.none(),
        "service_account": st.none(),
        "backoff_limit": st.one_of(st.none(), st.integers(0, 6)),
    }
)
# Enrichment rounds money to cents, so graphs do too (regopy cannot print denormal floats).
_money = st.one_of(
    st.floats(0, 500000, allow_nan=False).map(lambda x: round(x, 2)), st.integers(0, 500000)
)
_facts = st.fixed_dictionaries(
    {
        "environment": st.sampled_from(["dev", "staging", "prod", "unknown"]),
        "workload_class": st.sampled_from(
            ["training", "inference", "batch", "notebook", "unknown"]
        ),
        "taggable": st.booleans(),
        "is_gpu": st.booleans(),
        "gpu": st.one_of(
            st.none(),
            st.fixed_dictionaries(
                {
                    "model": st.sampled_from([None, "T4", "H100", "A100", "a10g"]),
                    "count": st.integers(1, 8),
                }
            ),
        ),
        "instance_type": st.sampled_from([None, "g5.xlarge"]),
        "capacity": st.sampled_from(["spot", "on-demand", "unknown"]),
        "capacity_attribute": st.sampled_from([None, "capacity_type"]),
        "autoscaling": st.fixed_dictionaries(
            {
                "enabled": st.booleans(),
                "max": st.one_of(st.none(), st.integers(0, 60)),
                "explicit_max": st.booleans(),
                "attribute": st.sampled_from(["max_size", "spec.limits"]),
            }
        ),
        "priced": st.booleans(),
        "price_unknown": st.one_of(
            st.none(),
            st.fixed_dictionaries(
                {
                    "reason": st.just("x is not in the GPU catalog"),
                    "attribute": st.sampled_from([None, "instance_type"]),
                }
            ),
        ),
        "monthly_usd": st.fixed_dictionaries({"desired": _money, "max": _money}),
        "monthly_usd_display": st.fixed_dictionaries(
            {"desired": st.just("$1"), "max": st.just("$2")}
        ),
        "spot_saving_monthly_display": st.sampled_from([None, "$1,234"]),
        # GR-INPUT-001: a string is reported, any other value is not.
        "accelerator_unknown": st.sampled_from([None, None, "names an accelerator at spec", 5]),
        # GR-COST-001/008 and GR-SPOT-001 append the assumption a price rests on.
        "price_assumption": st.one_of(
            st.none(),
            st.fixed_dictionaries(
                {
                    "display": st.sampled_from(
                        [
                            None,
                            "assumed $1.01/GPU-hour",
                            "assumed AWS price, p5.48xlarge at $6.88/GPU-hour: nothing names "
                            "the cloud",
                        ]
                    )
                }
            ),
        ),
    }
)
_attributes = st.fixed_dictionaries(
    {},
    optional={
        "acl": st.sampled_from(["private", "public-read", "authenticated-read"]),
        "bucket": st.sampled_from(["b1", "b2"]),
        "encrypted": st.sampled_from([True, False, None]),
        "storage_encrypted": st.booleans(),
        "associate_public_ip_address": st.booleans(),
        "metadata_options": st.lists(
            st.fixed_dictionaries({"http_tokens": st.sampled_from(["required", "optional", None])}),
            max_size=1,
        ),
        "ingress": st.lists(
            st.fixed_dictionaries(
                {
                    "from_port": _num,
                    "to_port": _num,
                    "protocol": st.sampled_from(["tcp", "-1"]),
                    "cidr_blocks": st.lists(
                        st.sampled_from(["0.0.0.0/0", "10.0.0.0/8"]), max_size=2
                    ),
                }
            ),
            max_size=2,
        ),
        "source_ranges": st.lists(st.sampled_from(["0.0.0.0/0", "10.0.0.0/8"]), max_size=2),
        "allow": st.lists(
            st.fixed_dictionaries(
                {"ports": st.lists(_num.filter(lambda v: isinstance(v, str)), max_size=2)}
            ),
            max_size=2,
        ),
        "capacity_type": st.sampled_from(["SPOT", "ON_DEMAND"]),
        "instance_types": st.lists(st.sampled_from(["g5.xlarge", "g5.2xlarge"]), max_size=3),
        "member": st.sampled_from(["allUsers", "user:a@b.c"]),
        "eviction_policy": st.sampled_from(["Delete", None]),
        "spec": st.fixed_dictionaries(
            {
                "type": st.sampled_from(["LoadBalancer", "ClusterIP"]),
                "ports": st.lists(
                    st.fixed_dictionaries(
                        {"port": st.sampled_from([80, 8265, 8888])},
                        optional={"targetPort": st.sampled_from([10001, 8080, 8888.0, "http"])},
                    ),
                    max_size=2,
                ),
            }
        ),
    },
)
_types = st.sampled_from(
    [
        "aws_instance",
        "aws_s3_bucket",
        "aws_s3_bucket_acl",
        "aws_s3_bucket_public_access_block",
        "aws_ebs_volume",
        "aws_db_instance",
        "aws_security_group",
        "aws_launch_template",
        "aws_eks_node_group",
        "aws_autoscaling_group",
        "google_compute_firewall",
        "google_storage_bucket_iam_member",
        "google_compute_instance",
        "Deployment",
        "Job",
        "PyTorchJob",
        "Service",
        "RayCluster",
        "NodePool",
    ]
)


_pool = st.fixed_dictionaries(
    {
        "name": st.sampled_from(["team=research", "team=unattributed", "model=llama"]),
        "budget": st.one_of(st.none(), st.sampled_from([0, 5000, 40000])),
        "warn_at": st.one_of(st.none(), st.sampled_from([0, 4000, 32000])),
        "warn_percent_display": st.just("80%"),
        "percent_used": st.integers(0, 300),
        "monthly_usd_after": _money,
        "monthly_usd_before_display": st.just("$1"),
        "monthly_usd_after_display": st.just("$2"),
        "monthly_usd_delta_display": st.just("+$1"),
        "budget_display": st.just("$40,000"),
        "over_display": st.just("$3"),
        "unpriced": st.integers(0, 2),
        "unpriced_addresses": st.lists(st.sampled_from(["a.b", "Job/x"]), max_size=2),
        "top_contributors_display": st.sampled_from(["", "a.b ($1)"]),
        "caveats_display": st.sampled_from(
            ["", "; $1 of the $2 is priced at an assumed $1.01/GPU-hour, not a catalog price"]
        ),
    }
)


@st.composite
def graphs(draw: st.DrawFn) -> dict[str, Any]:
    count = draw(st.integers(0, 6))
    resources = []
    for index in range(count):
        rtype = draw(_types)
        workload = draw(
            st.one_of(
                st.none(), st.fixed_dictionaries({"pod_templates": st.lists(_template, max_size=2)})
            )
        )
        resources.append(
            {
                "id": f"g#{rtype}.r{index}",
                "address": f"{rtype}.r{index}",
                "source_format": "terraform-plan",
                "provider": "aws",
                "type": rtype,
                "name": f"r{index}",
                "mode": draw(st.sampled_from(["managed", "managed", "data"])),
                "module": None,
                "namespace": None,
                "action": draw(st.sampled_from(["create", "update", "delete", "apply", "no-op"])),
                "attributes": draw(_attributes),
                "before": None,
                "unknown": sorted(
                    draw(
                        st.sets(
                            st.sampled_from(
                                [
                                    "tags",
                                    "acl",
                                    "max_size",
                                    "instance_type",
                                    "metadata_options",
                                    "metadata_options.0.http_tokens",
                                    "associate_public_ip_address",
                                    "encrypted",
                                ]
                            ),
                            max_size=2,
                        )
                    )
                ),
                "labels": draw(_labels),
                "location": None,
                "workload": workload,
                "facts": draw(_facts),
                "unevaluated": draw(st.sampled_from([None, None, None, "module not expanded"])),
            }
        )
    ids = [r["id"] for r in resources]
    edges = (
        [
            {
                "from": a,
                "to": b,
                "kind": draw(st.sampled_from(["references", "selects", "depends_on"])),
            }
            for a, b in draw(
                st.lists(st.tuples(st.sampled_from(ids), st.sampled_from(ids)), max_size=3)
            )
        ]
        if ids
        else []
    )
    by_id = {r["id"]: r for r in resources}
    for r in resources:
        # What enrichment gives every resource (the typed contract, guardrails.model.contract):
        # tags by the one key rule, and ray_auth (null for anything but Ray and its Services).
        r["facts"]["tags"], r["facts"]["tag_keys"] = canonical_tags(r["labels"], _TAG_TABLE)
        r["facts"]["ray_auth"] = None
    for r in resources:  # what enrichment derives from the edges
        r["facts"]["neighbors"] = {
            "in": [
                {"kind": e["kind"], "id": e["from"], "type": by_id[e["from"]]["type"]}
                for e in edges
                if e["to"] == r["id"]
            ],
            "out": [
                {"kind": e["kind"], "id": e["to"], "type": by_id[e["to"]]["type"]}
                for e in edges
                if e["from"] == r["id"]
            ],
        }
    delta = draw(_money)
    summary = {
        "cost": {
            "monthly_usd_before": 0,
            "monthly_usd_after": delta,
            "monthly_usd_delta": delta,
            "monthly_usd_before_display": "$0",
            "monthly_usd_after_display": "$9",
            "monthly_usd_delta_display": "+$9",
            "top_contributors": [
                {
                    "resource": i,
                    "address": i,
                    "monthly_usd_delta": 1,
                    "monthly_usd_delta_display": "+$1",
                }
                for i in ids[:2]
            ],
        }
    }
    summary["budgets"] = {"warn_at_percent": 80, "pools": draw(st.lists(_pool, max_size=3))}
    return {"version": 1, "inputs": [], "resources": resources, "edges": edges, "summary": summary}


@settings(
    max_examples=500 * FUZZ_SCALE,
    deadline=None,
    derandomize=not FUZZ_LONG,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(doc=graphs())
def test_parity_on_random_graphs(doc: dict[str, Any]) -> None:
    assert_parity(doc)


# ---- GR-COST-006 on any JSON where its settings live ---------------------------------------

_IDLE_CASES = FIXTURES / "policies" / "GR-COST-006"
_ODD_VALUES: list[Any] = [
    ["x"],
    "s",
    5,
    None,
    [5, {"a": 1}],
    {"idle-timeout-seconds": 1e20},
    {"idle-timeout-seconds": "0x10"},
    {"idle-timeout-seconds": True},
    '{"idleTimeBeforeShutdown": 5}',
    "NaN",
]
#: (case file, resource type prefix, attribute path to replace)
_IDLE_SLOTS = [
    ("deny_workbench_gpu_idle_timeout_a_week.json", "google_workbench", ["gce_setup", 0, "metadata"]),
    ("deny_workbench_gpu_idle_timeout_a_week.json", "google_workbench", ["gce_setup"]),
    ("deny_sagemaker_domain_idle_timeout_a_week.json", "aws_sagemaker", ["default_user_settings"]),
    ("deny_databricks_gpu_cluster_never_terminates.json", "databricks", ["spark_version"]),
    ("allow_azure_ml_gpu_compute_instance_idle_shutdown_via_azapi.tf", "azapi", ["body"]),
    ("allow_azure_ml_gpu_compute_instance_idle_shutdown_via_azapi.tf", "azapi", ["type"]),
    ("allow_gpu_notebook_with_culling_controller.yaml", "Deployment",
     ["spec", "template", "spec", "containers"]),
]  # fmt: skip


@pytest.mark.parametrize(("case", "prefix", "path"), _IDLE_SLOTS)
def test_idle_shutdown_policy_agrees_on_malformed_settings(
    case: str, prefix: str, path: list[Any]
) -> None:
    """Odd JSON where a setting is read gives the same findings on OPA, regopy and Python
    (no engine error: OPA stops on object.get over a non-object, regopy wraps huge ints)."""
    base = build_input([str(_IDLE_CASES / case)], ScanOptions(no_config=True))
    for value in _ODD_VALUES:
        doc = json.loads(json.dumps(base))
        for r in doc["resources"]:
            if r["type"].startswith(prefix):
                target = r["attributes"]
                for step in path[:-1]:
                    target = target[step]
                target[path[-1]] = value
        assert_parity(doc)


# ---- membership tests on values of any JSON type -----------------------------------------

#: One resource per place a twin asks "is this value one of ..."; each value is then replaced
#: by JSON of other types (Python raised on lists and objects, "unhashable type").
_MEMBERSHIP_PLAN = {
    "format_version": "1.2",
    "resource_changes": [
        {
            "address": f"{rtype}.x",
            "type": rtype,
            "name": "x",
            "change": {"actions": ["create"], "after": after},
        }
        for rtype, after in [
            ("aws_s3_bucket", {"bucket": "b", "acl": "public-read"}),
            ("aws_s3_bucket_public_access_block", {"bucket": "b"}),
            ("aws_vpc_security_group_ingress_rule", {"cidr_ipv4": "0.0.0.0/0", "from_port": 22}),
            (
                "google_compute_firewall",
                {"source_ranges": ["0.0.0.0/0"], "allow": [{"ports": ["22"]}]},
            ),
            (
                "azurerm_network_security_rule",
                {
                    "direction": "Inbound",
                    "access": "Allow",
                    "source_address_prefix": "*",
                    "destination_port_range": "22",
                },
            ),
            ("google_storage_bucket_iam_binding", {"members": ["allUsers"]}),
        ]
    ],
}
_MEMBERSHIP_SLOTS = [
    ("aws_s3_bucket", ["acl"]),
    ("aws_s3_bucket", ["bucket"]),
    ("aws_vpc_security_group_ingress_rule", ["cidr_ipv4"]),
    ("google_compute_firewall", ["source_ranges", 0]),
    ("azurerm_network_security_rule", ["source_address_prefix"]),
    ("google_storage_bucket_iam_binding", ["members", 0]),
]
_OTHER_TYPES: list[Any] = [[], ["0.0.0.0/0"], {}, {"a": "allUsers"}, 5, None]


#: The same in policy cases, and where a policy reads inside a block of any type (the Rego
#: engine stopped with an object.get/concat type error): (case, resource type, path).
_CASE_SLOTS = [
    ("GR-SEC-003/deny_ssh_open.json", "aws_security_group", ["ingress", 0]),
    ("GR-SEC-004/deny_imdsv1_optional.json", "aws_instance", ["metadata_options", 0]),
    ("GR-SEC-005/deny_privileged_host_pid.yaml", "Pod", ["spec", "volumes", 0, "name"]),
    (
        "GR-SEC-005/deny_privileged_host_pid.yaml",
        "Pod",
        ["spec", "volumes", 0, "hostPath", "path"],
    ),
    (
        "GR-COST-009/deny_kueue_clusterqueue_gpu_without_quota.yaml",
        "ClusterQueue",
        ["spec", "resourceGroups", 0],
    ),
    (
        "GR-COST-009/deny_kueue_clusterqueue_gpu_without_quota.yaml",
        "ClusterQueue",
        ["spec", "resourceGroups", 0, "flavors", 0],
    ),
    (
        "GR-SPOT-002/deny_prod_inference_tolerates_spot.yaml",
        "Deployment",
        ["spec", "template", "spec", "tolerations", 0, "key"],
    ),
    (
        "GR-COST-009/deny_kueue_clusterqueue_gpu_without_quota.yaml",
        "ClusterQueue",
        ["spec", "resourceGroups", 0, "coveredResources", 2],
    ),
]


@pytest.mark.parametrize(
    ("case", "rtype", "path"),
    [(None, rtype, path) for rtype, path in _MEMBERSHIP_SLOTS] + _CASE_SLOTS,
)
def test_engines_agree_on_values_of_any_type(
    case: str | None, rtype: str, path: list[Any], tmp_path: Path
) -> None:
    source = tmp_path / "plan.json"
    if case is None:
        source.write_text(json.dumps(_MEMBERSHIP_PLAN))
    else:
        source = FIXTURES / "policies" / case
    base = build_input([str(source)], ScanOptions(no_config=True))
    assert assert_parity(base) > 0  # the input as written is judged (the slots are read)
    for value in _OTHER_TYPES:
        doc = json.loads(json.dumps(base))
        target = next(r for r in doc["resources"] if r["type"] == rtype)["attributes"]
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value
        assert_parity(doc)
