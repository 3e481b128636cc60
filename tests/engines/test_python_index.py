"""The Python engine's resource index (``guardrails/engines/python/index.py``).

The twins select from groups built once per evaluation instead of walking every resource:
these tests pin what each group and selection holds (and in which order), and that a resource
no policy can judge is read a bounded number of times, not once or twice per twin.
"""

from __future__ import annotations

from copy import deepcopy
from functools import cache
from typing import Any, cast

import pytest

from guardrails.api import ScanOptions, build_input
from guardrails.catalog import load_catalog
from guardrails.config import Config
from guardrails.engines.python import PythonEngine
from guardrails.engines.python.index import Group, Resources
from guardrails.model.contract import InputDocument
from tests.conftest import FIXTURES


@cache
def _template() -> dict[str, Any]:
    """One enriched resource (an untagged EC2 instance) to copy."""
    doc = build_input(
        [str(FIXTURES / "policies" / "GR-TAG-001" / "deny_untagged_instance.json")],
        ScanOptions(no_config=True),
    )
    return cast(dict[str, Any], doc["resources"][0])


def _resource(name: str, kind: str = "aws_subnet", **changes: Any) -> dict[str, Any]:
    r = deepcopy(_template())
    facts = {"is_gpu": False, "priced": False, "capacity": "unknown", "taggable": False}
    facts.update(changes.pop("facts", {}))
    r.update(id=name, address=name, type=kind, mode="managed", action="create", workload=None)
    r.update(changes)
    r["facts"].update(facts)
    return r


#: (name, type, changes) in document order.
_DOCUMENT: list[tuple[str, str, dict[str, Any]]] = [
    ("a", "aws_instance", {"facts": {"is_gpu": True, "priced": True}}),
    ("b", "Service", {}),
    ("c", "aws_instance", {"action": "delete", "facts": {"is_gpu": True}}),
    ("d", "aws_instance", {"mode": "data"}),
    ("e", "Job", {"workload": {"pod_templates": []}, "facts": {"capacity": "spot"}}),
    ("f", "Service", {"facts": {"is_gpu": True, "taggable": True}}),
    ("g", "aws_s3_bucket", {"facts": {"taggable": True, "priced": True}}),
]


def _resources() -> Resources:
    doc = {"resources": [_resource(name, kind, **changes) for name, kind, changes in _DOCUMENT]}
    return Resources(cast(InputDocument, doc))


def _ids(resources: list[Any]) -> str:
    return "".join(r["id"] for r in resources)


@pytest.mark.parametrize(
    ("group", "expected"),
    [
        ("gpu", "af"),  # c is being deleted
        ("priced", "ag"),
        ("spot", "e"),
        ("taggable", "fg"),
        ("workloads", "e"),
    ],
)
def test_each_group_holds_its_live_resources_in_document_order(group: Group, expected: str) -> None:
    assert _ids(_resources().group(group)) == expected


@pytest.mark.parametrize(
    ("types", "groups", "expected"),
    [
        ((), (), ""),
        (("aws_instance",), (), "a"),  # not the deleted c, not the data source d
        (("Service", "aws_instance"), (), "abf"),  # merged in document order
        (("Service",), ("gpu",), "abf"),  # f is a GPU Service: listed once
        ((), ("priced", "gpu"), "afg"),
        (("Job",), ("taggable", "spot"), "efg"),
        (("no_such_type",), (), ""),
    ],
)
def test_live_of_selects_types_and_groups_once_each_in_document_order(
    types: tuple[str, ...], groups: tuple[Group, ...], expected: str
) -> None:
    assert _ids(_resources().live_of(types, groups=groups)) == expected


def test_of_types_also_holds_data_sources_and_deletions() -> None:
    resources = _resources()
    assert _ids(resources.of_types(["aws_instance"])) == "acd"
    assert _ids(resources.live) == "abefg"
    assert set(resources.types) == {"aws_instance", "Service", "Job", "aws_s3_bucket"}


def test_a_type_name_is_not_taken_for_a_set_of_letters() -> None:
    with pytest.raises(TypeError):
        _resources().live_of("Service")


class _CountingResource(dict[str, Any]):
    """A resource that counts how often its fields are read."""

    reads = 0

    def __getitem__(self, key: str) -> Any:
        _CountingResource.reads += 1
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        _CountingResource.reads += 1
        return super().get(key, default)


def test_a_resource_no_policy_judges_is_read_a_few_times_not_once_per_twin() -> None:
    """An untaggable, unpriced, non-GPU subnet among resources every policy judges: the index
    reads it once and the input-coverage twin once more. Before the index every one of the 29
    twins read its mode and action (util.live) at least: 98 reads in all."""
    doc = {"resources": [_resource(name, kind, **changes) for name, kind, changes in _DOCUMENT]}
    doc["resources"].append(_CountingResource(_resource("subnet")))
    doc["summary"] = {}
    _CountingResource.reads = 0
    PythonEngine().evaluate(doc, Config().for_policies(), load_catalog())
    assert _CountingResource.reads <= 10
