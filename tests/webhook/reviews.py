"""AdmissionReviews built from the fixture manifests, as the API server would send them."""

from __future__ import annotations

import copy
import uuid
from typing import Any

import yaml

from tests.conftest import FIXTURES

WEBHOOK = FIXTURES / "webhook"
K8S = FIXTURES / "kubernetes"

_GROUPS = {"v1": "", "apps/v1": "apps", "batch/v1": "batch"}


def manifest(name: str, index: int = 0) -> dict[str, Any]:
    """Object ``index`` of a fixture manifest (fixtures/webhook, else fixtures/kubernetes)."""
    path = WEBHOOK / name if (WEBHOOK / name).exists() else K8S / name
    docs = [d for d in yaml.safe_load_all(path.read_text()) if d]
    return copy.deepcopy(docs[index])


def review(
    obj: dict[str, Any],
    *,
    operation: str = "CREATE",
    old: dict[str, Any] | None = None,
    namespace: str | None = None,
    dry_run: bool = False,
    uid: str | None = None,
) -> dict[str, Any]:
    api_version = str(obj["apiVersion"])
    group, _, version = api_version.rpartition("/")
    group = _GROUPS.get(api_version, group)
    meta = obj.get("metadata") or {}
    request: dict[str, Any] = {
        "uid": uid or str(uuid.uuid4()),
        "kind": {"group": group, "version": version, "kind": obj["kind"]},
        "resource": {"group": group, "version": version, "resource": obj["kind"].lower() + "s"},
        "name": meta.get("name", ""),
        "namespace": namespace if namespace is not None else meta.get("namespace", "default"),
        "operation": operation,
        "userInfo": {"username": "alice@example.com", "groups": ["system:authenticated"]},
        "object": obj,
        "oldObject": old,
        "dryRun": dry_run,
        "options": {"apiVersion": "meta.k8s.io/v1", "kind": "CreateOptions"},
    }
    return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": request}
