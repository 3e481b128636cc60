"""What one configuration relaxes relative to another (a nested config against the root one).

A pull request can add a ``.guardrails.yaml`` next to its inputs; the nearest one wins, so a
config below the repository root can lower the bar the platform team set at the root. Every
setting is compared by the direction that lets more through; a setting with no known direction
that differs is listed as changed: nothing is relaxed silently.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

_FAIL_ON = ("low", "medium", "high", "critical", "never")  # later: fewer findings fail
_UNKNOWN = ("fail", "warn", "ignore")  # later: fewer unknowns fail
_SEVERITY = ("low", "medium", "high", "critical")

Rule = Callable[[str, Any, Any], list[str]]


def _short(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= 60 else text[:59] + "…"


def _ordered(order: tuple[str, ...]) -> Rule:
    """A setting whose later values are looser."""

    def rule(key: str, used: Any, reference: Any) -> list[str]:
        if used in order and reference in order and order.index(used) > order.index(reference):
            return [f"{key}: {reference} → {used}"]
        return [] if used in order else _changed(key, used, reference)

    return rule


def _higher(key: str, used: Any, reference: Any) -> list[str]:
    """A ceiling, budget or horizon: higher lets more through; removing it lets all through."""
    if isinstance(used, dict) or isinstance(reference, dict):
        return _each(_higher)(key, used, reference)
    if _number(used) and _number(reference):
        return [f"{key}: {reference} → {used}"] if used > reference else []
    return _changed(key, used, reference)


def _lower(key: str, used: Any, reference: Any) -> list[str]:
    """A default price: lower makes unpriced GPUs look cheaper."""
    if _number(used) and _number(reference):
        return [f"{key}: {reference} → {used}"] if used < reference else []
    return _changed(key, used, reference)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _added(key: str, used: Any, reference: Any) -> list[str]:
    """An allow list or exemption list: entries added let more through."""
    if isinstance(used, dict) or isinstance(reference, dict):
        return _each(_added)(key, used, reference)
    if not isinstance(used, list) or not isinstance(reference, list):
        return _changed(key, used, reference)
    new = [item for item in used if item not in reference]
    return [f"{key}: adds {', '.join(_short(i) for i in new)}"] if new else []


def _removed(key: str, used: Any, reference: Any) -> list[str]:
    """A requirement list: entries removed are no longer required."""
    if not isinstance(used, list) or not isinstance(reference, list):
        return _changed(key, used, reference)
    gone = [item for item in reference if item not in used]
    return [f"{key}: drops {', '.join(_short(i) for i in gone)}"] if gone else []


def _changed(key: str, used: Any, reference: Any) -> list[str]:
    """No known direction: any difference is listed."""
    if used == reference:
        return []
    return [f"{key}: {_short(reference)} → {_short(used)}"]


def _each(rule: Rule) -> Rule:
    """A mapping of settings: each key by ``rule``; a key the reference has and ``used`` drops
    is listed (a ceiling or requirement removed)."""

    def compare(key: str, used: Any, reference: Any) -> list[str]:
        if not isinstance(used, dict) or not isinstance(reference, dict):
            return _changed(key, used, reference)
        out: list[str] = []
        for name in sorted(set(used) | set(reference), key=str):
            where = f"{key}.{name}"
            if name not in used:
                out.append(f"{where}: removed")
            elif name in reference:
                out += rule(where, used[name], reference[name])
            elif rule is _added:
                out += _added(where, used[name], [])
            elif rule is not _higher:  # a new budget or ceiling only adds a limit
                out += _changed(where, used[name], None)
        return out

    return compare


def _overrides(key: str, used: Any, reference: Any) -> list[str]:
    """Severity overrides: lowering one (or setting one the reference does not have, below
    critical: the policy's own severity is not known here) may stop findings failing."""
    if not isinstance(used, dict) or not isinstance(reference, dict):
        return _changed(key, used, reference)
    out = []
    for policy, severity in sorted(used.items()):
        before = reference.get(policy)
        if severity == before or severity not in _SEVERITY:
            continue
        if before in _SEVERITY and _SEVERITY.index(severity) > _SEVERITY.index(before):
            continue
        if before is None and severity == "critical":
            continue
        out.append(f"{key}.{policy}: {before or 'policy severity'} → {severity}")
    return out


def _waivers(key: str, used: Any, reference: Any) -> list[str]:
    """Waivers the reference does not have (a changed waiver is a new one)."""
    known = {_short_key(w) for w in reference or []}
    new = [w for w in used or [] if _short_key(w) not in known]
    return [
        f"{key}: adds {w.get('policy')} on {w.get('resource')} until {w.get('expires')}"
        for w in new
        if isinstance(w, dict)
    ]


def _short_key(waiver: Any) -> str:
    return json.dumps(waiver, sort_keys=True, default=str)


def _true(key: str, used: Any, reference: Any) -> list[str]:
    return [f"{key}: {reference} → {used}"] if used is True and reference is not True else []


_RULES: dict[str, Rule] = {
    "fail_on": _ordered(_FAIL_ON),
    "unknown": _ordered(_UNKNOWN),
    "disabled_policies": _added,
    "severity_overrides": _overrides,
    "waivers": _waivers,
    "waiver_max_days": _higher,
    "cost_ceilings": _higher,
    "delta_ceiling": _higher,
    "max_gpu_nodes": _higher,
    "max_idle_shutdown_minutes": _higher,
    "budgets": _each(_higher),
    "default_gpu_hourly_usd": _lower,
    "required_tags": _removed,
    "allowed_tag_values": _each(_added),
    "tag_aliases": _each(_added),
    "allowed_workloads": _added,
    "allowed_gpu_models": _each(_added),
    "changed_only": _true,
}
_WEBHOOK_RULES: dict[str, Rule] = {
    "exempt_namespaces": _added,
    "object_waiver_namespaces": _added,
    "trusted_controllers": _added,
}


def relaxations(used: Mapping[str, Any], reference: Mapping[str, Any]) -> tuple[str, ...]:
    """One line per setting of ``used`` that lets more through than ``reference`` (both merged
    over the defaults); settings with no known direction are listed when they differ."""
    out: list[str] = []
    for key in sorted(set(used) | set(reference)):
        a, b = used.get(key), reference.get(key)
        if key == "webhook" and isinstance(a, dict) and isinstance(b, dict):
            for name in sorted(set(a) | set(b)):
                rule = _WEBHOOK_RULES.get(name, _changed)
                out += rule(f"webhook.{name}", a.get(name), b.get(name))
            continue
        out += _RULES.get(key, _changed)(key, a, b)
    return tuple(out)
