"""Sizing of AWS compute: EC2 instances and templates, auto scaling and EKS node groups,
SageMaker endpoints and notebooks, Batch compute environments (gpu_catalog.md §6)."""

from __future__ import annotations

from collections.abc import Mapping

from guardrails.enrich.attrs import as_int, dig, items
from guardrails.enrich.catalog import GpuCatalog
from guardrails.enrich.cloud.common import (
    Attrs,
    Referenced,
    autoscale,
    capacity,
    fixed,
    lowered,
    price_types,
)
from guardrails.enrich.sizing import Sizing, most_expensive
from guardrails.model import Resource


def _spot_market(attrs: Attrs) -> bool:
    return lowered(dig(attrs, "instance_market_options", "market_type")) == "spot"


def _aws_instance(r: Resource, a: Attrs, c: GpuCatalog, ref: Referenced, replicas: int) -> Sizing:
    s = Sizing()
    spot = r.type.endswith("spot_instance_request") or _spot_market(a)
    capacity(s, r, spot, "instance_market_options", "market_type")
    fixed(s, replicas)
    declared = dig(a, "instance_type")
    types = [str(declared)] if declared else []
    if not types and dig(a, "launch_template"):
        template = ref(r, ("aws_launch_template",))
        if template is not None and dig(template.attributes, "instance_type"):
            types = [str(dig(template.attributes, "instance_type"))]
            spot = spot or _spot_market(template.attributes)
            capacity(s, r, spot)
    price_types(s, c, r, types, ("instance_type",))
    return s


def aws_instance(r: Resource, a: Attrs, c: GpuCatalog, ref: Referenced) -> Sizing:
    return _aws_instance(r, a, c, ref, 1)


def aws_template(r: Resource, a: Attrs, c: GpuCatalog, ref: Referenced) -> Sizing:
    """Launch templates/configurations provision nothing themselves: priced at zero replicas."""
    return _aws_instance(r, a, c, ref, 0)


def aws_autoscaling_group(r: Resource, a: Attrs, c: GpuCatalog, ref: Referenced) -> Sizing:
    s = Sizing()
    minimum = as_int(dig(a, "min_size"))
    desired = as_int(dig(a, "desired_capacity"))
    maximum = as_int(dig(a, "max_size"))
    fixed(s, desired if desired is not None else minimum, maximum)
    autoscale(s, maximum, "max_size", dig(a, "max_size") is not None)
    mixed = dig(a, "mixed_instances_policy")
    distribution = dig(mixed, "instances_distribution") if mixed else None
    percentage = as_int(dig(distribution, "on_demand_percentage_above_base_capacity"))
    spot = mixed is not None and percentage is not None and percentage < 100
    types = [
        str(o.get("instance_type") or o.get("instanceType"))
        for o in items(dig(mixed, "launch_template", "override"))
        if isinstance(o, Mapping) and (o.get("instance_type") or o.get("instanceType"))
    ]
    template = ref(r, ("aws_launch_template", "aws_launch_configuration"))
    if template is not None:
        spot = spot or _spot_market(template.attributes)
        if not types and dig(template.attributes, "instance_type"):
            types = [str(dig(template.attributes, "instance_type"))]
    capacity(s, r, spot, "mixed_instances_policy")
    price_types(s, c, r, types, ("mixed_instances_policy",) if mixed else ("launch_template",))
    if not types and template is None and not s.is_gpu:
        s.price_problem = None
    return s


def aws_eks_node_group(r: Resource, a: Attrs, c: GpuCatalog, ref: Referenced) -> Sizing:
    s = Sizing()
    capacity_type = lowered(dig(a, "capacity_type"))
    capacity(s, r, capacity_type == "spot", "capacity_type")
    desired = as_int(dig(a, "scaling_config", "desired_size"))
    maximum = as_int(dig(a, "scaling_config", "max_size"))
    fixed(s, desired, maximum)
    autoscale(s, maximum, "scaling_config.0.max_size", maximum is not None)
    types = [str(t) for t in items(dig(a, "instance_types")) if t]
    price_types(s, c, r, types, ("instance_types",))
    ami = lowered(dig(a, "ami_type"))
    if not s.is_gpu and any(m in ami for m in ("nvidia", "gpu", "neuron")):
        s.is_gpu = True
        s.price_problem = s.price_problem or (
            f"GPU AMI {dig(a, 'ami_type')} without a catalog instance type",
            None,
        )
    return s


def aws_sagemaker_endpoint_configuration(
    r: Resource, a: Attrs, c: GpuCatalog, ref: Referenced
) -> Sizing:
    s = Sizing()
    capacity(s, r, False)
    variants = [v for v in items(dig(a, "production_variants")) if isinstance(v, Mapping)]
    count = (
        sum(
            as_int(v.get("initial_instance_count") or v.get("initialInstanceCount")) or 1
            for v in variants
        )
        if variants
        else 1
    )
    fixed(s, count)
    types = [
        str(v.get("instance_type") or v.get("instanceType"))
        for v in variants
        if v.get("instance_type") or v.get("instanceType")
    ]
    price_types(s, c, r, types, ("production_variants",))
    return s


def aws_batch_compute_environment(r: Resource, a: Attrs, c: GpuCatalog, ref: Referenced) -> Sizing:
    s = Sizing()
    compute = dig(a, "compute_resources")
    capacity(s, r, lowered(dig(compute, "type")) in ("spot", "fargate_spot"), "compute_resources")
    types = [str(t) for t in items(dig(compute, "instance_type")) if t]
    max_vcpus = as_int(dig(compute, "max_vcpus"))
    desired_vcpus = as_int(dig(compute, "desired_vcpus")) or 0
    vcpus = _vcpus(c, types)
    maximum = max_vcpus // vcpus if (max_vcpus is not None and vcpus) else None
    fixed(s, desired_vcpus // vcpus if vcpus else 0, maximum)
    autoscale(s, maximum, "compute_resources.0.max_vcpus", max_vcpus is not None)
    price_types(s, c, r, types, ("compute_resources", "instance_type"))
    return s


def _vcpus(catalog: GpuCatalog, types: list[str]) -> int | None:
    spec, _ = most_expensive(catalog, types)
    return int(spec.vcpus) if spec is not None and spec.vcpus else None
