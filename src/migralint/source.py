"""Source text: reading a migration safely, showing its path, and the one place where offsets
become lines and columns.

A path named like a migration can be anything: a FIFO (opening it for reading waits for a
writer that never comes), a link to /dev/zero (reading it never ends), a file of gigabytes.
Only regular files are read, opened without blocking, and never past a size bound.

libpg_query reports byte offsets into the UTF-8 text; Python strings, the scanner and
our users count characters. Everything inside migralint is kept in character offsets,
converted from bytes once, here.

A leaf: it imports no other part of migralint.
"""

from __future__ import annotations

import errno
import os
import stat
from array import array
from bisect import bisect_right
from collections.abc import Iterator
from itertools import accumulate, count
from operator import add
from pathlib import Path
from typing import Any


# Far above any real migration (the largest in the corpus is a few MB of seed data), low
# enough that the text, its parse tree and the findings fit in memory.
MAX_BYTES = 64 * 1024 * 1024
# The character tables of non-ASCII lines a LineIndex keeps (see LineIndex._line_table).
_LINE_TABLES = 64


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


def read_sql(path: Path) -> str:
    """A migration file's text. Raises OSError (also for a FIFO, a device or a file too
    large to lint) or UnicodeDecodeError."""
    return read_text(path)


def display_path(path: Path, cwd: str | None = None) -> str:
    """Paths under the working directory are shown relative to it, as editors and CI expect."""
    cwd = cwd or os.getcwd()
    text = os.fspath(path)
    if text.startswith("/") and "/." not in text and "//" not in text and not text.endswith("/") and os.sep == "/":
        absolute = text  # normalized already (no ".", "..", "//"): what abspath would return, without its cost
    else:
        absolute = os.path.abspath(text)
    if absolute == cwd:
        return "."
    prefix = cwd.rstrip(os.sep) + os.sep
    if absolute.startswith(prefix):
        # What relpath would say, by slicing: `absolute` is normalized, so is what follows the
        # prefix (relpath and a Path per file were a visible share of a whole-corpus run).
        relative = absolute[len(prefix):]
        return relative.replace(os.sep, "/") if os.sep != "/" else relative
    return text if os.sep == "/" else path.as_posix()  # a Path's text is its POSIX form there


class DeferredTexts(dict[str, str]):
    """LintResult.sources, where the text of a file the cache spared reading is read only when a
    reporter asks for it (the text formats' snippets, fingerprints): the JSON of a warm run reads
    no migration at all. Reporters ask with get(); everything else sees every text, read first."""

    __slots__ = ("_paths",)

    def __init__(self) -> None:
        super().__init__()
        self._paths: dict[str, str] = {}

    def defer(self, shown: str, path: str) -> None:
        dict.pop(self, shown, None)
        self._paths[shown] = path

    def _load(self, shown: str) -> str:
        try:
            text = read_text(self._paths.pop(shown))
        except (OSError, UnicodeDecodeError):  # gone since it was linted: no snippet, as for any unreadable text
            text = ""
        dict.__setitem__(self, shown, text)
        return text

    def _load_all(self) -> None:
        for shown in list(self._paths):
            self._load(shown)

    def get(self, key: str, default: Any = None) -> Any:
        if key in self._paths:
            return self._load(key)
        return dict.get(self, key, default)

    def __getitem__(self, key: str) -> str:
        return self._load(key) if key in self._paths else dict.__getitem__(self, key)

    def __contains__(self, key: object) -> bool:
        return key in self._paths or dict.__contains__(self, key)

    def __setitem__(self, key: str, value: str) -> None:
        self._paths.pop(key, None)
        dict.__setitem__(self, key, value)

    def __len__(self) -> int:
        return dict.__len__(self) + len(self._paths)

    def __iter__(self) -> Iterator[str]:
        self._load_all()
        return dict.__iter__(self)

    def keys(self) -> Any:
        self._load_all()
        return dict.keys(self)

    def values(self) -> Any:
        self._load_all()
        return dict.values(self)

    def items(self) -> Any:
        self._load_all()
        return dict.items(self)


# Up to this many characters, a file's lines are found through one list of them (its size again
# for a moment): most migrations are a few kilobytes.
_SPLIT_LINES = 1_000_000


class LineIndex:
    """Maps character offsets to 1-based (line, column) pairs, and bytes to characters."""

    __slots__ = ("text", "_line_starts", "_line_bytes", "_line_tables")

    def __init__(self, text: str) -> None:
        self.text = text
        # Arrays, not lists: a list held an int object of 32 bytes for each line start past
        # 256, 0.45 MiB per MB of DDL for the whole lint; an array holds 8 bytes.
        starts: array[int]
        if len(text) <= _SPLIT_LINES:
            # Line k starts after the lengths of the k lines before it and their k newlines: all
            # in C, where a find() and an append() a line cost a Python loop as long as the file.
            lines = text.split("\n")
            lines.pop()
            starts = array("q", map(add, accumulate(map(len, lines), initial=0), count()))
            del lines
        else:
            # Larger text, a line at a time: the list of every line would double its memory.
            starts = array("q", (0,))
            find = text.find
            pos = find("\n")
            while pos != -1:
                starts.append(pos + 1)
                pos = find("\n", pos + 1)
        self._line_starts = starts
        # For pure-ASCII text a byte offset is a character offset: no table at all. Otherwise
        # the byte offset of each line start, and a character table per line built only for
        # the lines a conversion lands in (a table for every character of a 20 MB file would
        # cost seconds and hundreds of MB), the last few kept (_LINE_TABLES).
        self._line_bytes: array[int] | None = None
        self._line_tables: dict[int, array[int]] = {}
        if not text.isascii():
            line_bytes = array("q", (0,))
            for k in range(1, len(starts)):
                line_bytes.append(line_bytes[-1] + len(text[starts[k - 1] : starts[k]].encode("utf-8", "surrogatepass")))
            self._line_bytes = line_bytes

    def _line_table(self, line: int) -> array[int]:
        """Byte offsets (from the line's start) of each character of 0-based `line`, and its end."""
        table = self._line_tables.get(line)
        if table is None:
            if len(self._line_tables) >= _LINE_TABLES:
                # Conversions land near the statement being checked: a table for every line
                # of a large non-ASCII file, kept to the end, cost 8 bytes a character.
                self._line_tables.clear()
            start = self._line_starts[line]
            end = self._line_starts[line + 1] if line + 1 < len(self._line_starts) else len(self.text)
            chunk = self.text[start:end]
            table = self._line_tables[line] = array(
                "q", accumulate((len(ch.encode("utf-8", "surrogatepass")) for ch in chunk), initial=0)
            )
        return table

    def char_offset(self, byte_offset: int) -> int:
        """The index of the character that starts at (or contains) `byte_offset`."""
        if self._line_bytes is None:
            return byte_offset
        line = max(0, bisect_right(self._line_bytes, byte_offset) - 1)
        table = self._line_table(line)
        within = max(0, bisect_right(table, byte_offset - self._line_bytes[line]) - 1)
        return min(self._line_starts[line] + within, len(self.text))

    def byte_offset(self, char_offset: int) -> int:
        if self._line_bytes is None:
            return char_offset
        char_offset = max(0, min(char_offset, len(self.text)))
        line = bisect_right(self._line_starts, char_offset) - 1
        table = self._line_table(line)
        return self._line_bytes[line] + table[min(char_offset - self._line_starts[line], len(table) - 1)]

    def position(self, offset: int) -> tuple[int, int]:
        """1-based line and column of a character offset."""
        # Comparisons rather than max() and min(): asked twice for each finding.
        if offset < 0:
            offset = 0
        elif offset > len(self.text):
            offset = len(self.text)
        starts = self._line_starts
        line = bisect_right(starts, offset)
        return line, offset - starts[line - 1] + 1

    def offset(self, line: int, column: int) -> int:
        """The character offset of a 1-based (line, column) pair."""
        return self._line_starts[line - 1] + column - 1

    def line_text(self, line: int) -> str:
        start = self._line_starts[line - 1]
        end = self.text.find("\n", start)
        return self.text[start : end if end != -1 else len(self.text)].rstrip("\r")

    @property
    def line_count(self) -> int:
        return len(self._line_starts)
