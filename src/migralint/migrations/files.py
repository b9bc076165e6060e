"""Reading the files a migrations folder holds, safely.

A path named like a migration can be anything: a FIFO (opening it for reading waits for a
writer that never comes), a link to /dev/zero (reading it never ends), a file of gigabytes.
Only regular files are read, opened without blocking, and never past a size bound.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

# Far above any real migration (the largest in the corpus is a few MB of seed data), low
# enough that the text, its parse tree and the findings fit in memory.
MAX_BYTES = 64 * 1024 * 1024


class NotRegularFile(OSError):
    """The path is a FIFO, a device, a socket or a folder: not a migration file."""


class FileTooLarge(OSError):
    """The file is larger than MAX_BYTES."""


def read_bytes(path: Path | str, limit: int = MAX_BYTES) -> bytes:
    """The bytes of a regular file of at most `limit` bytes. Raises OSError (with a strerror
    a person can read) for anything else."""
    fd = _open_regular(path)
    try:
        if os.fstat(fd).st_size > limit:
            raise FileTooLarge(errno.EFBIG, f"larger than {limit // (1024 * 1024)} MiB", str(path))
        chunks: list[bytes] = []
        size = 0
        while True:  # st_size can lie (a file that grows while we read): never read past the bound
            chunk = os.read(fd, min(1024 * 1024, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                raise FileTooLarge(errno.EFBIG, f"larger than {limit // (1024 * 1024)} MiB", str(path))
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_head(path: Path | str, size: int) -> bytes:
    """The first `size` bytes of a regular file (what a layout's marker comment needs)."""
    fd = _open_regular(path)
    try:
        return os.read(fd, size)
    finally:
        os.close(fd)


def _open_regular(path: Path | str) -> int:
    # O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise NotRegularFile(errno.EINVAL, f"not a regular file ({_kind(mode)})", str(path))
    return fd


def read_text(path: Path | str, limit: int = MAX_BYTES) -> str:
    """A UTF-8 text file (a BOM is dropped). Raises OSError or UnicodeDecodeError."""
    return read_bytes(path, limit).decode("utf-8-sig")


def is_file(path: Path) -> bool:
    """Path.is_file() that answers False, instead of raising, for a path it may not look at."""
    try:
        return path.is_file()
    except OSError:
        return False


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "a special file"
