"""Terraform HCL: literal attributes, variable defaults, unknown expressions, lines and edges."""

from __future__ import annotations

from typing import Any

import pytest

from guardrails.errors import InputError
from guardrails.model import Graph
from guardrails.parsers import parse_paths, parse_text
from tests.conftest import FIXTURES, ROOT

HCL = FIXTURES / "terraform-hcl" / "gpu_cluster"


def graph() -> Graph:
    return parse_paths([str(HCL)])


def resources() -> dict[str, Any]:
    return {r.address: r for r in graph().resources}


@pytest.mark.parametrize(
    ("address", "mode", "line", "attribute", "value"),
    [
        ("aws_launch_template.trainer", "managed", 10, "instance_type", "p4d.24xlarge"),
        (
            "aws_launch_template.trainer",
            "managed",
            10,
            "instance_market_options",
            [{"market_type": "spot"}],
        ),
        ("aws_autoscaling_group.trainers", "managed", 24, "desired_capacity", 2),
        ("aws_autoscaling_group.trainers", "managed", 24, "max_size", None),
        ("aws_instance.notebook[0]", "managed", 43, "associate_public_ip_address", True),
        ("aws_s3_bucket.checkpoints", "managed", 60, "bucket", "acme-checkpoints"),
        ("data.aws_ami.dlami", "data", 5, "owners", ["amazon"]),
        ("module.vpc", "module", 67, "source", "terraform-aws-modules/vpc/aws"),
    ],
)
def test_attributes_and_lines(
    address: str, mode: str, line: int, attribute: str, value: Any
) -> None:
    resource = resources()[address]
    assert resource.mode == mode
    assert resource.location.line == line
    assert resource.location.file.endswith("main.tf")
    assert resource.attributes[attribute] == value


@pytest.mark.parametrize(
    ("address", "unknown"),
    [
        ("aws_autoscaling_group.trainers", {"launch_template.0.id", "max_size"}),
        ("aws_instance.notebook[0]", {"ami"}),
        ("aws_launch_template.trainer", {"image_id"}),
        ("aws_s3_bucket.checkpoints", set()),
    ],
)
def test_unresolved_expressions_are_unknown(address: str, unknown: set[str]) -> None:
    assert set(resources()[address].unknown) == unknown


def test_labels_take_literal_and_substituted_values_only() -> None:
    found = resources()
    assert found["aws_instance.notebook[0]"].labels == {
        "Name": "notebook-dev",
        "environment": "dev",
        "team": "ml-research",
        "workload": "notebook",
    }
    assert found["aws_autoscaling_group.trainers"].labels == {"team": "ml-research"}


def test_reference_and_depends_on_edges() -> None:
    edges = {(e.source.split("#")[1], str(e.kind), e.target.split("#")[1]) for e in graph().edges}
    assert ("aws_autoscaling_group.trainers", "references", "aws_launch_template.trainer") in edges
    assert ("aws_launch_template.trainer", "references", "data.aws_ami.dlami") in edges
    assert ("aws_instance.notebook[0]", "depends_on", "aws_autoscaling_group.trainers") in edges


def test_uninstalled_module_is_an_unevaluated_node() -> None:
    vpc = resources()["module.vpc"]
    assert vpc.unevaluated is not None
    assert "terraform-aws-modules/vpc/aws" in vpc.unevaluated
    assert "run `terraform init`, or scan the plan" in vpc.unevaluated


def test_count_known_only_at_apply_is_unevaluated_and_one_resource_stands_for_all() -> None:
    text = 'resource "aws_instance" "a" {\n  count = length(data.aws_subnets.x.ids)\n}\n'
    found = parse_text("one.tf", text)
    assert [r.address for r in found.resources] == ["aws_instance.a"]
    reason = found.resources[0].unevaluated or ""
    assert "count = length(data.aws_subnets.x.ids)" in reason
    assert "depends on data.aws_subnets.x" in reason
    assert "count" in found.resources[0].unknown


def test_enrichment_follows_the_launch_template() -> None:
    from guardrails.api import build_input

    doc = build_input([str(HCL)])
    asg = next(r for r in doc["resources"] if r["address"] == "aws_autoscaling_group.trainers")
    assert asg["facts"]["instance_type"] == "p4d.24xlarge"
    assert asg["facts"]["capacity"] == "spot"


def test_malformed_hcl_is_a_one_line_input_error() -> None:
    path = ROOT / "tests" / "data" / "malformed.tf"
    with pytest.raises(InputError) as info:
        parse_paths([str(path)])
    message = str(info.value)
    assert message.startswith(str(path)) and "invalid HCL" in message and "\n" not in message


def test_single_file_from_text() -> None:
    text = 'variable "t" {\n  default = "g5.xlarge"\n}\nresource "aws_instance" "a" {\n  instance_type = var.t\n}\n'
    resource = parse_text("one.tf", text).resources[0]
    assert resource.attributes["instance_type"] == "g5.xlarge"
    assert resource.location.line == 4


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("  user_data = <<EOF\n#!/bin/sh\necho hi\nEOF\n", "#!/bin/sh\necho hi\n"),
        ("  user_data = <<-EOT\n    a: 1\n      b: 2\n  EOT\n", "a: 1\n  b: 2\n"),
        ("  user_data = [<<-EOT\n    a: 1\n  EOT\n  ]\n", ["a: 1\n"]),
        # A quoted string stays as written, even one that looks like a heredoc.
        ('  user_data = "<<EOF x EOF"\n', "<<EOF x EOF"),
    ],
)
def test_heredoc_is_its_body(written: str, value: Any) -> None:
    """python-hcl2 8 renders a heredoc quoted with its markers; before, they stayed in the value
    (a helm_release's values YAML began with ``<<-EOT``)."""
    text = 'resource "aws_instance" "a" {\n' + written + "}\n"
    resource = parse_text("one.tf", text).resources[0]
    assert resource.attributes["user_data"] == value
