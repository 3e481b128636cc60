"""deploy/: every manifest valid against the Kubernetes schemas (offline), the webhook rules
equal to the kinds the server judges, the CEL matchConditions right on real objects."""

from __future__ import annotations

import copy
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import celpy
import kubernetes_validate
import pytest
import yaml

from guardrails.api import enrich_graph
from guardrails.config import Config, validate_config
from guardrails.parsers import parse_documents
from guardrails.webhook.certs import service_names
from guardrails.webhook.kinds import ADMITTED_KINDS
from tests.conftest import ROOT
from tests.webhook.reviews import manifest

DEPLOY = ROOT / "deploy"
#: matchConditions are GA from 1.30; the newest schemas the package ships too.
VERSIONS = ["1.30.0", kubernetes_validate.latest_version()]


def _docs(path: Path) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


MANIFESTS = sorted(p for p in DEPLOY.glob("*.yaml") if p.name != "kustomization.yaml")


def _one(kind: str) -> dict[str, Any]:
    found = [d for p in MANIFESTS for d in _docs(p) if d["kind"] == kind]
    assert len(found) == 1, kind
    return found[0]


def _patched(base: dict[str, Any], overlay: Path) -> dict[str, Any]:
    """The ValidatingWebhookConfiguration with an overlay's JSON6902 patches applied."""
    doc = copy.deepcopy(base)
    for patch in yaml.safe_load((overlay / "kustomization.yaml").read_text())["patches"]:
        assert patch["target"] == {"kind": base["kind"], "name": base["metadata"]["name"]}
        for op in yaml.safe_load(patch["patch"]):
            *parents, last = op["path"].strip("/").split("/")
            target: Any = doc
            for key in parents:
                target = target[int(key)] if isinstance(target, list) else target[key]
            if op["op"] == "replace":
                assert last in target or (isinstance(target, list) and int(last) < len(target))
            target[int(last) if isinstance(target, list) else last] = op["value"]
    return doc


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("path", MANIFESTS, ids=lambda p: p.name)
def test_manifests_are_valid_kubernetes(path: Path, version: str) -> None:
    for doc in _docs(path):
        kubernetes_validate.validate(doc, version, strict=True)


@pytest.mark.parametrize("overlay", ["fail-open", "cert-manager"])
def test_overlays_patch_a_valid_webhook_configuration(overlay: str) -> None:
    patched = _patched(_one("ValidatingWebhookConfiguration"), DEPLOY / overlay)
    kubernetes_validate.validate(patched, VERSIONS[-1], strict=True)
    if overlay == "fail-open":
        assert {w["failurePolicy"] for w in patched["webhooks"]} == {"Ignore"}


def test_kustomization_lists_every_manifest() -> None:
    listed = yaml.safe_load((DEPLOY / "kustomization.yaml").read_text())["resources"]
    assert sorted(listed) == sorted(p.name for p in MANIFESTS)


def _rules(webhook: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {
        (group, version, resource)
        for rule in webhook["rules"]
        for group in rule["apiGroups"]
        for version in rule["apiVersions"]
        for resource in rule["resources"]
    }


def test_webhook_rules_are_exactly_the_kinds_the_server_judges() -> None:
    hooks = {w["name"]: w for w in _one("ValidatingWebhookConfiguration")["webhooks"]}
    expected = {
        always: {
            (k.group, v, k.resource)
            for k in ADMITTED_KINDS
            if k.always == always
            for v in k.versions
        }
        for always in (False, True)
    }
    assert _rules(hooks["gpu-workloads.guardrails.dev"]) == expected[False]
    assert _rules(hooks["ai-resources.guardrails.dev"]) == expected[True]
    for hook in hooks.values():
        assert hook["admissionReviewVersions"] == ["v1"]
        assert hook["sideEffects"] == "None" and hook["timeoutSeconds"] == 5
        assert hook["failurePolicy"] in ("Fail", "Ignore")
        assert hook["clientConfig"]["service"]["path"] == "/validate"
        assert all(set(r["operations"]) == {"CREATE", "UPDATE"} for r in hook["rules"])


def test_exempt_namespaces_agree_between_selector_config_and_deployment() -> None:
    config = yaml.safe_load(_one("ConfigMap")["data"]["guardrails.yaml"])
    values = validate_config(config, "deploy/configmap.yaml")
    exempt = set(values["webhook"]["exempt_namespaces"])
    for hook in _one("ValidatingWebhookConfiguration")["webhooks"]:
        (expression,) = hook["namespaceSelector"]["matchExpressions"]
        assert expression["key"] == "kubernetes.io/metadata.name"
        assert expression["operator"] == "NotIn" and set(expression["values"]) == exempt
    assert _one("Deployment")["metadata"]["namespace"] in exempt


def test_deployment_is_highly_available_locked_down_and_probed() -> None:
    deployment = _one("Deployment")
    spec = deployment["spec"]
    assert spec["replicas"] >= 2
    pod = spec["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["automountServiceAccountToken"] is False
    (container,) = pod["containers"]
    security = container["securityContext"]
    assert (
        security["readOnlyRootFilesystem"] is True and security["allowPrivilegeEscalation"] is False
    )
    assert security["capabilities"]["drop"] == ["ALL"]
    assert {"cpu", "memory"} <= set(container["resources"]["requests"]) and {
        "cpu",
        "memory",
    } <= set(container["resources"]["limits"])
    probes = {
        name: container[name]["httpGet"]
        for name in ("livenessProbe", "readinessProbe", "startupProbe")
    }
    assert (
        probes["livenessProbe"]["path"] == "/healthz"
        and probes["readinessProbe"]["path"] == "/readyz"
    )
    assert all(p["scheme"] == "HTTPS" for p in probes.values())
    labels = spec["template"]["metadata"]["labels"]
    assert _one("PodDisruptionBudget")["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert _one("Service")["spec"]["selector"].items() <= labels.items()
    hpa = _one("HorizontalPodAutoscaler")["spec"]
    assert (
        hpa["scaleTargetRef"]["name"] == deployment["metadata"]["name"] and hpa["minReplicas"] >= 2
    )
    secret = next(v["secret"]["secretName"] for v in pod["volumes"] if "secret" in v)
    certificate = next(
        d
        for d in _docs(DEPLOY / "cert-manager" / "certificate.yaml")
        if d["kind"] == "Certificate" and not d["spec"].get("isCA")
    )
    assert certificate["spec"]["secretName"] == secret
    service = _one("Service")["metadata"]
    assert certificate["spec"]["dnsNames"] == service_names(service["name"], service["namespace"])


def test_cert_manager_keeps_one_root_across_renewals() -> None:
    """The serving certificate comes from a CA Issuer whose root keeps its key, and the caBundle
    is that root: renewing the serving certificate (new key every time) never changes what the
    API server trusts, so failurePolicy: Fail never meets a certificate it cannot verify."""
    docs = _docs(DEPLOY / "cert-manager" / "certificate.yaml")
    issuers = {d["metadata"]["name"]: d["spec"] for d in docs if d["kind"] == "Issuer"}
    certificates = {d["metadata"]["name"]: d["spec"] for d in docs if d["kind"] == "Certificate"}
    (root_name,) = [n for n, spec in certificates.items() if spec.get("isCA")]
    root = certificates[root_name]
    assert "selfSigned" in issuers[root["issuerRef"]["name"]]
    assert root["privateKey"]["rotationPolicy"] == "Never"
    assert int(root["duration"].rstrip("h")) >= 5 * 8760
    ca_issuer = [
        n
        for n, spec in issuers.items()
        if spec.get("ca", {}).get("secretName") == root["secretName"]
    ]
    serving = [spec for n, spec in certificates.items() if n != root_name]
    assert len(ca_issuer) == 1 and [s["issuerRef"]["name"] for s in serving] == ca_issuer
    assert all(s["issuerRef"]["kind"] == "Issuer" for s in [root, *serving])
    patched = _patched(_one("ValidatingWebhookConfiguration"), DEPLOY / "cert-manager")
    namespace = docs[0]["metadata"]["namespace"]
    assert patched["metadata"]["annotations"]["cert-manager.io/inject-ca-from"] == (
        f"{namespace}/{root_name}"
    )


def test_network_policy_admits_only_the_api_server_and_the_scraper() -> None:
    """Issue #20: anything in the cluster could reach the webhook's port."""
    policy = _one("NetworkPolicy")
    deployment = _one("Deployment")
    pod = deployment["spec"]["template"]
    assert policy["metadata"]["namespace"] == deployment["metadata"]["namespace"]
    assert policy["spec"]["podSelector"]["matchLabels"].items() <= pod["metadata"]["labels"].items()
    assert policy["spec"]["policyTypes"] == ["Ingress"]
    (container,) = pod["spec"]["containers"]
    port = {p["name"]: p["containerPort"] for p in container["ports"]}
    sources = []
    for rule in policy["spec"]["ingress"]:
        assert rule.get("from"), "a rule without 'from' admits every source"
        assert [(p["port"], p["protocol"]) for p in rule["ports"]] == [("https", "TCP")]
        assert port["https"] == 8443
        sources += rule["from"]
    for source in sources:
        cidr = source.get("ipBlock", {}).get("cidr")
        assert cidr not in ("0.0.0.0/0", "::/0")
        if "namespaceSelector" in source:
            assert source["namespaceSelector"]["matchLabels"], (
                "an empty selector is every namespace"
            )
    assert any("ipBlock" in s for s in sources), "the API server"
    system = {"kubernetes.io/metadata.name": "kube-system"}
    assert any(s.get("namespaceSelector", {}).get("matchLabels") == system for s in sources)
    # /metrics is served on the same port: the scraper the pod invites must be admitted, and
    # only as a pod selected in its own namespace.
    assert pod["metadata"]["annotations"]["prometheus.io/scrape"] == "true"
    scrapers = [s for s in sources if "podSelector" in s]
    assert scrapers and all(
        s["podSelector"]["matchLabels"] and "namespaceSelector" in s for s in scrapers
    )


def test_deployment_arguments_are_the_servers_options() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "guardrails", "webhook", "serve", "--help"],
        capture_output=True, text=True, timeout=60, env={"COLUMNS": "200", "PATH": ""},
    )  # fmt: skip
    (container,) = _one("Deployment")["spec"]["template"]["spec"]["containers"]
    assert container["args"][:2] == ["webhook", "serve"]
    for arg in container["args"][2:]:
        assert arg.split("=")[0] in result.stdout, arg


def _conditions(hook_name: str, obj: dict[str, Any], username: str = "alice") -> dict[str, bool]:
    """Every matchCondition of a webhook evaluated on ``obj`` as the API server would."""
    hooks = {w["name"]: w for w in _one("ValidatingWebhookConfiguration")["webhooks"]}
    environment = celpy.Environment()
    request = {"userInfo": {"username": username}, "operation": "CREATE"}
    activation = {"object": celpy.json_to_cel(obj), "request": celpy.json_to_cel(request)}
    return {
        c["name"]: bool(
            environment.program(environment.compile(c["expression"])).evaluate(activation)
        )
        for c in hooks[hook_name]["matchConditions"]
    }


def _match(obj: dict[str, Any], username: str = "alice") -> bool:
    return all(_conditions("gpu-workloads.guardrails.dev", obj, username).values())


def _gpu(obj: dict[str, Any], where: str = "limits", key: str = "nvidia.com/gpu") -> dict[str, Any]:
    spec = obj["spec"]
    for step in {"Pod": [], "CronJob": ["jobTemplate", "spec", "template", "spec"]}.get(
        obj["kind"], ["template", "spec"]
    ):
        spec = spec[step]
    spec["containers"][0].setdefault("resources", {}).setdefault(where, {})[key] = 1
    return obj


def _is_gpu(obj: dict[str, Any]) -> bool:
    graph = enrich_graph(parse_documents("obj.json", [obj]), Config())
    return bool(graph.resources[0].facts["is_gpu"])


@pytest.mark.parametrize("index", range(5))
def test_match_conditions_send_exactly_what_guardrails_calls_gpu(index: int) -> None:
    obj = manifest("core-workloads.yaml", index)
    assert obj["kind"] in {"Pod", "StatefulSet", "DaemonSet", "Job", "CronJob"}
    assert _match(obj) == _is_gpu(obj), "the API server and guardrails agree on GPU workloads"
    assert _match(_gpu(copy.deepcopy(obj)))
    assert _match(_gpu(copy.deepcopy(obj), "requests", "amd.com/gpu"))
    assert _match(_gpu(copy.deepcopy(obj), "limits", "aws.amazon.com/neuroncore"))


def test_match_conditions_skip_cpu_only_workloads() -> None:
    for index in range(5):
        obj = manifest("core-workloads.yaml", index)
        if not _is_gpu(obj):
            assert not _match(obj)
            assert not _match(_gpu(copy.deepcopy(obj), "limits", "ephemeral-storage"))
    cpu = manifest("core-workloads.yaml", 0)
    assert not _is_gpu(cpu) and not _match(cpu)


@pytest.mark.parametrize("hook", ["gpu-workloads.guardrails.dev", "ai-resources.guardrails.dev"])
def test_match_conditions_skip_what_a_kubernetes_controller_made_from_a_judged_owner(
    hook: str,
) -> None:
    owned = manifest("gpu-pod-over-budget.yaml")
    owned["metadata"]["ownerReferences"] = [
        {
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "name": "trainer-5d8f",
            "uid": "1",
            "controller": True,
        }
    ]
    controller = "system:serviceaccount:kube-system:replicaset-controller"
    assert not all(_conditions(hook, owned, controller).values())
    assert all(_conditions(hook, owned, "alice").values()), (
        "a forged ownerReference changes nothing"
    )
    assert all(_conditions(hook, manifest("gpu-pod-over-budget.yaml"), controller).values())


def test_match_conditions_see_init_containers_and_resource_claims() -> None:
    assert _match(manifest("gpu-pod-over-budget.yaml")) and _match(
        manifest("gpu-pod-compliant.yaml")
    )
    pod = manifest("core-workloads.yaml", 0)
    pod["spec"]["initContainers"] = [
        {"name": "warm", "image": "x", "resources": {"limits": {"nvidia.com/gpu": 1}}}
    ]
    assert _match(pod)
    pod = manifest("core-workloads.yaml", 0)
    pod["spec"]["resourceClaims"] = [{"name": "gpu", "resourceClaimTemplateName": "a100"}]
    assert _match(pod)


DOCKERFILE = (DEPLOY / "Dockerfile").read_text()


def test_image_base_is_pinned_by_digest() -> None:
    """Like the Action's uses: a tag can be moved to other bits, a digest cannot."""
    arguments = dict(re.findall(r"^ARG (\w+)=(\S+)$", DOCKERFILE, re.M))
    bases = re.findall(r"^FROM (\S+)", DOCKERFILE, re.M)
    assert bases
    for base in bases:
        image = arguments.get(base.strip("${}"), base)
        assert re.fullmatch(r"[\w./:-]+@sha256:[0-9a-f]{64}", image), f"FROM {image} is not pinned"


def test_image_installs_only_hash_pinned_dependencies() -> None:
    installs = re.findall(r"pip install ([^&]*?)(?:\n(?! )|$)", DOCKERFILE.replace("\\\n", " "))
    assert len(installs) == 2
    for words in map(str.split, installs):
        hashed = "--require-hashes" in words and "requirements/webhook.txt" in words
        offline = "--no-index" in words and "--no-deps" in words
        assert hashed or offline, words
    lock = (ROOT / "requirements" / "webhook.txt").read_text()
    pinned = {
        re.sub(r"[-_.]+", "-", m.lower()) for m in re.findall(r"^([A-Za-z0-9_.-]+)==", lock, re.M)
    }
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for dependency in [*project["dependencies"], *project["optional-dependencies"]["webhook"]]:
        name = re.split(r"[<>=!~;\s\[]", dependency, maxsplit=1)[0]
        assert re.sub(r"[-_.]+", "-", name.lower()) in pinned, (
            f"{name}: run tools/lock_action_requirements.sh"
        )
    entries = re.split(r"\n(?=[A-Za-z])", lock.split("\n", 3)[3])
    assert all("--hash=sha256:" in e for e in entries if e.strip())


def test_build_context_is_only_what_the_image_copies() -> None:
    """A build sends the context to the daemon: never .venv, build/, .git or local secrets."""
    rules = [
        line for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]  # fmt: skip
    assert rules[0] == "*", "deny everything, then allow what the image needs"
    allowed = {rule[1:].rstrip("/") for rule in rules if rule.startswith("!")}
    copied = {
        source.rstrip("/")
        for line in re.findall(r"^COPY (?!--from)(.+)$", DOCKERFILE, re.M)
        for source in line.split()[:-1]
    }
    assert copied == allowed
    assert not allowed & {".venv", ".git", "build", "dist", "tests", "fixtures", "certs"}
