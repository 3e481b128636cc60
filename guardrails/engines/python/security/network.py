"""Python twins of the network policies: admin or ML ports open to the internet (GR-SEC-003)
and EC2 instance metadata without IMDSv2 (GR-SEC-004)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from guardrails.engines.base import RawFinding
from guardrails.engines.python.index import Resources
from guardrails.engines.python.registry import twin
from guardrails.engines.python.util import (
    Doc,
    Resource,
    attributes,
    blocks,
    finding,
    one_of,
    unknown_path,
)
from guardrails.lazy_regex import LazyPattern

#: (port, how a message names it, whether it makes the finding critical).
_PORTS = [
    (22, "22 (SSH)", False),
    (3389, "3389 (RDP)", False),
    (8265, "8265 (Ray dashboard)", True),
    (8888, "8888 (Jupyter)", True),
    (10001, "10001 (Ray client)", True),
]
_WORLD = {"0.0.0.0/0", "::/0", "*", "Internet", "Any"}
_WHOLE_NUMBER = LazyPattern(r"[0-9]{1,18}")

_Range = tuple[Any, Any]


def _num(value: Any) -> int | float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    if isinstance(value, str) and _WHOLE_NUMBER.fullmatch(value):
        return int(value)
    return None


def _aws_range(protocol: Any, start: Any, end: Any) -> _Range | None:
    if protocol in ("-1", -1, "all"):
        return (0, 65535)
    low, high = _num(start), _num(end)
    return None if low is None or high is None else (low, high)


def _port_range(p: Any) -> _Range | None:
    if isinstance(p, str) and len(p.split("-")) == 2:
        low, high = (_num(x) for x in p.split("-"))
        return None if low is None or high is None else (low, high)
    if p == "*":
        return (0, 65535)
    value = _num(p)
    return None if value is None else (value, value)


def _world(*lists: Any) -> bool:
    return any(one_of(c, _WORLD) for value in lists for c in blocks(value))


def _aws_group(a: Doc) -> list[_Range | None]:
    return [
        _aws_range(rule.get("protocol"), rule.get("from_port"), rule.get("to_port"))
        for rule in blocks(a.get("ingress"))
        if isinstance(rule, dict) and _world(rule.get("cidr_blocks"), rule.get("ipv6_cidr_blocks"))
    ]


def _aws_group_rule(a: Doc) -> list[_Range | None]:
    if a.get("type") == "ingress" and _world(a.get("cidr_blocks"), a.get("ipv6_cidr_blocks")):
        return [_aws_range(a.get("protocol"), a.get("from_port"), a.get("to_port"))]
    return []


def _aws_ingress_rule(a: Doc) -> list[_Range | None]:
    return [
        _aws_range(a.get("ip_protocol"), a.get("from_port"), a.get("to_port"))
        for cidr in (a.get("cidr_ipv4"), a.get("cidr_ipv6"))
        if one_of(cidr, _WORLD)
    ]


def _gcp_firewall(a: Doc) -> list[_Range | None]:
    if a.get("direction") == "EGRESS":
        return []
    found: list[_Range | None] = []
    for source in blocks(a.get("source_ranges")):
        if not one_of(source, _WORLD):
            continue
        for allow in blocks(a.get("allow")):
            if not isinstance(allow, dict):
                continue
            ports = blocks(allow.get("ports"))
            found.extend([(0, 65535)] if not ports else [_port_range(p) for p in ports])
    return found


def _azure_rules(rules: list[Any]) -> list[_Range | None]:
    found: list[_Range | None] = []
    for rule in rules:
        if not (
            isinstance(rule, dict)
            and rule.get("direction") == "Inbound"
            and rule.get("access") == "Allow"
        ):
            continue
        if one_of(rule.get("source_address_prefix"), _WORLD) or _world(
            rule.get("source_address_prefixes")
        ):
            for p in [
                *blocks(rule.get("destination_port_range")),
                *blocks(rule.get("destination_port_ranges")),
            ]:
                found.append(_port_range(p))
    return found


def _azure_rule(a: Doc) -> list[_Range | None]:
    return _azure_rules([a])


def _azure_group(a: Doc) -> list[_Range | None]:
    return _azure_rules(blocks(a.get("security_rule")))


#: Where each firewall type keeps its internet-facing ingress ranges.
_RANGES: dict[str, Callable[[Doc], list[_Range | None]]] = {
    "aws_security_group": _aws_group,
    "aws_security_group_rule": _aws_group_rule,
    "aws_vpc_security_group_ingress_rule": _aws_ingress_rule,
    "google_compute_firewall": _gcp_firewall,
    "azurerm_network_security_rule": _azure_rule,
    "azurerm_network_security_group": _azure_group,
}


def _open_ranges(r: Resource) -> list[_Range]:
    found = _RANGES[r["type"]](attributes(r))
    return [rg for rg in found if rg is not None]


@twin("GR-SEC-003")
def admin_ports_open(resources: Resources, config: Doc) -> list[RawFinding]:
    out = []
    for r in resources.live_of(_RANGES):
        ranges = _open_ranges(r)
        if not ranges:
            continue
        if any(low <= 0 and high >= 65535 for low, high in ranges):
            names, severity = ["all ports"], "critical"
        else:
            hits = [p for p in _PORTS for low, high in ranges if low <= p[0] <= high]
            names = sorted({p[1] for p in hits})
            severity = "critical" if any(p[2] for p in hits) else "high"
        if names:
            out.append(finding(r, f"opens {', '.join(names)} to the internet", severity=severity))
    return out


_IMDS_CLIENTS = ("aws_instance", "aws_launch_template", "aws_spot_instance_request")


@twin("GR-SEC-004")
def imds_v1(resources: Resources, config: Doc) -> list[RawFinding]:
    out = []
    for r in resources.live_of(_IMDS_CLIENTS):
        path = unknown_path(r, "metadata_options.0.http_tokens")
        if path:
            out.append(
                finding(
                    r,
                    f"metadata_options.http_tokens is unknown until apply ({path})",
                    outcome="unknown",
                    attribute=path,
                )
            )
            continue
        tokens = [
            m.get("http_tokens")
            for m in blocks(attributes(r).get("metadata_options"))
            if isinstance(m, dict)
        ]
        if "required" not in tokens:
            out.append(
                finding(
                    r,
                    'does not require IMDSv2 (metadata_options.http_tokens is not "required")',
                )
            )
    return out
