"""``guardrails policies new``: a policy with its METADATA, a unit test and one deny and one
allow case, written so they pass ``guardrails test`` on every engine as generated."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from guardrails.catalog.metadata import INPUT_SCOPES
from guardrails.errors import ConfigError
from guardrails.model import Severity
from guardrails.output import write_all

_ID = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$")
_CATEGORY = re.compile(r"^[a-z][a-z0-9-]{0,30}$")


@dataclass(frozen=True)
class NewPolicy:
    """What ``policies new`` was asked for."""

    id: str
    category: str
    input: str = "resources"
    severity: str = "medium"
    title: str | None = None

    @property
    def rule_key(self) -> str:
        return self.id.lower().replace("-", "_")

    @property
    def package(self) -> str:
        return f"guardrails.policy.{self.rule_key}"


def check(request: NewPolicy) -> None:
    """A ConfigError for an id, category, severity or input the catalog would refuse."""
    if not _ID.match(request.id):
        raise ConfigError(f"policy id {request.id!r} is not an id like ACME-GPU-002")
    if request.id.startswith("GR-"):
        raise ConfigError(
            f"{request.id}: GR- ids belong to the bundled library; use your own prefix"
        )
    if not _CATEGORY.match(request.category):
        raise ConfigError(f"category {request.category!r}: use a lower-case word such as cost")
    if request.input not in INPUT_SCOPES:
        raise ConfigError(f"--input {request.input}: use one of {', '.join(INPUT_SCOPES)}")
    if request.severity not in {s.value for s in Severity}:
        raise ConfigError(f"--severity {request.severity}: use low, medium, high or critical")


#: Per input scope: default title, description, remediation, the rule, test helpers and tests,
#: and the two case inputs (Kubernetes manifests: no cloud account or plan needed).
_TITLES = {
    "resources": "GPU resource without an owner tag",
    "summary": "Change that adds more than $1,000 a month",
    "graph": "Change with more than three GPU resources",
}
_DESCRIPTIONS = {
    "resources": "Every GPU resource names the team that owns it, so its cost has an owner.",
    "summary": "A change that raises the monthly GPU bill by more than $1,000 needs a second look.",
    "graph": "A change that adds more than three GPU resources at once needs a second look.",
}
_REMEDIATIONS = {
    "resources": "Add an `owner` tag (Kubernetes label) naming the owning team.",
    "summary": "Split the change, or have it approved and waive the finding with a reason.",
    "graph": "Split the change, or have it approved and waive the finding with a reason.",
}
_RULES = {
    "resources": """deny := [f |
	some r in input.resources
	r.facts.is_gpu
	object.get(object.get(r, "labels", {}), "owner", "") == ""
	f := {"resource": r.id, "message": concat("", [r.address, " has no owner tag"])}
]
""",
    "summary": """max_monthly_delta_usd := 1000

deny := [f |
	delta := object.get(input.summary, ["cost", "monthly_usd_delta"], 0)
	is_number(delta)
	delta > max_monthly_delta_usd
	shown := object.get(input.summary, ["cost", "monthly_usd_delta_display"], "")
	f := {"resource": "change", "message": concat("", ["the change adds ", shown, " a month"])}
]
""",
    "graph": """max_gpu_resources := 3

gpu_resources := [r | some r in input.resources; r.facts.is_gpu]

deny := [f |
	count(gpu_resources) > max_gpu_resources
	f := {"resource": "change", "message": concat("", [
		"the change has ", format_int(count(gpu_resources), 10), " GPU resources",
	])}
]
""",
}
_TESTS = {
    "resources": """# A resource as the policy sees it (`guardrails graph FILE` shows real ones).
gpu_resource(labels) := {
	"id": "trainer.yaml#Deployment/ml-dev/trainer",
	"address": "Deployment/ml-dev/trainer",
	"type": "Deployment",
	"labels": labels,
	"facts": {"is_gpu": true},
}

# Bind the resources to a variable, then replace input.resources (not the whole input):
# regopy 1.5.2 crashes on `with input as {...}` and ignores `with ... as <rule name>`.
test_gpu_resource_without_owner_is_denied if {
	resources := [gpu_resource({})]
	findings := {KEY}.deny with input.resources as resources
	count(findings) == 1
	findings[0].resource == "trainer.yaml#Deployment/ml-dev/trainer"
}

test_gpu_resource_with_owner_is_allowed if {
	resources := [gpu_resource({"owner": "ml-platform"})]
	findings := {KEY}.deny with input.resources as resources
	count(findings) == 0
}
""",
    "summary": """# Bind the summary to a variable, then replace input.summary (not the whole
# input):
# regopy 1.5.2 crashes on `with input as {...}` and ignores `with ... as <rule name>`.
test_a_costly_change_is_denied if {
	summary := {"cost": {"monthly_usd_delta": 5896.8, "monthly_usd_delta_display": "$5,897"}}
	findings := {KEY}.deny with input.summary as summary
	count(findings) == 1
}

test_a_small_change_is_allowed if {
	summary := {"cost": {"monthly_usd_delta": 737.1, "monthly_usd_delta_display": "$737"}}
	findings := {KEY}.deny with input.summary as summary
	count(findings) == 0
}
""",
    "graph": """gpu(n) := {"id": concat("", ["r", format_int(n, 10)]), "facts": {"is_gpu": true}}

# Bind the resources to a variable, then replace input.resources (not the whole input):
# regopy 1.5.2 crashes on `with input as {...}` and ignores `with ... as <rule name>`.
test_four_gpu_resources_are_denied if {
	resources := [gpu(1), gpu(2), gpu(3), gpu(4)]
	findings := {KEY}.deny with input.resources as resources
	count(findings) == 1
}

test_three_gpu_resources_are_allowed if {
	resources := [gpu(1), gpu(2), gpu(3)]
	findings := {KEY}.deny with input.resources as resources
	count(findings) == 0
}
""",
}


def _deployment(name: str, gpus: int, labels: str = "") -> str:
    return f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: ml-dev{labels}
spec:
  replicas: 1
  selector:
    matchLabels:
      app: {name}
  template:
    metadata:
      labels:
        app: {name}
    spec:
      containers:
        - name: main
          image: registry.example.com/{name}:1.0
          resources:
            limits:
              nvidia.com/gpu: "{gpus}"
"""


def _cases(scope: str) -> dict[str, str]:
    owner = "\n  labels:\n    owner: ml-platform"
    if scope == "resources":
        return {
            "deny_gpu_deployment_without_owner.yaml": _deployment("trainer", 1),
            "allow_gpu_deployment_with_owner.yaml": _deployment("trainer", 1, owner),
        }
    if scope == "summary":
        return {
            "deny_eight_gpus_a_month.yaml": _deployment("trainer", 8, owner),
            "allow_one_gpu_a_month.yaml": _deployment("trainer", 1, owner),
        }
    many = "---\n".join(_deployment(f"trainer-{n}", 1, owner) for n in range(1, 5))
    return {
        "deny_four_gpu_deployments.yaml": many,
        "allow_one_gpu_deployment.yaml": _deployment("trainer", 1, owner),
    }


def policy_text(request: NewPolicy) -> str:
    """The policy module: METADATA, package and a ``deny`` comprehension."""
    title = request.title or _TITLES[request.input]
    return f"""# METADATA
# title: {title}
# description: {_DESCRIPTIONS[request.input]}
# scope: package
# custom:
#   id: {request.id}
#   severity: {request.severity}
#   category: {request.category}
#   remediation: {_REMEDIATIONS[request.input]}
#   config: []
#   input: {request.input}
package {request.package}

import rego.v1

{_RULES[request.input]}"""


def unit_test_text(request: NewPolicy) -> str:
    """The unit test module (``guardrails test`` runs its ``test_`` rules)."""
    return f"""package {request.package}_test

import rego.v1

import data.{request.package}

{_TESTS[request.input].replace("{KEY}", request.rule_key)}"""


def files_for(request: NewPolicy, directory: Path) -> dict[Path, str]:
    """Path → content of everything ``policies new`` writes in ``directory``."""
    check(request)
    files = {
        directory / f"{request.rule_key}.rego": policy_text(request),
        directory / f"{request.rule_key}_test.rego": unit_test_text(request),
    }
    cases = directory / "cases" / request.id
    for name, text in _cases(request.input).items():
        files[cases / name] = f"# A verdict case of {request.id} (guardrails test runs it).\n{text}"
    return files


def write_new_policy(request: NewPolicy, directory: Path, root: Path) -> list[Path]:
    """Write the policy, its test and cases below ``directory`` (confined to ``root``); an
    existing file is never overwritten."""
    files = files_for(request, directory)
    for path in files:
        if path.exists() or path.is_symlink():
            raise ConfigError(f"{path}: already exists; choose another id or directory")
    for path in files:
        # A folder planted as a link must not take the new files outside the repository.
        lexical, real = Path(os.path.abspath(path.parent)), Path(os.path.realpath(path.parent))
        if lexical.is_relative_to(root.resolve()) and not real.is_relative_to(root.resolve()):
            raise ConfigError(f"{path.parent}: resolves outside the repository root; refused")
        path.parent.mkdir(parents=True, exist_ok=True)
    write_all(list(files.items()), root)
    return list(files)
