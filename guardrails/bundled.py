"""Where the bundled policy library and its data live (source checkout or installed package)."""

from __future__ import annotations

import importlib.resources
from pathlib import Path


def bundled_policy_dir() -> Path:
    """The directory of the bundled Rego library and its ``data/``."""
    checkout = Path(__file__).resolve().parents[1] / "policies"
    if checkout.is_dir():
        return checkout  # editable installs do not map policies/ onto guardrails._policies
    return Path(str(importlib.resources.files("guardrails._policies")))


def gpu_catalog_path() -> Path:
    """The bundled GPU catalog (built from the reference CSV by tools/build_gpu_catalog.py)."""
    return bundled_policy_dir() / "data" / "gpu_catalog.json"
