"""Reading any file a pull request can add: regular files only, within a size limit, as UTF-8.

Inputs, the ``.tf`` files read beside a plan, inline-waiver sources, ``.guardrails.yaml``,
``--config`` and ``--baseline`` all come through here. A FIFO, socket or device is refused from
its ``stat`` without being opened for reading (a FIFO would block forever, ``/dev/zero`` never
ends); the file is opened non-blocking and checked again, so a swap between the two checks
cannot slip one through; reading stops one byte past the limit.
"""

from __future__ import annotations

import os
import stat
import sys

from guardrails.errors import InputError
from guardrails.limits import DEFAULT_MAX_BYTES, MAX_LIMIT_BYTES

STDIN_NAME = "<stdin>"
_CHUNK = 1 << 20


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def check_regular(path: str) -> os.stat_result:
    """The ``stat`` of ``path`` (symlinks followed) when it is a regular file; else InputError."""
    try:
        info = os.stat(path)
    except OSError as exc:
        raise InputError(path, f"cannot read: {_reason(exc)}") from None
    except ValueError:  # embedded NUL byte in the name
        raise InputError(path, "cannot read: invalid file name") from None
    if not stat.S_ISREG(info.st_mode):
        raise InputError(path, f"is {_kind(info.st_mode)}, not a regular file; refused")
    return info


def _reason(exc: OSError) -> str:
    return str(exc.strerror or exc)


def read_bytes(path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The bytes of regular file ``path`` (or ``-``: stdin), refusing more than ``max_bytes``."""
    max_bytes = min(max_bytes, MAX_LIMIT_BYTES)
    if path == "-":
        try:
            return _bounded(sys.stdin.buffer, STDIN_NAME, max_bytes)
        except OSError as exc:
            raise InputError(STDIN_NAME, f"cannot read: {_reason(exc)}") from None
    info = check_regular(path)
    if info.st_size > max_bytes:
        raise InputError(path, f"file is {info.st_size:,} bytes, over the {max_bytes:,}-byte limit")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise InputError(path, f"cannot read: {_reason(exc)}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise InputError(path, "was replaced by something other than a regular file; refused")
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return _bounded(fh, path, max_bytes)
    except OSError as exc:
        raise InputError(path, f"cannot read: {_reason(exc)}") from None
    finally:
        os.close(fd)


def _bounded(stream: object, name: str, max_bytes: int) -> bytes:
    chunks: list[bytes] = []
    total = 0
    read = stream.read  # type: ignore[attr-defined]
    while True:
        chunk = read(min(_CHUNK, max_bytes + 1 - total))
        if not chunk:
            break
        if not chunks and b"\x00" in chunk[:8192]:
            # Binary (a piped /dev/zero, an image): refuse now rather than after the limit.
            raise InputError(
                name, "binary file (contains NUL bytes), expected JSON, YAML or HCL text"
            )
        chunks.append(chunk)
        total += len(chunk)
        if total > max_bytes:
            raise InputError(name, f"input is over the {max_bytes:,}-byte limit")
    return b"".join(chunks)


def decode(name: str, raw: bytes) -> str:
    """UTF-8 text (a BOM is dropped); InputError for binary files and other encodings."""
    if b"\x00" in raw[:8192]:
        raise InputError(name, "binary file (contains NUL bytes), expected JSON, YAML or HCL text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(name, f"not valid UTF-8 text (byte {exc.start})") from None


def read_text(path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Read a regular file (or ``-`` for stdin) as UTF-8 text within the size limit."""
    return decode(STDIN_NAME if path == "-" else path, read_bytes(path, max_bytes))


def read_side_file(path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> str | None:
    """A file read beside an input (``.tf`` for source lines, inline waivers), or None.

    The same guards as inputs: a FIFO, socket or device is refused (InputError), never
    opened; a directory or a file that vanished is None. Undecodable bytes become U+FFFD so
    line numbers stay right: these files only locate lines, they are not parsed.
    """
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    if stat.S_ISDIR(info.st_mode):
        return None
    raw = read_bytes(path, max_bytes)
    return raw.decode("utf-8-sig", errors="replace")
