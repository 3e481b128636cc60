"""One scaling object's monthly worst case (a Bound), and the helpers every bound reads with."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from guardrails.enrich.allowed import Ceiling
from guardrails.model import Resource


@dataclass(frozen=True)
class Bound:
    """At most what one scaling object (or one flavor of a ClusterQueue) spends per month."""

    id: str
    address: str
    kind: str
    #: Monthly USD at the bound, margin excluded; None: no bound or not priced.
    monthly: float | None
    #: Eventual-consistency overrun margin (Karpenter), monthly USD.
    margin: float = 0.0
    #: The arithmetic, one line (``nvidia.com/gpu 8 x $5.27/GPU-hour (g7e.8xlarge) x 730 h``).
    why: str = ""
    #: Why no bound can be given (``unbounded: ...`` / ``unpriced: ...``), None when bounded.
    problem: str | None = None
    ceiling: Ceiling | None = None
    #: What compile may set: ``nodepool``, ``clusterqueue`` or ``resourcequota``; None: fixed.
    compiles: str | None = None
    #: Compile details: the ClusterQueue flavor/resource, existing values, cohort, namespace.
    detail: Mapping[str, Any] = field(default_factory=dict)
    #: Allows GPU capacity at all (a CPU-only NodePool or queue is no member of a GPU budget).
    gpu: bool = True

    @property
    def worst(self) -> float | None:
        return None if self.monthly is None else round(self.monthly + self.margin, 2)


def spec_of(resource: Resource) -> Mapping[str, Any]:
    """The object's ``spec`` mapping (empty when it has none)."""
    spec = resource.attributes.get("spec") if isinstance(resource.attributes, Mapping) else None
    return spec if isinstance(spec, Mapping) else {}


def as_map(value: Any) -> Mapping[str, Any]:
    """``value`` when it is a mapping, else an empty one."""
    return value if isinstance(value, Mapping) else {}


def listed(names: Sequence[str], shown: int = 5) -> str:
    """The first few names, and how many more (a hostile NodePool may list thousands)."""
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def rate_text(value: float) -> str:
    """``$5.2700`` → ``$5.27``: an hourly rate without trailing zeros."""
    return f"${value:,.4f}".rstrip("0").rstrip(".")
