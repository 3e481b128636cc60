"""The one error hierarchy: every error a user can cause, each with a one-line message."""

from __future__ import annotations

from contextvars import ContextVar

#: The input file being read or evaluated, named by the catch-all "internal error" message.
current_input: ContextVar[str | None] = ContextVar("current_input", default=None)


class GuardrailsError(Exception):
    """Base of every error guardrails reports to a user (exit code 2)."""

    exit_code = 2


class InputError(GuardrailsError):
    """An input file is unreadable, malformed, too large or of an unknown format."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


class ResourceLimitError(GuardrailsError):
    """The scan reaches more resources than ``--max-resources``: the whole scan stops.

    Not an :class:`InputError`, so the handlers that record one file's error and go on with
    the others let it through."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


class InputErrors(InputError):
    """Several inputs failed and none could be evaluated: one line per input."""

    def __init__(self, errors: list[InputError]) -> None:
        GuardrailsError.__init__(self, "\n".join(str(e) for e in errors))
        self.errors = tuple(errors)
        self.path = errors[0].path
        self.problem = errors[0].problem


class NoInputError(GuardrailsError):
    """A scan found no input in a supported format (a mistyped path must not pass)."""

    def __init__(self, paths: list[str], skipped: int, unscanned: int = 0) -> None:
        where = ", ".join(paths) or "(no paths)"
        if skipped:
            found = f"{skipped} file(s) found, none in a supported format"
        elif unscanned:
            found = f"{unscanned} file(s), none named .json, .yaml, .yml or .tf"
        else:
            found = "no files"
        if skipped and unscanned:
            found += f"; {unscanned} other file(s) not read (not .json, .yaml, .yml or .tf)"
        super().__init__(
            f"{where}: no supported input found ({found}); "
            "pass --allow-empty to accept an empty scan"
        )


class ConfigError(GuardrailsError):
    """The configuration file or a command-line option is invalid."""


class EngineError(GuardrailsError):
    """A policy engine failed to load or evaluate the policies."""
