"""The resource graph every policy sees, and the findings policies produce."""

from guardrails.model.finding import Finding, Outcome, Severity
from guardrails.model.graph import Graph, InputFile
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
