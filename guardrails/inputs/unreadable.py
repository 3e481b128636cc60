"""Inputs that could not be read or parsed, as graph nodes every report names.

One bad file must not hide the rest of a scan, nor pass silently: it becomes an ``error`` input
and a node whose ``unevaluated`` reason GR-INPUT-001 reports as an ``unknown`` outcome, so every
report format says which file was not evaluated and that the report is partial.
"""

from __future__ import annotations

from pathlib import PurePath

from guardrails.errors import InputError
from guardrails.lazy_regex import LazyPattern
from guardrails.model import INPUT_ERROR, Action, Graph, InputFile, Location, Resource
from guardrails.model import SourceFormat as Fmt
from guardrails.model.ids import resource_id

#: ``Resource.mode`` of a node standing for a whole unreadable input.
INPUT_MODE = "input"
_LINE = LazyPattern(r"\bat line (\d+)\b")


def unreadable_input(error: InputError) -> Graph:
    """The graph of one input that failed: an ``error`` input and its ``unevaluated`` node."""
    match = _LINE.search(error.problem)
    line = int(match.group(1)) if match else None
    node = Resource(
        id=resource_id(error.path, "(input)"),
        address=error.path,
        source_format=Fmt.UNREADABLE,
        provider="none",
        type="input",
        name=PurePath(error.path).name,
        action=Action.CREATE,
        attributes={},
        location=Location(error.path, line),
        mode=INPUT_MODE,
        unevaluated=(
            f"not evaluated, the report is partial: {error.problem} "
            "(fix the file or leave it out of the scan)"
        ),
    )
    return Graph((node,), (), (InputFile(error.path, INPUT_ERROR, (error.problem,)),))
