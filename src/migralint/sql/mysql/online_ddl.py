"""What an ALTER costs on InnoDB: the algorithm MySQL picks for each change, whether writes go on.

Sources, read for these facts (docs/rules/mysql-*.md name them too):
- MySQL 8.4 Reference Manual, 17.12.1 "Online DDL Operations", and the same tables in the 8.0
  manual: column operations (ADD COLUMN INSTANT since 8.0.12, at any position since 8.0.29; DROP
  COLUMN INSTANT since 8.0.29; reordering, NULL/NOT NULL and ADD PRIMARY KEY rebuild in place
  with writes going on; a data type change, a STORED generated column, DROP PRIMARY KEY without
  ADD and CONVERT TO CHARACTER SET copy the table with writes blocked; an AUTO_INCREMENT column
  added rebuilds in place with writes blocked; FULLTEXT and SPATIAL indexes block writes, the
  first FULLTEXT one rebuilds; ENUM/SET members appended INSTANT while the storage size stays;
  ADD FOREIGN KEY is INPLACE only with foreign_key_checks off).
- MariaDB Knowledge Base, "InnoDB Online DDL Overview" and "InnoDB Online DDL Operations with
  ALGORITHM=INSTANT": ADD COLUMN last INSTANT from 10.3.2, ADD, DROP and reorder from 10.4.
- Atlas's MySQL analyzers (ariga/atlas doc/md/lint/analyzers.mdx, MY110-MY141) for the ENUM/SET
  storage boundaries and the ENGINE and partitioning copies.
"""

from __future__ import annotations

import re
from enum import IntEnum
from typing import NamedTuple

from migralint.sql.ir import Blocks, LockTaken, TableName, Work

MDL = "an exclusive metadata lock"


class Algorithm(IntEnum):
    """MySQL's ALGORITHM levels, cheapest first (MariaDB's NOCOPY reads as INPLACE here)."""

    INSTANT = 0
    INPLACE = 1
    COPY = 2


class Cost(NamedTuple):
    """What one ALTER TABLE clause (or a whole statement) costs on an existing table."""

    algorithm: Algorithm
    rebuild: bool  # the table's rows are rewritten (in place or into a copy)
    blocks_writes: bool  # concurrent INSERT/UPDATE/DELETE wait until it is done
    what: str  # "changes ENUM `status` other than by appending members"
    kind: str  # which rule speaks for it: "copy", "rebuild", "blocking-index", "auto-increment", "type", "fk", ""
    span: tuple[int, int] | None = None


class Server(NamedTuple):
    """The server the migrations run on: MySQL's version, or MariaDB's when it is MariaDB."""

    mysql: tuple[int, ...] = (8, 4)
    mariadb: tuple[int, ...] | None = None

    @property
    def name(self) -> str:
        if self.mariadb is not None:
            return "MariaDB " + ".".join(map(str, self.mariadb))
        return "MySQL " + ".".join(map(str, self.mysql))

    def instant_add_column(self, positioned: bool) -> bool:
        if self.mariadb is not None:
            return self.mariadb >= (10, 4) or (not positioned and self.mariadb >= (10, 3, 2))
        return self.mysql >= (8, 0, 29) or (not positioned and self.mysql >= (8, 0, 12))

    def varchar_grows_in_place(self) -> bool:
        """Growing a VARCHAR without changing its length prefix: in place (metadata only) from MySQL
        5.7 (5.7 manual, 14.13.1, "Extending VARCHAR column size") and MariaDB 10.2.2 (KB, "InnoDB
        Online DDL Operations with ALGORITHM=INPLACE", Changing the Data Type of a Column); a copy before."""
        if self.mariadb is not None:
            return self.mariadb >= (10, 2, 2)
        return self.mysql >= (5, 7)

    def instant_drop_column(self) -> bool:
        if self.mariadb is not None:
            return self.mariadb >= (10, 4)
        return self.mysql >= (8, 0, 29)


INSTANT = Cost(Algorithm.INSTANT, False, False, "", "")
IN_PLACE = Cost(Algorithm.INPLACE, False, False, "", "")


def rebuild(what: str, span: tuple[int, int] | None = None) -> Cost:
    return Cost(Algorithm.INPLACE, True, False, what, "rebuild", span)


def copy(what: str, kind: str = "copy", span: tuple[int, int] | None = None) -> Cost:
    return Cost(Algorithm.COPY, True, True, what, kind, span)


def varchar_length_bytes(characters: int, bytes_per_character: int = 4) -> int:
    """The length prefix of a VARCHAR: 1 byte up to 255 bytes of data, 2 above (utf8mb4 assumed:
    the column's character set is not in the migration, and 4 bytes per character is the
    cautious answer, so VARCHAR(63) -> (64) crosses the boundary)."""
    return 1 if characters * bytes_per_character <= 255 else 2


# The most bytes one character takes in each character set (MySQL 8.4 manual, 12.9 "Unicode Support"
# and 12.2 "Character Sets and Collations in MySQL"); a set not listed counts as 4, the cautious answer.
BYTES_PER_CHARACTER = {
    "utf8mb4": 4, "utf8mb3": 3, "utf8": 3, "ucs2": 2, "utf16": 4, "utf16le": 4, "utf32": 4, "latin1": 1,
    "latin2": 1, "ascii": 1, "binary": 1, "cp1252": 1, "big5": 2, "gbk": 2, "gb18030": 4, "sjis": 2, "ujis": 3,
    "euckr": 2,
}
_VARIABLE = re.compile(r"^(?P<kind>varchar|varbinary)\((?P<length>\d+)\)$")


def varchar_growth(old_type: str, new_type: str, charset: str | None) -> tuple[int, int] | None:
    """(old, new) length-prefix bytes when a VARCHAR (or VARBINARY) only grows, else None. The charset
    is the column's, when known: utf8mb4 (4 bytes a character) is assumed otherwise."""
    old, new = _VARIABLE.match(old_type.replace(" ", "")), _VARIABLE.match(new_type.replace(" ", ""))
    if old is None or new is None or old["kind"] != new["kind"] or int(new["length"]) < int(old["length"]):
        return None
    width = 1 if old["kind"] == "varbinary" else BYTES_PER_CHARACTER.get((charset or "utf8mb4").lower(), 4)
    return (
        varchar_length_bytes(int(old["length"]), width),
        varchar_length_bytes(int(new["length"]), width),
    )


def enum_change_in_place(old: list[str], new: list[str], is_set: bool) -> bool:
    """Members appended at the end, while the storage size stays (ENUM: 1 byte up to 255
    members, 2 above; SET: 1, 2, 3, 4 or 8 bytes for up to 8, 16, 24, 32, 64 members)."""
    if new[: len(old)] != old:
        return False
    return _members_size(len(old), is_set) == _members_size(len(new), is_set)


def _members_size(count: int, is_set: bool) -> int:
    if not is_set:
        return 1 if count <= 255 else 2
    for limit, size in ((8, 1), (16, 2), (24, 3), (32, 4)):
        if count <= limit:
            return size
    return 8


def combined(costs: list[Cost]) -> Cost:
    """The statement's cost: MySQL runs one ALTER with one algorithm, the costliest its clauses need."""
    if not costs:
        return INSTANT
    worst = max(costs, key=lambda c: (c.algorithm, c.blocks_writes, c.rebuild))
    return Cost(
        worst.algorithm,
        any(c.rebuild for c in costs),
        any(c.blocks_writes for c in costs),
        worst.what,
        worst.kind,
        worst.span,
    )


def asserted(cost: Cost, algorithm: str | None, lock: str | None) -> Cost | None:
    """The cost once the statement's own ALGORITHM= / LOCK= clauses are read; None when MySQL
    refuses to run it as written (ALGORITHM=INPLACE on a change that needs COPY, LOCK=NONE on one
    that blocks writes): the migration then fails at once, before any lock is queued."""
    if algorithm in ("INSTANT", "INPLACE", "NOCOPY") and cost.algorithm > Algorithm[_level(algorithm)]:
        return None
    if algorithm == "INSTANT" and cost.rebuild:
        return None
    if lock == "NONE" and cost.blocks_writes:
        return None
    if algorithm == "COPY":
        return copy(cost.what or "copies the table (ALGORITHM=COPY)", cost.kind or "copy", cost.span)
    if lock in ("SHARED", "EXCLUSIVE") and not cost.blocks_writes:
        return cost._replace(blocks_writes=True)
    return cost


def _level(algorithm: str) -> str:
    return "INPLACE" if algorithm == "NOCOPY" else algorithm


def lock_of(table: TableName, cost: Cost) -> LockTaken:
    """The lock an ALTER holds on `table`: an exclusive metadata lock at its start and end in
    every case (what blocks DDL and, while it waits, every query queued behind it), writes
    blocked throughout for a COPY or a change that does not permit concurrent DML."""
    blocks = Blocks.DDL | (Blocks.WRITES if cost.blocks_writes else Blocks.NOTHING)
    if cost.algorithm is Algorithm.COPY:
        work: Work | None = Work.COPY
    elif cost.rebuild:
        work = Work.REWRITE
    else:
        work = None
    name = MDL if not cost.blocks_writes else f"{MDL}, and writes blocked"
    return LockTaken(table, blocks, name, work)
