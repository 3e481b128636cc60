"""The resource graph every policy sees, and the findings policies produce."""

from guardrails.model.finding import Finding, Outcome, Severity
from guardrails.model.graph import INPUT_ERROR, INPUT_SKIPPED, Graph, InputFile
from guardrails.model.resource import (
    REDACTED,
    Action,
    Edge,
    EdgeKind,
    Location,
    Resource,
    SourceFormat,
)

__all__ = [
    "INPUT_ERROR",
    "INPUT_SKIPPED",
    "REDACTED",
    "Action",
    "Edge",
    "EdgeKind",
    "Finding",
    "Graph",
    "InputFile",
    "Location",
    "Outcome",
    "Resource",
    "Severity",
    "SourceFormat",
]
