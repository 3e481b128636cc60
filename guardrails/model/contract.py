"""The input document every engine receives, typed: ``guardrails/schemas/graph-input.schema.json``
for the resource, workload, pod template and container shapes, and the facts enrichment adds.

tests/model/test_contract.py checks these against the schema and against what enrichment
writes, so the types, the schema and the documents cannot drift apart.
"""

from collections.abc import Mapping
from typing import Any, Literal, NotRequired, TypedDict

#: An input's own attributes (a plan's values, a manifest): any JSON, read by the policies.
Attributes = dict[str, Any]


class Location(TypedDict):
    file: str
    line: int | None


class ContainerResources(TypedDict):
    requests: dict[str, str]
    limits: dict[str, str]


class Container(TypedDict):
    name: str
    image: str | None
    init: bool
    resources: ContainerResources
    security_context: Attributes
    ports: list[Attributes]
    claims: NotRequired[list[str]]


class TemplateReplicas(TypedDict):
    desired: int | None
    max: int | None


class PodTemplate(TypedDict):
    role: str
    replicas: TemplateReplicas
    containers: list[Container]
    node_selector: dict[str, str]
    affinity: Attributes
    tolerations: list[Attributes]
    volumes: list[Attributes]
    security_context: Attributes
    host_network: bool
    host_pid: bool
    host_ipc: bool
    termination_grace_period_seconds: int | None
    annotations: Attributes
    labels: Attributes
    restart_policy: str | None
    service_account: str | None
    backoff_limit: NotRequired[int | None]
    resource_claims: NotRequired[list[Attributes]]


class Workload(TypedDict):
    pod_templates: list[PodTemplate]


class GpuFact(TypedDict):
    total: dict[str, float | None]
    count: float | None
    model: str | None
    model_full: str | None
    memory_gib: float | None
    vendor: str | None
    resource_name: str | None


class Replicas(TypedDict):
    desired: int | None
    max: int | None
    groups: int | None


class Scale(TypedDict):
    """An amount at desired and at maximum scale."""

    desired: float
    max: float


class ScaleDisplay(TypedDict):
    desired: str
    max: str


class PriceUnknown(TypedDict):
    reason: str | None
    attribute: str | None


class CloudFact(TypedDict):
    name: str | None
    source: str | None
    assumed: str | None


class Neighbor(TypedDict):
    id: str
    type: str
    kind: str


#: ``in``: edges that end at the resource, ``out``: edges that start at it ("in" is a keyword,
#: hence the functional form).
Neighbors = TypedDict("Neighbors", {"in": list[Neighbor], "out": list[Neighbor]})


class Facts(TypedDict):
    """``facts``: what enrichment adds to every resource (docs/facts.md)."""

    environment: str
    environment_source: str
    workload_class: str
    taggable: bool
    is_gpu: bool
    gpu: GpuFact | None
    instance_type: str | None
    capacity: str
    capacity_attribute: str | None
    replicas: Replicas
    autoscaling: Attributes
    priced: bool
    price_basis: Literal["catalog", "assumed"] | None
    price_assumption: Attributes | None
    cloud: CloudFact
    priced_items: list[Attributes]
    price_unknown: PriceUnknown | None
    hourly_usd: Scale | None
    monthly_usd: Scale | None
    monthly_usd_display: ScaleDisplay | None
    monthly_usd_before: float | None
    monthly_usd_ceiling: float | None
    spot_saving_monthly_display: str | None
    placement: Attributes | None
    neighbors: Neighbors
    ray_auth: Attributes | None
    tags: dict[str, str]
    tag_keys: dict[str, str]
    accelerator_unknown: str | None


class ResourceDoc(TypedDict):
    """One item of ``input.resources``."""

    id: str
    address: str
    source_format: str
    provider: str
    type: str
    native_type: str
    name: str
    mode: str
    module: str | None
    namespace: str | None
    action: str
    # The model keeps them read-only (Mapping); the document is their JSON rendering.
    attributes: Mapping[str, Any]
    before: Mapping[str, Any] | None
    unknown: list[str]
    labels: dict[str, str]
    location: Location | None
    workload: Workload | None
    facts: Facts
    unevaluated: str | None


class InputFile(TypedDict):
    path: str
    format: str
    notes: NotRequired[list[str]]


EdgeDoc = TypedDict("EdgeDoc", {"from": str, "to": str, "kind": str})


class InputDocument(TypedDict):
    """The whole document: ``input`` for every policy on every engine."""

    version: int
    inputs: list[InputFile]
    resources: list[ResourceDoc]
    summary: Attributes
    edges: list[EdgeDoc]
