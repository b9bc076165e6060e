"""The words the statement model (sql/ir.py) is made of: tables, statement kinds, locks, columns."""

from __future__ import annotations

from enum import Enum, Flag, auto
from typing import TYPE_CHECKING, NamedTuple

from migralint.frozen import Value, set_field, slot_setters

if TYPE_CHECKING:
    # mypy checks these classes as the frozen dataclasses they behave as (see migralint/frozen.py).
    from dataclasses import dataclass as frozen_value
else:
    from migralint.frozen import frozen_value


class TableName(NamedTuple):
    """A table (or index, view...) as the database resolves it: schema and folded name.

    `schema` is what the dialect resolves an unqualified name to ("public" on PostgreSQL; "" on
    MySQL and SQLite, where it is the connection's database). A NamedTuple: rules build and hash
    hundreds of thousands of them, and tuples do both in C.
    """

    schema: str
    name: str

    def qualified(self) -> str:
        return f"{self.schema}.{self.name}" if self.schema else self.name


class Kind(str, Enum):
    """The statement's shape, as its author wrote it. What it does is in `events`."""

    CREATE_TABLE = "create table"
    ALTER_TABLE = "alter table"  # RENAME COLUMN / RENAME TO written as ALTER TABLE included
    DROP_TABLE = "drop table"
    RENAME_TABLE = "rename table"  # a statement of its own: MySQL RENAME TABLE, sp_rename
    CREATE_INDEX = "create index"
    DROP_INDEX = "drop index"
    CREATE_OTHER = "create"  # views, types, functions, sequences, extensions, schemas...
    ALTER_OTHER = "alter"
    DROP_OTHER = "drop"
    INSERT = "insert"
    UPDATE = "update"
    DELETE = "delete"
    TRUNCATE = "truncate"
    SELECT = "select"
    TRANSACTION = "transaction"  # BEGIN, COMMIT, ROLLBACK, SAVEPOINT: see `tx`
    SET = "set"  # session settings: SET lock_timeout, SET lock_wait_timeout, PRAGMA ...
    OTHER = "other"


class Blocks(Flag):
    """What other sessions wait for while a lock is held."""

    NOTHING = 0
    DDL = auto()  # other schema changes (and VACUUM on PostgreSQL)
    WRITES = auto()  # INSERT, UPDATE, DELETE
    READS = auto()  # SELECT


class Work(str, Enum):
    """The slow thing done while a lock is held: time in proportion to the table's rows."""

    SCAN = "a scan of every row"  # validating a constraint or NOT NULL
    REWRITE = "a rewrite of the table"  # in place (PostgreSQL, MySQL INPLACE rebuild)
    COPY = "a copy of the table"  # MySQL ALGORITHM=COPY, SQLite's create-copy-drop-rename
    INDEX_BUILD = "an index build"
    BACKFILL = "a backfill of every row"  # UPDATE of every row, a default written to each row


class LockTaken(NamedTuple):
    table: TableName
    blocks: Blocks
    name: str  # the dialect's own name for it: "ACCESS EXCLUSIVE", "an exclusive metadata lock"
    work: Work | None = None  # what happens while it is held; None: nothing that grows with rows


class Default(str, Enum):
    """How a column's default fills existing rows."""

    NONE = "none"
    CONSTANT = "constant"  # one value for every row (PostgreSQL 11+ stores it, no rewrite)
    VOLATILE = "volatile"  # a value per row: now() on some databases, random(), gen_random_uuid()
    SEQUENCE = "sequence"  # serial, IDENTITY, AUTO_INCREMENT: numbered row by row


@frozen_value(frozen=True)
class Column(Value):
    __slots__ = (
        "name", "type", "not_null", "default", "generated_stored", "primary_key", "generated", "identity",
        "raw_type", "raw_default",
    )
    _uncompared = ("raw_type", "raw_default")
    name: str
    type: str  # as written, normalised to lower case: "varchar(255)", "integer"
    not_null: bool
    default: Default
    generated_stored: bool  # a STORED generated column: computed for every row
    primary_key: bool  # part of the primary key (not_null is then True as well)
    generated: bool  # GENERATED ... AS (expr), stored or virtual: never NULL for want of a value
    # What only the dialect's own readers use, kept for the replayed schema (linter/catalog.py):
    # GENERATED ... AS IDENTITY (the database makes it NOT NULL; `not_null` says what was written),
    # and the parser's type and DEFAULT expression (PostgreSQL rules compare libpg_query TypeName
    # trees). Left out of == and hash: they may be the parser's dicts.
    identity: bool
    raw_type: object
    raw_default: object

    def __init__(
        self, name: str, type: str, not_null: bool = False, default: Default = Default.NONE,
        generated_stored: bool = False, primary_key: bool = False, generated: bool = False,
        identity: bool = False, raw_type: object = None, raw_default: object = None,
    ) -> None:
        _column_name(self, name)
        _column_type(self, type)
        _column_not_null(self, not_null)
        _column_default(self, default)
        _column_generated_stored(self, generated_stored)
        _column_primary_key(self, primary_key)
        _column_generated(self, generated)
        _column_identity(self, identity)
        _column_raw_type(self, raw_type)
        _column_raw_default(self, raw_default)


# What Column.__init__ sets each field through (frozen.slot_setters).
(
    _column_name, _column_type, _column_not_null, _column_default, _column_generated_stored,
    _column_primary_key, _column_generated, _column_identity, _column_raw_type, _column_raw_default,
) = slot_setters(
    Column,
    "name type not_null default generated_stored primary_key generated identity "
    "raw_type raw_default",
)


class ConstraintKind(str, Enum):
    PRIMARY_KEY = "primary key"
    UNIQUE = "unique"
    FOREIGN_KEY = "foreign key"
    CHECK = "check"
    EXCLUSION = "exclusion"
    NOT_NULL = "not null"  # PostgreSQL 18's named NOT NULL constraint (CONSTRAINT c NOT NULL col)
