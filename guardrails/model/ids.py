"""The resource id format: unique across the inputs of one scan."""

from __future__ import annotations


def resource_id(path: str, address: str) -> str:
    """A stable id unique across inputs: the input path plus the native address."""
    return f"{path}#{address}"


def input_path_of(resource_id: str) -> str | None:
    """The input path a :func:`resource_id` was made from (None for ids made otherwise)."""
    path, sep, _ = resource_id.partition("#")
    return path if sep else None
