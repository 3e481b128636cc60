"""Python twin of GR-SEC-009: a GPU instance or an ML dashboard exposed publicly."""

from __future__ import annotations

from guardrails.engines.base import RawFinding
from guardrails.engines.python.index import Resources
from guardrails.engines.python.registry import twin
from guardrails.engines.python.util import (
    Doc,
    Resource,
    as_list,
    attributes,
    blocks,
    finding,
    is_number,
    neighbors,
    resource_types,
    unknown_path,
)

_DASHBOARD_PORTS = {8265, 8888, 10001}
#: Sorted, as GR-SEC-009 lists them (``sort(dashboard_kinds)``).
_DASHBOARD_KINDS = tuple(sorted(resource_types("dashboard_kinds")))
_RAY_KINDS = resource_types("ray_kinds")
_GCP_INSTANCES = resource_types("gcp_instances")
_EXPOSING_SERVICES = ("LoadBalancer", "NodePort")


def _public_gpu_instance(r: Resource) -> list[RawFinding]:
    a = attributes(r)
    found = []
    if r["type"] == "aws_instance":
        if a.get("associate_public_ip_address") is True:
            found.append(finding(r, "is a GPU instance with a public IP address"))
        path = unknown_path(r, "associate_public_ip_address")
        if path and a.get("associate_public_ip_address") is not True:
            found.append(
                finding(
                    r,
                    f"whether the GPU instance gets a public IP ({path}) is unknown until apply",
                    outcome="unknown",
                    attribute=path,
                )
            )
    if r["type"] in _GCP_INSTANCES and any(
        isinstance(nic, dict) and blocks(nic.get("access_config"))
        for nic in blocks(a.get("network_interface"))
    ):
        found.append(finding(r, "is a GPU instance with a public IP address (access_config)"))
    return found


def _exposing_service(r: Resource) -> RawFinding | None:
    raw_spec = attributes(r).get("spec")
    spec: Doc = raw_spec if isinstance(raw_spec, dict) else {}
    if spec.get("type") not in _EXPOSING_SERVICES:
        return None
    ports = sorted(
        {
            p
            for port in as_list(spec.get("ports"))
            if isinstance(port, dict)
            for p in (port.get("port"), port.get("targetPort"))
            if is_number(p) and p in _DASHBOARD_PORTS
        }
    )
    reasons = [f"port {int(p)}" for p in ports]
    selected = {n["type"] for n in neighbors(r, "out") if n["kind"] == "selects"}
    reasons += [f"a {k} workload" for k in _DASHBOARD_KINDS if k in selected]
    if not reasons:
        return None
    message = f"exposes {', '.join(sorted(reasons))} through a {spec['type']} Service"
    auth = _ray_auth(r)
    jupyter = "port 8888" in reasons or "Notebook" in selected
    if auth.get("enabled") is True and not jupyter:
        workloads = ", ".join(auth["workloads"])
        message += (
            f"; Ray token authentication is on for {workloads}, so only token holders can use it"
        )
        return finding(r, message, severity="low")
    return finding(r, message)


def _ray_auth(r: Resource) -> Doc:
    value: Doc = r["facts"]["ray_auth"] or {}  # null for anything but Ray and its Services
    return value


def _ray_head(r: Resource) -> RawFinding | None:
    """A Ray kind whose KubeRay head Service is a LoadBalancer or NodePort."""
    auth = _ray_auth(r)
    service_type = auth.get("head_service_type")
    if service_type not in _EXPOSING_SERVICES:
        return None
    message = (
        "exposes the Ray dashboard (8265) and client (10001) through a "
        f"{service_type} head Service ({auth.get('head_service_field')})"
    )
    if auth.get("enabled") is True:
        message += (
            f"; Ray token authentication is on ({auth['source']}), so only token holders can use it"
        )
        return finding(r, message, severity="low")
    if auth.get("mode") == "token":  # asked for, not in effect (Ray older than 2.52)
        message += f"; {auth['why']}"
    return finding(r, message)


@twin("GR-SEC-009")
def gpu_or_dashboard_public(resources: Resources, config: Doc) -> list[RawFinding]:
    instances = [
        f
        for r in resources.group("gpu")
        if r["type"] == "aws_instance" or r["type"] in _GCP_INSTANCES
        for f in _public_gpu_instance(r)
    ]
    services = [f for r in resources.live_of(("Service",)) if (f := _exposing_service(r))]
    heads = [f for r in resources.live_of(_RAY_KINDS) if (f := _ray_head(r))]
    return instances + services + heads
