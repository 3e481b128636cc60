"""Terraform HCL evaluated like a plan: modules, locals, tfvars, count/for_each (issue #8)."""

from __future__ import annotations

from pathlib import Path

import pytest

from guardrails.api import ScanOptions, enriched_graph, scan
from guardrails.model import EdgeKind
from guardrails.parsers import ParseOptions, parse_paths, parse_text
from guardrails.parsers.terraform_hcl import budget as hcl_budget
from guardrails.report import REPORTERS
from tests.conftest import FIXTURES

ROOT_MODULE = FIXTURES / "terraform-hcl" / "gpu_module_root"
REGISTRY = FIXTURES / "terraform-hcl" / "registry_module"
PLAN_DIR = FIXTURES / "terraform-plan" / "gpu_training"
UNKNOWN_COUNT = FIXTURES / "terraform-hcl" / "unknown_count"


def by_address(*paths: Path, options: ParseOptions | None = None) -> dict[str, object]:
    return {r.address: r for r in parse_paths([str(p) for p in paths], options)}


def test_local_module_resources_get_plan_addresses_and_lines_inside_the_module() -> None:
    found = by_address(ROOT_MODULE)
    module_file = str(ROOT_MODULE / "modules" / "gpu_pool" / "main.tf")
    for address in (
        "module.training.aws_instance.gpu[0]",
        "module.training.aws_instance.gpu[1]",
        'module.inference["chat"].aws_instance.gpu[0]',
        'module.inference["vision"].aws_instance.gpu[0]',
    ):
        resource = found[address]
        assert resource.location.file == module_file and resource.location.line == 25
    assert found["module.training.module.labels.aws_ssm_parameter.pool"].location.line == 9
    # The module directory is evaluated through its calls only, not again as a root of its own.
    assert "aws_instance.gpu" not in found and "aws_instance.gpu[0]" not in found


def test_arguments_tfvars_and_auto_tfvars_reach_the_module() -> None:
    found = by_address(ROOT_MODULE)
    # terraform.tfvars overrides the default g5.xlarge; serving.auto.tfvars gives the pools.
    assert (
        found["module.training.aws_instance.gpu[0]"].attributes["instance_type"] == "p4d.24xlarge"
    )
    assert found['module.inference["chat"].aws_instance.gpu[0]'].attributes["instance_type"] == (
        "g5.2xlarge"
    )
    assert found['module.inference["vision"].aws_instance.gpu[0]'].attributes["instance_type"] == (
        "g6.xlarge"
    )


def test_var_file_wins_over_tfvars(tmp_path: Path) -> None:
    var_file = tmp_path / "prod.tfvars"
    var_file.write_text('trainer_type = "g6.xlarge"\ninference_pools = {}\n')
    found = by_address(ROOT_MODULE, options=ParseOptions(var_files=(str(var_file),)))
    assert found["module.training.aws_instance.gpu[0]"].attributes["instance_type"] == "g6.xlarge"
    assert not any(a.startswith("module.inference[") for a in found)


def test_locals_merge_and_module_outputs_give_known_tag_maps() -> None:
    found = by_address(ROOT_MODULE)
    gpu = found["module.training.aws_instance.gpu[0]"]
    assert gpu.unknown == frozenset()
    assert gpu.labels == {
        "owner": "ml-platform",
        "environment": "dev",
        "team": "ml-research",
        "cost-center": "cc-1234",
        "workload": "training",
        "Name": "training",
    }


def test_module_resources_have_parent_edges_to_their_call() -> None:
    graph = parse_paths([str(ROOT_MODULE)])
    parents = {
        (e.source.split("#")[1], e.target.split("#")[1])
        for e in graph.edges
        if e.kind == EdgeKind.PARENT
    }
    assert ("module.training.aws_instance.gpu[0]", "module.training") in parents
    assert ('module.inference["chat"].aws_instance.gpu[0]', "module.inference") in parents
    assert ("module.training.module.labels", "module.training") in parents


def test_root_module_check_reports_findings_inside_the_module_with_file_and_line() -> None:
    report = scan([str(ROOT_MODULE)], ScanOptions(no_config=True, engine="python"))
    cost = [
        f
        for f in report.findings
        if f.policy == "GR-COST-003" and f.resource == "module.training.aws_instance.gpu[0]"
    ]
    assert cost and cost[0].where.endswith("gpu_module_root/modules/gpu_pool/main.tf:25")
    assert report.cost["monthly_usd_after"] > 30_000


def test_registry_module_expands_from_the_terraform_init_manifest() -> None:
    found = by_address(REGISTRY)
    gpu = found['module.eks.module.eks_managed_node_group["gpu"].aws_eks_node_group.this']
    assert gpu.attributes["instance_types"] == ["p4d.24xlarge"]
    assert gpu.attributes["scaling_config"] == [{"desired_size": 2, "min_size": 0, "max_size": 4}]
    assert gpu.location.file.endswith(".terraform/modules/eks/modules/node_group/main.tf")
    assert gpu.location.line == 8
    assert found["module.eks"].unevaluated is None


UNINSTALLED = "module.not_initialised"


@pytest.mark.parametrize("name", sorted(REPORTERS))
def test_unexpanded_module_is_unknown_in_every_report_format(name: str) -> None:
    report = scan([str(REGISTRY)], ScanOptions(no_config=True, engine="python"))
    hits = [f for f in report.findings if f.policy == "GR-INPUT-001"]
    assert [f.resource for f in hits] == [UNINSTALLED]
    assert str(hits[0].outcome) == "unknown"
    assert "git::https://example.com/modules/gpu.git?ref=v1" in hits[0].message
    assert "run `terraform init`, or scan the plan" in hits[0].message
    text = REPORTERS[name](report, False)
    assert "GR-INPUT-001" in text
    if name in ("table", "markdown", "json"):
        assert "1 unknown" in text or '"unknown": 1' in text


def test_missing_local_module_and_self_calling_module_are_unevaluated(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'module "gone" {\n  source = "./nowhere"\n}\nmodule "me" {\n  source = "./"\n}\n'
    )
    found = by_address(tmp_path)
    assert "local path that does not exist" in (found["module.gone"].unevaluated or "")
    assert "cycle" in (found["module.me"].unevaluated or "")


def test_single_tf_file_reads_the_variables_of_its_directory() -> None:
    found = by_address(FIXTURES / "terraform-hcl" / "gpu_cluster" / "main.tf")
    template = found["aws_launch_template.trainer"]
    assert template.attributes["instance_type"] == "p4d.24xlarge"  # default in variables.tf
    assert "instance_type" not in template.unknown


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ('merge(local.base, { team = "ml" })', {"owner": "a", "team": "ml"}),
        ('"gpu-${var.env}"', "gpu-dev"),
        ("[for s in local.sizes : upper(s)]", ["A", "B"]),
        ('var.env == "dev" ? 1 : 3', 1),
        ('lookup({ a = "x" }, "a", "y")', "x"),
        ('format("%d%%", 50)', "50%"),
        ('format("%s-%03d %v %q %t %.1f", "a", 7, 2, "q", true, 1.25)', 'a-007 2 "q" true 1.2'),
        ('substr("ml-team", 0, 2)', "ml"),
        ('[for z in ["us-east-1a"] : trimprefix(z, "us-east-")]', ["1a"]),
        ('regexall("^(p|g)", "p4d.24xlarge")', [["p"]]),
        # RE2, as Terraform: linear time where Python's re backtracks for hours (a hang before)
        ('regexall("(a+)+$", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab")', []),
        ('regexall("(a|a)*c", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")', []),
        ('regex("^(?P<family>[a-z]+)(\\d+)", "p4d.24xlarge")', {"family": "p"}),
        ('length(regexall("a", "${join("", [for i in range(3000) : "a"])}"))', 3000),
        ('sort(["b", "a"])', ["a", "b"]),
        ('[basename("/a/b/c"), dirname("/a/b/c")]', ["c", "/a/b"]),
        ('[for x in ["a", "b"] : x][*]', ["a", "b"]),
    ],
)
def test_literal_expressions_evaluate(expression: str, expected: object) -> None:
    text = (
        'variable "env" {\n  default = "dev"\n}\n'
        'locals {\n  base = { owner = "a" }\n  sizes = ["a", "b"]\n}\n'
        f'resource "aws_instance" "x" {{\n  value = {expression}\n}}\n'
    )
    resource = parse_text("x.tf", text).resources[0]
    assert resource.attributes["value"] == expected and not resource.unknown


@pytest.mark.parametrize(
    "expression",
    [
        'join(",", [aws_subnet.a.id, "x"])',  # a string built from an unknown element
        'format("%s", aws_subnet.a.id)',
        'regex("(?=look-ahead)", "x")',  # not RE2 (Terraform refuses it too)
        # gigabytes from a few bytes (2 GB of RSS before): unknown, never built
        'format("%0999999999d", 1)',
        'replace(join("", [for i in range(2000) : "aaaaaaaaaa"]), "", "${join("", range(60))}")',
        'join(join("", [for i in range(2000) : "aaaaaaaaaa"]), range(2000))',
    ],
)
def test_expressions_that_cannot_be_known_are_unknown(expression: str) -> None:
    text = f'resource "aws_instance" "x" {{\n  value = {expression}\n}}\n'
    resource = parse_text("x.tf", text).resources[0]
    assert resource.attributes["value"] is None and "value" in resource.unknown


def test_values_repeated_by_reference_are_not_expanded() -> None:
    """Ten locals, each ten references to the one before, stand for 10^13 characters: the
    report (or ``flatten``) expanded them without end before."""
    chain = [f"  l{i} = [{', '.join([f'local.l{i - 1}'] * 10)}]" for i in range(1, 10)]
    text = (
        'locals {\n  l0 = [for i in range(1000) : "xxxxxxxxxx"]\n' + "\n".join(chain) + "\n}\n"
        'resource "aws_instance" "x" {\n'
        "  tags = { all = local.l9, one = length(local.l1) }\n}\n"
    )
    tags = parse_text("x.tf", text).resources[0].attributes["tags"]
    # l2 (over a million characters) is unknown, so l3 ... l9 hold ten unknowns each
    assert tags == {"all": [None] * 10, "one": 10}


def test_for_expressions_share_one_budget_of_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nested ``for`` multiply: 10,000 x 10,000 iterations took minutes and gigabytes."""
    monkeypatch.setattr(hcl_budget, "MAX_WORK", 1_000)
    text = (
        'resource "aws_instance" "x" {\n'
        "  small = [for a in range(20) : [for b in range(20) : b]]\n"
        "  large = [for a in range(100) : [for b in range(100) : b]]\n}\n"
    )
    attributes = parse_text("x.tf", text).resources[0].attributes
    assert len(attributes["small"]) == 20 and attributes["large"] is None


def test_count_zero_creates_nothing_and_for_each_set_keys_addresses() -> None:
    text = (
        'resource "aws_instance" "off" {\n  count = 0\n}\n'
        'resource "aws_instance" "pool" {\n  for_each = toset(["b", "a"])\n'
        "  instance_type = each.key\n}\n"
    )
    found = {r.address: r for r in parse_text("x.tf", text).resources}
    assert sorted(found) == ['aws_instance.pool["a"]', 'aws_instance.pool["b"]']
    assert found['aws_instance.pool["a"]'].attributes["instance_type"] == "a"


def test_directory_with_plan_and_its_tf_files_counts_each_resource_once() -> None:
    whole = enriched_graph([str(PLAN_DIR)], ScanOptions(no_config=True))
    plan_only = enriched_graph([str(PLAN_DIR / "plan.json")], ScanOptions(no_config=True))
    assert sorted(r.address for r in whole.resources) == sorted(
        r.address for r in plan_only.resources
    )
    assert (
        whole.summary["cost"]["monthly_usd_after"] == plan_only.summary["cost"]["monthly_usd_after"]
    )
    trainer = next(r for r in whole.resources if r.address == "module.gpu.aws_instance.trainer[0]")
    assert trainer.location is not None and trainer.location.file.endswith("modules/gpu/main.tf")


@pytest.mark.parametrize("name", sorted(REPORTERS))
def test_unknown_count_and_for_each_are_unknown_in_every_report_format(name: str) -> None:
    report = scan([str(UNKNOWN_COUNT)], ScanOptions(no_config=True, engine="python"))
    hits = {f.resource: f for f in report.findings if f.policy == "GR-INPUT-001"}
    assert sorted(hits) == ["aws_instance.trainer", "module.serving"]
    trainer, serving = hits["aws_instance.trainer"], hits["module.serving"]
    assert {str(trainer.outcome), str(serving.outcome)} == {"unknown"}
    assert "count = random_integer.replicas.result" in trainer.message
    assert "depends on random_integer.replicas" in trainer.message
    assert "for_each = toset(data.aws_availability_zones.all.names)" in serving.message
    for message in (trainer.message, serving.message):
        assert "the number of instances is unknown" in message
        assert "--var-file" in message and "scan the plan" in message
    text = REPORTERS[name](report, False)
    assert text.count("GR-INPUT-001") >= (1 if name == "markdown" else 2)
    if name in ("table", "markdown", "json"):
        unknowns = report.unknown_count
        assert f"{unknowns} unknown" in text or f'"unknown": {unknowns}' in text


def test_unknown_count_is_not_priced_as_one_instance() -> None:
    report = scan([str(UNKNOWN_COUNT)], ScanOptions(no_config=True, engine="python"))
    unpriced = {r["address"]: r["reason"] for r in report.cost["unpriced_resources"]}
    assert set(unpriced) == {"aws_instance.trainer", "module.serving.aws_instance.server"}
    assert all("number of instances" in reason for reason in unpriced.values())
    assert report.cost["monthly_usd_after"] == 0
    facts = {r.address: r.facts for r in report.graph.resources}
    assert facts["aws_instance.trainer"]["replicas"] == {
        "desired": None,
        "max": None,
        "groups": None,
    }
    # The module call was expanded once as a stand-in: its count is what was not evaluated.
    assert "module not expanded" not in report.cost["coverage_note"]
    assert "2 parts not evaluated" in report.cost["coverage_note"]


EKS_LIKE = FIXTURES / "terraform-hcl" / "eks_node_groups"
NODE_GROUP = 'module.{}.module.node_group["{}"].aws_eks_node_group.this[0]'


def test_registry_eks_like_module_gives_every_gpu_node_group_with_plan_addresses() -> None:
    """optional() attribute defaults, nullable = false, `count = var.create ? 1 : 0`."""
    report = scan([str(EKS_LIKE)], ScanOptions(no_config=True, engine="python"))
    found = {r.address: r for r in report.graph.resources}
    groups = {a for a, r in found.items() if r.type == "aws_eks_node_group"}
    assert groups == {
        NODE_GROUP.format("eks", "gpu"),
        NODE_GROUP.format("eks", "spot"),
        NODE_GROUP.format("eks_west", "inference"),
    }
    gpu = found[NODE_GROUP.format("eks", "gpu")].facts
    assert gpu["instance_type"] == "p4d.24xlarge"
    assert gpu["replicas"] == {"desired": 2, "max": 4, "groups": 2}
    assert gpu["capacity"] == "on-demand"
    assert found[NODE_GROUP.format("eks", "spot")].facts["capacity"] == "spot"
    assert report.cost["monthly_usd_after"] == pytest.approx(33_111, abs=5)
    assert report.cost["unpriced"] == 0


def test_dynamic_blocks_expand_and_provider_default_tags_reach_module_resources() -> None:
    report = scan([str(EKS_LIKE)], ScanOptions(no_config=True, engine="python"))
    found = {r.address: r for r in report.graph.resources}
    template = found['module.eks.module.node_group["gpu"].aws_launch_template.this[0]']
    assert template.attributes["metadata_options"] == [
        {"http_tokens": "required", "http_put_response_hop_limit": 1}
    ]
    policies = {f.policy for f in report.findings}
    assert "GR-SEC-004" not in policies  # IMDSv2 is required through the dynamic block
    assert "GR-TAG-001" not in policies  # owner/team/... come from default_tags
    gpu = found[NODE_GROUP.format("eks", "gpu")].attributes["tags_all"]
    assert gpu["team"] == "ml-research" and gpu["workload"] == "training"
    west = found[NODE_GROUP.format("eks_west", "inference")].attributes["tags_all"]
    assert west["team"] == "inference" and west["owner"] == "serving"
    assert "tags_all" not in found["module.eks.aws_eks_cluster.this[0]"].unknown


@pytest.mark.parametrize(
    ("type_text", "value", "expected"),
    [
        (
            "map(object({a = optional(bool, true), b = optional(list(string))}))",
            {"x": {"b": ["p"]}, "y": {"a": False}},
            {"x": {"a": True, "b": ["p"]}, "y": {"a": False, "b": None}},
        ),
        (
            'object({m = optional(object({t = optional(string, "required")}), {})})',
            {},
            {"m": {"t": "required"}},
        ),
        ("list(number)", ["1", 2], [1, 2]),
        ("string", True, "true"),
        ("any", {"k": 1}, {"k": 1}),
    ],
)
def test_variable_types_fill_optional_attribute_defaults(
    type_text: str, value: object, expected: object
) -> None:
    from guardrails.parsers.terraform_hcl.type_constraints import convert, parse_type

    spec = parse_type("${" + type_text + "}")
    assert spec is not None
    assert convert(value, spec) == expected


def test_configured_attributes_of_other_resources_are_known_and_keep_their_edges() -> None:
    text = (
        'resource "aws_eks_cluster" "ml" {\n  name = "ml"\n}\n'
        'resource "aws_eks_node_group" "gpu" {\n'
        "  cluster_name  = aws_eks_cluster.ml.name\n"
        "  node_role_arn = aws_eks_cluster.ml.arn\n"
        "  depends_on    = [aws_eks_cluster.ml]\n}\n"
    )
    graph = parse_text("eks.tf", text)
    group = next(r for r in graph.resources if r.address == "aws_eks_node_group.gpu")
    assert group.attributes["cluster_name"] == "ml"  # set in the configuration: known
    assert "node_role_arn" in group.unknown  # computed by the provider: after apply
    kinds = {e.kind for e in graph.edges if e.source == group.id}
    assert kinds == {EdgeKind.REFERENCES, EdgeKind.DEPENDS_ON}


def test_path_cwd_is_the_root_module_directory(tmp_path: Path) -> None:
    """terraform-aws-modules examples name everything after ``basename(path.cwd)``."""
    root = tmp_path / "ex_gpu"
    root.mkdir()
    (root / "main.tf").write_text(
        'locals {\n  name = "ex-${replace(basename(path.cwd), "_", "-")}"\n}\n'
        'resource "aws_s3_bucket" "b" {\n  tags = { Test = local.name }\n}\n'
    )
    bucket = by_address(root)["aws_s3_bucket.b"]
    assert bucket.attributes["tags"] == {"Test": "ex-ex-gpu"}  # type: ignore[attr-defined]


def test_a_long_chain_of_resource_references_is_bounded_not_a_crash(tmp_path: Path) -> None:
    """Each resource reads the next: reads nested deeper than the limit are unknown."""
    count = 3000
    blocks = ['resource "aws_s3_bucket" "b0" {\n  bucket = "b0"\n}\n']
    blocks += [
        f'resource "aws_s3_bucket" "b{i}" {{\n  bucket = aws_s3_bucket.b{i - 1}.bucket\n}}\n'
        for i in range(1, count)
    ]
    (tmp_path / "main.tf").write_text("".join(reversed(blocks)))
    found = by_address(tmp_path)
    assert len(found) == count
    assert found["aws_s3_bucket.b1"].attributes["bucket"] == "b0"  # type: ignore[attr-defined]
