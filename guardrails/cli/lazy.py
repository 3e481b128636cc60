"""Commands built on first use: a run imports the command it runs, not the other ten.

Typer turns every registered command into a Click command (reading each function's signature)
before it parses anything, and registering one means importing its module and what that
imports. A group whose ``commands`` mapping knows every name but builds a command only when it
is looked up keeps ``guardrails check`` from paying for ``webhook``, ``budgets`` and the rest;
a help listing looks every command up, so it shows them all as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping
from typing import TYPE_CHECKING, Any

from typer.core import TyperGroup

if TYPE_CHECKING:  # Typer vendors its own Click; these are its types
    from typer._click import Command, Context


class LazyCommands(MutableMapping[str, "Command"]):
    """Commands by name, in the given order; each built by ``build`` when first looked up."""

    def __init__(
        self,
        names: Iterable[str],
        build: Callable[[str], Command],
        built: Mapping[str, Command] | None = None,
    ) -> None:
        self._build = build
        self._names = list(names)
        self._built = dict(built or {})
        self._names += [name for name in self._built if name not in self._names]

    def __getitem__(self, name: str) -> Command:
        if name not in self._built:
            if name not in self._names:
                raise KeyError(name)
            self._built[name] = self._build(name)
        return self._built[name]

    def __setitem__(self, name: str, command: Command) -> None:
        self._built[name] = command
        if name not in self._names:
            self._names.append(name)

    def __delitem__(self, name: str) -> None:
        self._names.remove(name)
        self._built.pop(name, None)

    def __contains__(self, name: object) -> bool:  # without building it
        return name in self._names

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._names))

    def __len__(self) -> int:
        return len(self._names)


def lazy_group(names: Iterable[str], build: Callable[[str], Command]) -> type[TyperGroup]:
    """A Typer group class whose commands are ``names``, each built by ``build`` on first use."""
    order = tuple(names)

    class LazyGroup(TyperGroup):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.commands = LazyCommands(order, build, self.commands)

        def list_commands(self, ctx: Context) -> list[str]:
            return list(self.commands)

    return LazyGroup
