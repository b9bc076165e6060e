"""Source text and the one place where offsets become lines and columns.

libpg_query reports byte offsets into the UTF-8 text; Python strings, the scanner and
our users count characters. Everything inside migralint is kept in character offsets,
converted from bytes once, here.
"""

from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate


class LineIndex:
    """Maps character offsets to 1-based (line, column) pairs, and bytes to characters."""

    __slots__ = ("text", "_line_starts", "_byte_starts")

    def __init__(self, text: str) -> None:
        self.text = text
        starts = [0]
        find = text.find
        pos = find("\n")
        while pos != -1:
            starts.append(pos + 1)
            pos = find("\n", pos + 1)
        self._line_starts = starts
        # For pure-ASCII text a byte offset is a character offset: skip the table.
        self._byte_starts: list[int] | None = None
        if not text.isascii():
            self._byte_starts = list(accumulate((len(ch.encode("utf-8")) for ch in text), initial=0))

    def char_offset(self, byte_offset: int) -> int:
        """The index of the character that starts at (or contains) `byte_offset`."""
        if self._byte_starts is None:
            return byte_offset
        return max(0, bisect_right(self._byte_starts, byte_offset) - 1)

    def byte_offset(self, char_offset: int) -> int:
        if self._byte_starts is None:
            return char_offset
        return self._byte_starts[min(char_offset, len(self._byte_starts) - 1)]

    def position(self, offset: int) -> tuple[int, int]:
        """1-based line and column of a character offset."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect_right(self._line_starts, offset)
        return line, offset - self._line_starts[line - 1] + 1

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
