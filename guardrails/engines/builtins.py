"""Builtins a user policy may not call: what reaches outside the evaluation.

A pull request can add a policy (``--policy-dir``), so a policy's calls are checked before it
runs, on every engine alike, the way OPA's capabilities are: a compile-time look at the calls,
not a runtime trap. Neither embedded engine exposes capabilities (opa-golib-python-bindings
has no option for them; regopy answers ``http.send`` with undefined), so the check reads the
source itself. Function calls in Rego are resolved statically (no first-class functions), so
every way to reach a builtin is a reference spelled in the source: ``http.send(...)``,
``http["send"](...)``, or the value of a ``with`` (``with f as http.send``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from guardrails.engines.rego_lexer import static_keys, tokens
from guardrails.errors import ConfigError


@dataclass(frozen=True)
class DeniedBuiltin:
    """A builtin refused in user policies, why, and whether the opt-in flag allows it."""

    name: str
    reason: str
    network: bool


#: Refused by default in policies the project does not ship. ``network`` ones are allowed
#: by ``--allow-network-builtins``; the others never.
DENIED: tuple[DeniedBuiltin, ...] = (
    DeniedBuiltin("http.send", "sends anything, the input included, to any address", True),
    DeniedBuiltin("net.lookup_ip_addr", "resolves names over DNS (a channel out)", True),
    DeniedBuiltin(
        "json.match_schema", "fetches the schema's remote $ref URLs (OPA GETs them)", True
    ),
    DeniedBuiltin(
        "json.verify_schema", "fetches the schema's remote $ref URLs (OPA GETs them)", True
    ),
    DeniedBuiltin(
        "opa.runtime",
        "reads the process environment (CI secrets); empty on the OPA library, the real "
        "environment on regopy",
        False,
    ),
)

NETWORK_FLAG = "--allow-network-builtins"


def references(source: str) -> Iterator[tuple[tuple[str, ...], int]]:
    """Every reference chain that starts at a name (``a.b["c"]`` → ``("a", "b", "c")``) and
    the line it starts on. A chain stops at anything that is not ``.name`` or ``["string"]``
    (a variable index cannot name a builtin)."""
    items = list(tokens(source))
    for index, token in enumerate(items):
        if token.kind != "ident" or (index and items[index - 1].text == "."):
            continue
        keys, _ = static_keys(items, index + 1)
        yield (token.text, *keys), token.line


def denied_calls(source: str, allow_network: bool = False) -> list[tuple[DeniedBuiltin, int]]:
    """The denied builtins ``source`` refers to, with the line of each reference."""
    wanted = {tuple(d.name.split(".")): d for d in DENIED if not (allow_network and d.network)}
    found = []
    for parts, line in references(source):
        for length in (2, 3):
            denied = wanted.get(parts[:length])
            if denied is not None:
                found.append((denied, line))
    return found


def check_sources(
    sources: Iterable[tuple[str, str]], allow_network: bool, backend: str | None = None
) -> None:
    """Refuse the first (file, text) that refers to a denied builtin: a ConfigError naming the
    file, line and builtin (exit 2). On regopy, which implements no network builtin (they
    are undefined there: a silent pass), they are refused even when allowed."""
    regopy_allowed = allow_network and backend == "regopy"
    for name, text in sources:
        calls = denied_calls(text, allow_network and not regopy_allowed)
        if not calls:
            continue
        denied, line = calls[0]
        if regopy_allowed and denied.network:
            raise ConfigError(
                f"{name}:{line}: policy calls {denied.name}, which regopy does not implement "
                "(undefined there: a silent pass); install the OPA library "
                "(opa-golib-python-bindings) to run it"
            )
        advice = (
            f"pass {NETWORK_FLAG} only for policies you trust"
            if denied.network
            else "no flag allows it; pass values through data or the input"
        )
        raise ConfigError(
            f"{name}:{line}: policy calls {denied.name}, which user policies may not use "
            f"({denied.reason}); {advice}"
        )
