"""Where the bundled policy library and its data live (source checkout or installed package)."""

from __future__ import annotations

import functools
import importlib.resources
import json
from pathlib import Path
from typing import Any

#: The ``policies/data/<name>.json`` files of constants both engines need: the Rego policies
#: read each as ``data.guardrails.<name>``, the Python twins and enrichment through
#: :func:`shared_data`. One truth, so the engines cannot drift apart.
SHARED_DATA = ("accelerators", "resource_types", "spot", "tags")


def bundled_policy_dir() -> Path:
    """The directory of the bundled Rego library and its ``data/``."""
    checkout = Path(__file__).resolve().parents[1] / "policies"
    if checkout.is_dir():
        return checkout  # editable installs do not map policies/ onto guardrails._policies
    return Path(str(importlib.resources.files("guardrails._policies")))


def gpu_catalog_path() -> Path:
    """The bundled GPU catalog (built from the reference CSV by tools/build_gpu_catalog.py)."""
    return bundled_policy_dir() / "data" / "gpu_catalog.json"


@functools.cache
def shared_data(name: str) -> Any:
    """``policies/data/<name>.json`` (one of :data:`SHARED_DATA`), read once per process.

    Callers must not change the value: it is the same object for every reader."""
    if name not in SHARED_DATA:
        raise KeyError(f"no shared data file {name!r}")
    path = bundled_policy_dir() / "data" / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def shared_data_documents() -> dict[str, Any]:
    """Every shared data file by name: what the Rego engines load under ``data.guardrails``."""
    return {name: shared_data(name) for name in SHARED_DATA}
