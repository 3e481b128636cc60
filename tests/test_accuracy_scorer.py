"""The accuracy scorer's matching rules (benchmarks/accuracy.py); no data or guardrails run needed."""

from __future__ import annotations

import pytest

from benchmarks.accuracy import Finding, Label, category, gpu_seen, match, resource_matches


@pytest.mark.parametrize(
    ("pattern", "actual", "expected"),
    [
        ("Pod/ns/pod0", "Pod/ns/pod0", True),
        ("Pod/pod0", "Pod/default/pod0", True),  # Kind/name: any namespace
        ("Pod/pod0", "Pod/default/pod1", False),
        ("Pod/ns/pod*", "Pod/ns/pod1", True),
        ("google_tpu_v2_vm.x[*]", "google_tpu_v2_vm.x[23]", True),
        ("google_tpu_v2_vm.x[*]", "google_compute_disk.x[0]", False),
        ("module.eks", "module.eks.aws_eks_node_group.this", False),
        ("kubernetes_config_map_v1.a*", "kubernetes_config_map_v1.a", True),
    ],
)
def test_resource_matches(pattern: str, actual: str, expected: bool) -> None:
    assert resource_matches(pattern, actual) is expected


def test_match_counts_tp_fn_fp_and_optional() -> None:
    expected = [
        Label("GR-TAG-001", "Pod/ns/pod*", "fail", 2),
        Label("GR-SEC-008", "Pod/ns/pod0"),
        Label("GR-COST-005", "Pod/ns/pod0", "any"),
    ]
    optional = [Label("GR-COST-001", "Pod/ns/pod0", "unknown")]
    findings = [
        Finding("GR-TAG-001", "Pod/ns/pod0", "fail"),
        Finding("GR-TAG-001", "Pod/ns/pod1", "fail"),
        Finding("GR-TAG-001", "Pod/ns/pod2", "fail"),  # beyond the label's count: false positive
        Finding("GR-COST-005", "Pod/ns/pod0", "unknown"),  # outcome any
        Finding("GR-COST-001", "Pod/ns/pod0", "unknown"),  # optional: neither way
        Finding("GR-SEC-008", "Pod/ns/pod0", "unknown"),  # wrong outcome: FP, and the label is FN
        Finding("GR-TAG-001", "Namespace/ns", "fail"),  # resource the labels never mention: FP
    ]
    m = match(expected, optional, findings)
    assert [(lab.policy, f.resource) for lab, f in m.tp] == [
        ("GR-TAG-001", "Pod/ns/pod0"),
        ("GR-TAG-001", "Pod/ns/pod1"),
        ("GR-COST-005", "Pod/ns/pod0"),
    ]
    assert m.fn == [(Label("GR-SEC-008", "Pod/ns/pod0"), 1)]
    assert [f.resource for f in m.optional] == ["Pod/ns/pod0"]
    assert [(f.policy, f.resource) for f in m.fp] == [
        ("GR-TAG-001", "Pod/ns/pod2"),
        ("GR-SEC-008", "Pod/ns/pod0"),
        ("GR-TAG-001", "Namespace/ns"),
    ]


def test_gpu_seen_by_facts_or_input_unknown() -> None:
    resources = [
        {"address": "Pod/a/p0", "facts": {"is_gpu": True}},
        {"address": "Pod/a/p1", "facts": {"is_gpu": False}},
    ]
    unknown = [Finding("GR-INPUT-001", "input", "unknown", "module.eks was not expanded")]
    assert gpu_seen("Pod/a/p*", resources, []) == 1
    assert gpu_seen("module.eks", [], unknown) == 1
    assert gpu_seen("module.eks", [], [Finding("GR-INPUT-001", "input", "fail", "module.eks")]) == 0


def test_category() -> None:
    assert [
        category(p)
        for p in ("GR-COST-001", "GR-SPOT-004", "GR-TAG-003", "GR-SEC-001", "GR-INPUT-001")
    ] == [
        "cost",
        "spot",
        "tagging",
        "security",
        "input",
    ]
