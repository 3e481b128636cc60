"""Progress on stderr while a scan runs: files read, then what it does next."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

#: Without a terminal, a plain line every this many files.
PLAIN_EVERY = 500


@dataclass(frozen=True)
class Reporter:
    """``file(path)`` for each input read; ``stage(text)`` when the scan moves on."""

    file: Callable[[str], None]
    stage: Callable[[str], None]


@contextmanager
def progress_reporter(enabled: bool | None) -> Iterator[Reporter | None]:
    """A live spinner with the elapsed time on a TTY, plain lines otherwise.

    ``enabled`` None means: only when stderr is a terminal. The spinner runs for the whole
    scan, so a 100,000-resource plan read in one file still shows that work goes on and
    which stage it is in.
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

        counted = False

        def read_all() -> None:
            nonlocal counted
            if count and not counted:
                sys.stderr.write(f"progress: {count} files read\n")
            counted = True

        def plain_stage(text: str) -> None:
            read_all()  # reading is over once the scan moves on
            sys.stderr.write(f"progress: {text}\n")

        yield Reporter(plain, plain_stage)
        read_all()
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

        def live_stage(text: str) -> None:
            bar.update(task, description=text)

        yield Reporter(live, live_stage)
