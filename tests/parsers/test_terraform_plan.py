"""Terraform plan/state JSON → graph: actions, modules, unknowns, secrets, edges, locations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from guardrails.model import REDACTED, Action, EdgeKind, Graph
from guardrails.parsers import ParseOptions, parse_paths, parse_text
from tests.conftest import CORPUS, FIXTURES, requires_corpus

PLAN = FIXTURES / "terraform-plan" / "gpu_training" / "plan.json"


@pytest.fixture(scope="module")
def graph() -> Graph:
    return parse_paths([str(PLAN)])


def by_address(g: Graph) -> dict[str, object]:
    return {r.address: r for r in g.resources}


@pytest.mark.parametrize(
    ("address", "action", "mode", "module"),
    [
        ("module.gpu.aws_instance.trainer[0]", Action.CREATE, "managed", "module.gpu"),
        ("module.gpu.aws_instance.trainer[1]", Action.CREATE, "managed", "module.gpu"),
        ("module.gpu.aws_subnet.training", Action.NO_OP, "managed", "module.gpu"),
        ("aws_s3_bucket.checkpoints", Action.UPDATE, "managed", None),
        ("aws_db_instance.metadata", Action.CREATE, "managed", None),
        ("aws_instance.notebook", Action.REPLACE, "managed", None),
        ("data.aws_ami.dlami", Action.READ, "data", None),
        ("module.gpu", Action.NO_OP, "module", None),
    ],
)
def test_actions_modes_and_modules(
    graph: Graph, address: str, action: Action, mode: str, module: str | None
) -> None:
    r = {r.address: r for r in graph.resources}[address]
    assert (r.action, r.mode, r.module) == (action, mode, module)
    assert r.provider == ("terraform" if mode == "module" else "aws")


def test_unknown_paths_from_after_unknown(graph: Graph) -> None:
    r = {r.address: r for r in graph.resources}["module.gpu.aws_instance.trainer[0]"]
    assert {
        "ami",
        "subnet_id",
        "public_ip",
        "id",
        "instance_market_options.0.spot_options",
    } <= r.unknown
    assert r.attributes["instance_type"] == "p4d.24xlarge"


def test_sensitive_values_are_redacted_everywhere(graph: Graph) -> None:
    text = json.dumps(graph.to_input())
    for secret in ("correct-horse-battery-staple", "hf_supersecret_token_123", "hf_old_secret_456"):
        assert secret not in text
    r = {r.address: r for r in graph.resources}
    assert r["aws_db_instance.metadata"].attributes["password"] == REDACTED
    assert r["aws_instance.notebook"].before is not None
    assert r["aws_instance.notebook"].before["user_data"] == REDACTED


_SHARED = {"a": 1, "b": [{"c": "x"}]}


@pytest.mark.parametrize(
    ("values", "marks", "expected", "same_object"),
    [
        (_SHARED, {}, _SHARED, True),
        (_SHARED, False, _SHARED, True),
        (_SHARED, {"a": False, "b": [{}]}, _SHARED, False),
        (_SHARED, {"b": []}, _SHARED, True),
        ({"a": 1, "p": "s"}, {"p": True}, {"a": 1, "p": REDACTED}, False),
        ({"l": ["x", "y", "z"]}, {"l": [False, True]}, {"l": ["x", REDACTED, "z"]}, False),
        ({"n": {"k": "s", "m": 2}}, {"n": {"k": True}}, {"n": {"k": REDACTED, "m": 2}}, False),
        ({"none": None}, {"none": True}, {"none": None}, False),
        ({"a": 1}, {"gone": True}, {"a": 1}, True),
        ("s", True, REDACTED, False),
    ],
)
def test_redact_replaces_marked_values_and_copies_only_where_marked(
    values: object, marks: object, expected: object, same_object: bool
) -> None:
    """Unmarked values are the parsed document's own (copying every value of a 10k-resource
    plan was 0.7 s of a profiled run); a marked one is replaced in a copy, never in place."""
    from guardrails.parsers.terraform_values import redact_marked as _redact

    original = json.dumps(values)
    result = _redact(values, marks)
    assert result == expected
    assert (result is values) is same_object
    assert json.dumps(values) == original


def test_labels_from_tags(graph: Graph) -> None:
    r = {r.address: r for r in graph.resources}
    assert r["module.gpu.aws_instance.trainer[0]"].labels["workload"] == "training"
    assert r["aws_s3_bucket.checkpoints"].labels["cost-center"] == "cc-1234"
    assert r["aws_s3_bucket.checkpoints"].before == {
        "bucket": "ml-checkpoints",
        "tags": {"owner": "ml-platform"},
    }


def test_edges_follow_configuration_and_module_outputs(graph: Graph) -> None:
    ids = {r.id: r.address for r in graph.resources}
    edges = {(ids[e.source], e.kind, ids[e.target]) for e in graph.edges}
    assert ("aws_db_instance.metadata", EdgeKind.DEPENDS_ON, "aws_s3_bucket.checkpoints") in edges
    assert ("aws_instance.notebook", EdgeKind.REFERENCES, "data.aws_ami.dlami") in edges
    # module.gpu.subnet_id is an output whose expression points at the subnet inside the module
    assert ("aws_instance.notebook", EdgeKind.REFERENCES, "module.gpu.aws_subnet.training") in edges
    assert (
        "module.gpu.aws_instance.trainer[1]",
        EdgeKind.REFERENCES,
        "module.gpu.aws_subnet.training",
    ) in edges
    assert ("module.gpu.aws_instance.trainer[0]", EdgeKind.PARENT, "module.gpu") in edges


@pytest.mark.parametrize(
    ("address", "file", "line"),
    [
        ("aws_s3_bucket.checkpoints", "main.tf", 17),
        ("data.aws_ami.dlami", "main.tf", 6),
        ("module.gpu", "main.tf", 11),
        ("module.gpu.aws_instance.trainer[0]", "modules/gpu/main.tf", 9),
        ("module.gpu.aws_subnet.training", "modules/gpu/main.tf", 4),
    ],
)
def test_locations_map_to_hcl(graph: Graph, address: str, file: str, line: int) -> None:
    r = {r.address: r for r in graph.resources}[address]
    assert r.location is not None
    assert r.location.file == str(PLAN.parent / file)
    assert r.location.line == line


def test_explicit_source_root_for_stdin() -> None:
    g = parse_text("<stdin>", PLAN.read_text(), ParseOptions(source_root=PLAN.parent))
    r = {r.address: r for r in g.resources}["aws_db_instance.metadata"]
    assert r.location is not None and r.location.line == 27


def test_without_sources_location_is_the_plan_file() -> None:
    g = parse_text("<stdin>", PLAN.read_text())
    assert all(r.location is not None and r.location.file == "<stdin>" for r in g.resources)


@requires_corpus
@pytest.mark.parametrize(
    ("corpus_file", "resources", "actions"),
    [
        ("infracost__terraform_v0.14_plan.json", 38, {"create": 12, "no-op": 25, "update": 1}),
        ("infracost__terraform_v0.12_plan.json", 38, {"create": 12, "no-op": 25, "update": 1}),
        ("checkov__plan_root_module_resources_no_values_tfplan.json", 2, {"create": 1, "read": 1}),
        ("trivy__plan_no_resource_changes.json", 1, {"no-op": 1}),
        ("infracost__instance_with_attachment_after_deploy.json", 4, {"no-op": 4}),
    ],
)
def test_corpus_plans(corpus_file: str, resources: int, actions: dict[str, int]) -> None:
    g = parse_paths([str(CORPUS / "terraform-plan" / corpus_file)])
    assert len(g.resources) == resources
    counted: dict[str, int] = {}
    for r in g.resources:
        counted[r.action.value] = counted.get(r.action.value, 0) + 1
    assert counted == actions


@requires_corpus
def test_nested_module_parents_in_real_plan() -> None:
    g = parse_paths(
        [
            str(
                CORPUS
                / "terraform-plan"
                / "checkov__plan_nested_child_modules_with_connections_tfplan.json"
            )
        ]
    )
    ids = {r.id: r.address for r in g.resources}
    parents = {(ids[e.source], ids[e.target]) for e in g.edges if e.kind == EdgeKind.PARENT}
    assert ("module.s3_module.module.s3_submodule", "module.s3_module") in parents
    assert (
        "module.s3_module.module.s3_submodule.aws_s3_bucket.submodule_bucket",
        "module.s3_module.module.s3_submodule",
    ) in parents
    refs = {(ids[e.source], ids[e.target]) for e in g.edges if e.kind == EdgeKind.REFERENCES}
    assert ("aws_s3_bucket_public_access_block.root", "aws_s3_bucket.root_bucket") in refs


@requires_corpus
def test_unknown_guest_accelerator_in_real_plan() -> None:
    g = parse_paths(
        [
            str(
                CORPUS
                / "terraform-plan"
                / "terraform-validator__example_container_cluster.tfplan.json"
            )
        ]
    )
    pool = next(r for r in g.resources if r.type == "google_container_node_pool")
    assert any(p.startswith("node_config.0.guest_accelerator") for p in pool.unknown)


def test_state_json(tmp_path: Path) -> None:
    state = {
        "format_version": "1.0",
        "terraform_version": "1.5.0",
        "values": {
            "root_module": {
                "resources": [
                    {
                        "address": "aws_instance.a",
                        "mode": "managed",
                        "type": "aws_instance",
                        "name": "a",
                        "provider_name": "registry.terraform.io/hashicorp/aws",
                        "values": {"instance_type": "g5.xlarge", "password": "pw-123"},
                        "sensitive_values": {"password": True},
                    },
                ],
                "child_modules": [
                    {
                        "address": "module.m",
                        "resources": [
                            {
                                "address": "module.m.aws_s3_bucket.b",
                                "mode": "managed",
                                "type": "aws_s3_bucket",
                                "name": "b",
                                "provider_name": "registry.terraform.io/hashicorp/aws",
                                "values": {"bucket": "x"},
                            },
                        ],
                    }
                ],
            }
        },
    }
    f = tmp_path / "state.json"
    f.write_text(json.dumps(state))
    g = parse_paths([str(f)])
    assert g.inputs[0].format == "terraform-state"
    r = {r.address: r for r in g.resources}
    assert r["aws_instance.a"].attributes["password"] == REDACTED
    assert r["aws_instance.a"].action == Action.NO_OP
    assert r["module.m.aws_s3_bucket.b"].module == "module.m"
    assert "pw-123" not in json.dumps(g.to_input())
