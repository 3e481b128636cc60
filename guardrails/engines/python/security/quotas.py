"""Python twin of GR-SEC-010: a GPU quota that limits nothing."""

from __future__ import annotations

from guardrails.engines.base import RawFinding
from guardrails.engines.python.index import Resources
from guardrails.engines.python.registry import twin
from guardrails.engines.python.util import (
    GPU_RESOURCE_NAMES,
    Doc,
    Resource,
    blocks,
    finding,
    resource_types,
)

#: ResourceQuota kinds.
_QUOTA_TYPES = resource_types("resource_quotas")


def _ignored(key: str) -> bool:
    if key in GPU_RESOURCE_NAMES:
        return True
    return key.startswith("limits.") and key[len("limits.") :] in GPU_RESOURCE_NAMES


def _ignored_keys(r: Resource) -> list[str]:
    attributes = r.get("attributes")
    spec = attributes.get("spec") if isinstance(attributes, dict) else None
    keys: list[str] = []
    for block in blocks(spec):
        hard = block.get("hard") if isinstance(block, dict) else None
        if isinstance(hard, dict):
            keys += [k for k in hard if _ignored(k)]
    return sorted(keys)


@twin("GR-SEC-010")
def gpu_quota_without_requests_prefix(resources: Resources, config: Doc) -> list[RawFinding]:
    out = []
    for r in resources.live_of(_QUOTA_TYPES):
        keys = _ignored_keys(r)
        if not keys:
            continue
        first = keys[0].removeprefix("limits.")
        out.append(
            finding(
                r,
                f"sets {', '.join(keys)} in spec.hard, which "
                "Kubernetes does not enforce for extended resources (only requests."
                f"{first} is), so GPU use in the namespace is unlimited",
            )
        )
    return out
