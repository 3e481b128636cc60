"""Progress on stderr while many or large inputs are read."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

#: Without a terminal, a plain line every this many files.
PLAIN_EVERY = 500


@contextmanager
def progress_reporter(enabled: bool | None) -> Iterator[Callable[[str], None] | None]:
    """A callback counting files read; a live bar on a TTY, plain lines otherwise.

    ``enabled`` None means: only when stderr is a terminal.
    """
    tty = sys.stderr.isatty()
    if enabled is False or (enabled is None and not tty):
        yield None
        return
    if not tty:
        count = 0

        def plain(path: str) -> None:
            nonlocal count
            count += 1
            if count % PLAIN_EVERY == 0:
                sys.stderr.write(f"progress: {count} files read (last: {path})\n")

        yield plain
        if count:
            sys.stderr.write(f"progress: {count} files read\n")
        return
    from rich.console import Console  # only for a live bar: rich costs ~50 ms to import
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("reading inputs", total=None)
        seen = 0

        def live(path: str) -> None:
            nonlocal seen
            seen += 1
            bar.update(task, description=f"reading inputs: {seen} files ({path})")

        yield live
