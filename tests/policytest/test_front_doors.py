"""User policies at every front door: a walk leaves the policy directories' verdict cases out,
so a repository's own deny cases never fail its check, hook or Action."""

from __future__ import annotations

from pathlib import Path

from guardrails.cli.hook import module_files
from guardrails.inputs.discovery import discover
from tests.conftest import ROOT

ACME = ROOT / "examples" / "acme"
POLICIES = ACME / "policies"
DENY_CASE = POLICIES / "cases" / "ACME-GPU-002" / "deny_32_gpus_in_dev.yaml"
INFRA = ACME / "infra" / "train-llm-dev.yaml"


def _found(paths: list[str], skip: tuple[Path, ...] = ()) -> set[str]:
    return {Path(p).resolve().relative_to(ACME).as_posix() for p, _ in discover(paths, skip)}


def test_a_walk_leaves_policy_directories_out() -> None:
    everything = _found([str(ACME)])
    assert "policies/cases/ACME-GPU-002/deny_32_gpus_in_dev.yaml" in everything
    assert _found([str(ACME)], (POLICIES,)) == {"infra/train-llm-dev.yaml"}


def test_a_path_named_inside_a_policy_directory_is_still_read() -> None:
    """The harness names each case (a file or a folder) and must get it."""
    assert _found([str(DENY_CASE)], (POLICIES,)) == {
        "policies/cases/ACME-GPU-002/deny_32_gpus_in_dev.yaml"
    }
    assert len(_found([str(POLICIES / "cases")], (POLICIES,))) == 4  # expect.yaml too


def test_the_hook_leaves_files_of_policy_directories_out() -> None:
    files = [str(INFRA), str(DENY_CASE)]
    assert module_files(files) == files
    assert module_files(files, (POLICIES,)) == [str(INFRA)]
