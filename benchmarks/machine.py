"""What every results file records about when and where it was measured."""

from __future__ import annotations

import os
import platform
from datetime import UTC, datetime
from typing import Any


def generated_now() -> str:
    """The UTC time a results document is written, as ``2026-12-04T07:23:48Z``."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def machine(**extra: Any) -> dict[str, Any]:
    """Python version, platform and CPU count, plus ``extra`` facts of one benchmark."""
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        **extra,
    }
