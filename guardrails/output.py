"""Writing output files: all or nothing, never half-written, never replacing what is not a file.

A regular file is written through a temporary file in its directory and renamed over the path,
keeping an existing report's permissions. A symlink at an output path is never followed: a
pull request can commit ``guardrails-comment.md -> ~/.bashrc``; the rename replaces the link
itself. Inside the repository root (``root``) the output's directory must resolve inside it
too, and a path outside the root is written only when the user gave it as an absolute path.
A character device or a FIFO that has a reader (``-o /dev/stdout``, ``-o /dev/null``, a pipe)
outside the root is written straight through; a FIFO without a reader, a socket or a directory
is refused. With several outputs every destination is checked and every temporary file written
before the first rename, so a failure leaves none of them changed. SIGTERM and SIGINT remove
temporary files.

Content can come in chunks (a large JSON or SARIF report as it is encoded): each is written as
it comes, so the whole text is never in memory. Chunks bound for a device or a FIFO are first
gathered in an unnamed temporary file, so that nothing is written anywhere before every
output's content is complete.
"""

from __future__ import annotations

import errno
import os
import signal
import stat
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import IO

from guardrails.errors import ConfigError

#: Temporary files not yet renamed: removed if the process is told to stop.
_PENDING: set[str] = set()
#: What an output holds: text (written as UTF-8), bytes, or text in chunks written as made.
Content = str | bytes | Iterable[str]
#: Characters of a text encoded at a time (no second whole copy of a large text as bytes).
_SLICE = 1 << 20
#: Bytes a chunked output for a device keeps in memory before spilling to a temporary file.
_SPOOL_MEMORY = 8 << 20


@dataclass
class _Write:
    path: str
    content: Content
    target: str
    through: bool = False
    tmp: str | None = None
    #: The path is a symlink the rename replaces (its target is neither read nor written).
    replaces_link: bool = False
    #: A device's chunked content, gathered before anything is written.
    spool: IO[bytes] | None = None


def write_atomic(path: str | Path, content: Content, root: Path | None = None) -> None:
    """Write ``content`` (text as UTF-8, bytes, or text chunks) to ``path``: see the module
    docstring."""
    write_all([(path, content)], root)


def write_all(outputs: Sequence[tuple[str | Path, Content]], root: Path | None = None) -> None:
    """Write every output or, when any destination fails, none of them.

    ``root``: the repository root outputs are confined to (None: no root, library use).
    """
    writes = [_plan(str(path), content, root) for path, content in outputs]
    current = writes[0].path if writes else ""
    with _cleanup_on_signal():
        try:
            for write in writes:
                current = write.path
                if not write.through:
                    _stage(write)
                elif not isinstance(write.content, str | bytes):
                    write.spool = _spooled(write.content)
            for write in writes:
                current = write.path
                if write.through:
                    _write_through(write)
                else:
                    assert write.tmp is not None
                    os.replace(write.tmp, write.target)
                    _PENDING.discard(write.tmp)
        except OSError as exc:
            raise ConfigError(f"{current}: cannot write output: {exc.strerror or exc}") from None
        finally:
            for write in writes:
                if write.tmp and write.tmp in _PENDING:
                    _discard(write.tmp)
                if write.spool is not None:
                    write.spool.close()


def _encoded(content: Content) -> Iterator[bytes]:
    """``content`` as UTF-8, a piece at a time."""
    if isinstance(content, bytes):
        yield content
    elif isinstance(content, str):
        # Slicing never splits a character: a str holds code points, not UTF-16 units.
        for start in range(0, len(content), _SLICE):
            yield content[start : start + _SLICE].encode("utf-8")
    else:
        for chunk in content:
            yield chunk.encode("utf-8")


def _spooled(content: Iterable[str]) -> IO[bytes]:
    """The chunks gathered (in memory, then an unnamed temporary file), rewound."""
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=_SPOOL_MEMORY)  # noqa: SIM115
    try:
        for block in _encoded(content):
            spool.write(block)
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    return spool


def _plan(path: str, content: Content, root: Path | None) -> _Write:
    """Where ``path`` writes to, refusing what cannot be written (nothing written yet)."""
    lexical = os.path.abspath(path)
    inside = root is not None and _within(lexical, root)
    if root is not None and not inside and not os.path.isabs(path):
        raise ConfigError(
            f"{path}: is outside the repository root; give it as an absolute path to write there"
        )
    directory = os.path.dirname(lexical)
    if inside and root is not None and not _within(os.path.realpath(directory), root):
        raise ConfigError(
            f"{path}: output directory resolves outside the repository root "
            "(a symbolic link?); refused"
        )
    try:
        link = stat.S_ISLNK(os.lstat(path).st_mode)
        info = os.stat(path) if not (link and inside) else None
    except FileNotFoundError:
        link, info = False, None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write output: {exc.strerror or exc}") from None
    if info is not None:
        if stat.S_ISDIR(info.st_mode):
            raise ConfigError(f"{path}: is a directory, not an output file")
        if stat.S_ISCHR(info.st_mode) or stat.S_ISFIFO(info.st_mode):
            return _Write(path, content, path, through=True)  # /dev/stdout, a pipe
        if not stat.S_ISREG(info.st_mode):
            raise ConfigError(f"{path}: is not a regular file, a device or a FIFO; refused")
    if not os.path.isdir(directory):
        raise ConfigError(f"{path}: output directory {os.path.dirname(path) or '.'} does not exist")
    # The path itself, never where a symlink there points: the rename replaces the link.
    return _Write(path, content, lexical, replaces_link=link)


def _within(path: str, root: Path) -> bool:
    for base in {os.path.abspath(root), os.path.realpath(root)}:
        if path == base or path.startswith(base.rstrip(os.sep) + os.sep):
            return True
    return False


def _stage(write: _Write) -> None:
    directory = os.path.dirname(write.target) or "."
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(write.target)}.", dir=directory)
    except OSError as exc:
        raise ConfigError(
            f"{write.path}: cannot create a temporary file in {directory}: {exc.strerror or exc}"
        ) from None
    _PENDING.add(tmp)
    write.tmp = tmp
    try:
        with os.fdopen(fd, "wb") as fh:
            for block in _encoded(write.content):
                fh.write(block)
        os.chmod(tmp, _mode_for(write.target, write.replaces_link))
    except OSError as exc:
        raise ConfigError(f"{write.path}: cannot write output: {exc.strerror or exc}") from None


def _mode_for(target: str, replaces_link: bool) -> int:
    """An existing report keeps its permissions; a new one (or one replacing a symlink, whose
    target is not looked at) gets 0666 less the umask, like open()."""
    try:
        if replaces_link:
            raise FileNotFoundError(target)
        return stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


def _write_through(write: _Write) -> None:
    flags = os.O_WRONLY | getattr(os, "O_NOCTTY", 0)
    try:
        # Non-blocking open: a FIFO nobody reads would otherwise hang the run forever.
        fd = os.open(write.path, flags | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno == errno.ENXIO:  # a FIFO without a reader
            raise ConfigError(f"{write.path}: FIFO has no reader; refused") from None
        raise
    try:
        os.set_blocking(fd, True)
        spool = write.spool
        blocks = _encoded(write.content) if spool is None else iter(lambda: spool.read(_SLICE), b"")
        for block in blocks:
            view = memoryview(block)
            while view:
                view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def _discard(tmp: str) -> None:
    _PENDING.discard(tmp)
    Path(tmp).unlink(missing_ok=True)


class Terminated(BaseException):
    """SIGTERM arrived: unwinds like KeyboardInterrupt so temporary files are removed."""


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise Terminated(signum)


@contextmanager
def _cleanup_on_signal() -> Iterator[None]:
    """While temporary files exist, SIGTERM unwinds (SIGINT already does) so they are removed."""
    try:
        previous = signal.signal(signal.SIGTERM, _terminate)
    except ValueError:  # not the main thread: signals go elsewhere
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
