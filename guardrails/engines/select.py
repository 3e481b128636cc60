"""Choosing an engine: --engine auto|rego|opa|python."""

from __future__ import annotations

from guardrails.engines.base import Engine
from guardrails.engines.python import PythonEngine
from guardrails.errors import EngineError

ENGINE_NAMES = ("auto", "rego", "opa", "python")


def rego_available() -> bool:
    """Whether an in-process Rego engine can be imported here."""
    return False


def select_engine(
    name: str,
    *,
    opa_url: str | None = None,
    allow_fallback: bool = True,
    upload: bool = True,
) -> tuple[Engine, list[str]]:
    """The engine to run and any warnings about how it was chosen."""
    if name not in ENGINE_NAMES:
        raise EngineError(f"unknown engine {name!r}; choose one of {', '.join(ENGINE_NAMES)}")
    if name in ("auto", "python"):
        return PythonEngine(), []
    raise EngineError(f"engine {name!r} is not available here")
