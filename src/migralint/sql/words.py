"""What the front ends that cut a file themselves (sql/sqlite, sql/sqlserver) share: names
compared without regard to case, a piece of the file that is one statement, and the statement kind its first words say, for a statement the
parser could not read (it still gets a kind: a rule may want to know an ALTER TABLE was there)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from migralint.sql import ir


class Name(str):
    """A name as written, equal (and hashed alike) to every spelling that differs only in case:
    SQLite, and SQL Server under its default collations, resolve names without regard to case,
    and a message or help SQL shows the name as the user wrote it.

    A str, so that the catalog, the rules and the reports take it unchanged; a plain str compares
    equal to it when it is in lower case (the front ends' own comparisons use lower case)."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and self.lower() == other.lower()

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return hash(self.lower())


class Piece(NamedTuple):
    start: int  # first character of its first token
    end: int  # just past its last token, the ";" excluded
    words: tuple[str, ...]  # its first few bare words, upper case: what kind of statement it is


def comment_at(text: str, start: int, stop: int) -> ir.Comment:
    """The comment text[start:stop]; `own_line` when only blanks precede it on its line."""
    line_start = text.rfind("\n", 0, start) + 1
    return ir.Comment(start, stop, text[start:stop], not text[line_start:start].strip())


def closing_quote(text: str, i: int, closer: str, *, doubled_escapes: bool = True) -> int:
    """Just past the quote that closes the one at `i`, where a doubled closer is an escaped one
    (unless `doubled_escapes` is False); -1: none."""
    j = i + 1
    while True:
        k = text.find(closer, j)
        if k < 0:
            return -1
        if doubled_escapes and text.startswith(closer * 2, k):
            j = k + 2
            continue
        return k + 1


def kind_of(words: tuple[str, ...], verbs: Mapping[str, ir.Kind]) -> ir.Kind:
    """The kind of a statement from its first words; `verbs`: the dialect's other statements by
    their first word (INSERT, REPLACE, MERGE, ...)."""
    first = words[0] if words else ""
    second = words[1] if len(words) > 1 else ""
    if first == "CREATE":
        rest = set(words[1:4])
        if "TABLE" in rest:
            return ir.Kind.CREATE_TABLE
        return ir.Kind.CREATE_INDEX if "INDEX" in rest else ir.Kind.CREATE_OTHER
    if first == "ALTER":
        return ir.Kind.ALTER_TABLE if second == "TABLE" else ir.Kind.ALTER_OTHER
    if first == "DROP":
        return {"TABLE": ir.Kind.DROP_TABLE, "INDEX": ir.Kind.DROP_INDEX}.get(second, ir.Kind.DROP_OTHER)
    return verbs.get(first, ir.Kind.OTHER)
