"""What every policy engine provides, and the raw finding shape they all return."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from guardrails.errors import EngineError, current_input

if TYPE_CHECKING:  # the sandbox child imports this module: it never loads the catalog
    from guardrails.catalog import Catalog

#: A finding as a policy returns it: ``resource`` (id or "change"), ``message``,
#: optional ``outcome`` ("unknown") and ``attribute`` (the path known only after apply).
RawFinding = dict[str, Any]


class Engine(Protocol):
    """Evaluates the catalog's policies on one input document."""

    name: str

    def evaluate(
        self, input_doc: dict[str, Any], config: dict[str, Any], catalog: Catalog
    ) -> dict[str, list[RawFinding]]:
        """Raw findings keyed by policy id, for every policy of ``catalog`` it can run."""
        ...


def error_line(text: str, limit: int = 300) -> str:
    """An engine's error text on one line (whitespace runs as one space), at most ``limit``
    characters."""
    return " ".join(text.split())[:limit]


def evaluation_failed(detail: str) -> EngineError:
    """A Rego evaluation error, naming the inputs being judged first, like every input error
    (a value of a shape no policy expected is the usual cause)."""
    return EngineError(naming_input(f"Rego evaluation failed: {' '.join(detail.split())[:300]}"))


def naming_input(message: str) -> str:
    """``message`` preceded by the input being judged, when one is (``current_input``)."""
    where = current_input.get()
    return f"{where}: {message}" if where else message
