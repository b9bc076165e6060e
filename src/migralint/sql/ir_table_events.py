"""The statement model's events on tables (sql/ir.py): their columns, constraints and indexes.

Each event says what a statement changes, in the order it does it (Statement.events).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from migralint.sql.ir_terms import Column, ConstraintKind, Default, TableName
from migralint.frozen import Value, set_field

if TYPE_CHECKING:
    # mypy checks these classes as the frozen dataclasses they behave as (see migralint/frozen.py).
    from dataclasses import dataclass as frozen_value
else:
    from migralint.frozen import frozen_value


@frozen_value(frozen=True)
class CreateTable(Value):
    __slots__ = (
        "table", "columns", "from_query", "if_not_exists", "partitioned", "partition_of", "constraints",
    )
    table: TableName
    columns: tuple[Column, ...]
    from_query: bool  # CREATE TABLE ... AS SELECT: it holds rows at once
    if_not_exists: bool  # an existing table of that name is left as it is
    partitioned: bool  # PARTITION BY: its rows live in its partitions
    partition_of: TableName | None  # PARTITION OF: it has the parent's columns
    # Its constraints, the columns' own and the table's, in the order written. Not events of
    # their own: creating a table with its keys takes no lock of their own and scans no rows.
    constraints: tuple[AddConstraint, ...]

    def __init__(
        self, table: TableName, columns: tuple[Column, ...] = (), from_query: bool = False,
        if_not_exists: bool = False, partitioned: bool = False, partition_of: TableName | None = None,
        constraints: tuple[AddConstraint, ...] = (),
    ) -> None:
        set_field(self, "table", table)
        set_field(self, "columns", columns)
        set_field(self, "from_query", from_query)
        set_field(self, "if_not_exists", if_not_exists)
        set_field(self, "partitioned", partitioned)
        set_field(self, "partition_of", partition_of)
        set_field(self, "constraints", constraints)


@frozen_value(frozen=True)
class DropTable(Value):
    __slots__ = ("table", "cascade")
    table: TableName
    cascade: bool  # drops what depends on it too (views, foreign keys): help SQL keeps it

    def __init__(self, table: TableName, cascade: bool = False) -> None:
        set_field(self, "table", table)
        set_field(self, "cascade", cascade)


@frozen_value(frozen=True)
class RenameTable(Value):
    __slots__ = ("table", "new")
    table: TableName
    new: TableName

    def __init__(self, table: TableName, new: TableName) -> None:
        set_field(self, "table", table)
        set_field(self, "new", new)


@frozen_value(frozen=True)
class AddColumn(Value):
    __slots__ = ("table", "column", "if_not_exists")
    table: TableName
    column: Column
    if_not_exists: bool  # IF NOT EXISTS: nothing happens (its constraints neither) if it exists

    def __init__(self, table: TableName, column: Column, if_not_exists: bool = False) -> None:
        set_field(self, "table", table)
        set_field(self, "column", column)
        set_field(self, "if_not_exists", if_not_exists)


@frozen_value(frozen=True)
class DropColumn(Value):
    __slots__ = ("table", "column", "cascade")
    table: TableName
    column: str
    cascade: bool

    def __init__(self, table: TableName, column: str, cascade: bool = False) -> None:
        set_field(self, "table", table)
        set_field(self, "column", column)
        set_field(self, "cascade", cascade)


@frozen_value(frozen=True)
class RenameColumn(Value):
    __slots__ = ("table", "column", "new")
    table: TableName
    column: str
    new: str

    def __init__(self, table: TableName, column: str, new: str) -> None:
        set_field(self, "table", table)
        set_field(self, "column", column)
        set_field(self, "new", new)


@frozen_value(frozen=True)
class AlterColumnType(Value):
    __slots__ = ("table", "column", "type", "rewrites", "raw_type")
    _uncompared = ("raw_type",)
    table: TableName
    column: str
    type: str  # the new type, as in Column.type
    rewrites: bool  # False where the dialect changes it in place (the front end knows which)
    raw_type: object  # as Column.raw_type

    def __init__(
        self, table: TableName, column: str, type: str, rewrites: bool, raw_type: object = None,
    ) -> None:
        set_field(self, "table", table)
        set_field(self, "column", column)
        set_field(self, "type", type)
        set_field(self, "rewrites", rewrites)
        set_field(self, "raw_type", raw_type)


@frozen_value(frozen=True)
class SetNotNull(Value):
    __slots__ = ("table", "column", "not_null")
    table: TableName
    column: str
    not_null: bool  # False: DROP NOT NULL / NULL

    def __init__(self, table: TableName, column: str, not_null: bool) -> None:
        set_field(self, "table", table)
        set_field(self, "column", column)
        set_field(self, "not_null", not_null)


@frozen_value(frozen=True)
class SetDefault(Value):
    __slots__ = ("table", "column", "default", "raw")
    _uncompared = ("raw",)
    table: TableName
    column: str
    default: Default
    raw: object  # the parser's expression, as Column.raw_default

    def __init__(self, table: TableName, column: str, default: Default, raw: object = None) -> None:
        set_field(self, "table", table)
        set_field(self, "column", column)
        set_field(self, "default", default)
        set_field(self, "raw", raw)


@frozen_value(frozen=True)
class AddConstraint(Value):
    __slots__ = (
        "table", "kind", "name", "columns", "validated", "references", "on_delete", "referenced_columns",
        "default_name", "makes_index", "raw_expression",
    )
    _uncompared = ("raw_expression",)
    table: TableName
    kind: ConstraintKind
    name: str | None
    columns: tuple[str, ...]
    validated: bool  # False: NOT VALID (checks new rows only)
    references: TableName | None  # a foreign key's referenced table
    # A foreign key's ON DELETE action, lower case ("cascade", "set null", "set default",
    # "restrict", "no action"); "" when not written. Deleting or dropping the referenced table's
    # rows fires it: SQLite's table rebuilds wipe children through it.
    on_delete: str
    referenced_columns: tuple[str, ...]  # a foreign key's referenced columns (empty: its primary key)
    default_name: str  # the name the database gives it ("" when it has a name, or unknown)
    makes_index: bool  # a key that builds an index of its own name (PostgreSQL, no USING INDEX)
    raw_expression: object  # a CHECK's expression, the parser's node

    def __init__(
        self, table: TableName, kind: ConstraintKind, name: str | None = None, columns: tuple[str, ...] = (),
        validated: bool = True, references: TableName | None = None, on_delete: str = "",
        referenced_columns: tuple[str, ...] = (), default_name: str = "", makes_index: bool = False,
        raw_expression: object = None,
    ) -> None:
        set_field(self, "table", table)
        set_field(self, "kind", kind)
        set_field(self, "name", name)
        set_field(self, "columns", columns)
        set_field(self, "validated", validated)
        set_field(self, "references", references)
        set_field(self, "on_delete", on_delete)
        set_field(self, "referenced_columns", referenced_columns)
        set_field(self, "default_name", default_name)
        set_field(self, "makes_index", makes_index)
        set_field(self, "raw_expression", raw_expression)


@frozen_value(frozen=True)
class DropConstraint(Value):
    __slots__ = ("table", "name")
    table: TableName
    name: str

    def __init__(self, table: TableName, name: str) -> None:
        set_field(self, "table", table)
        set_field(self, "name", name)


@frozen_value(frozen=True)
class ValidateConstraint(Value):
    """Checks the existing rows against a constraint added NOT VALID."""

    __slots__ = ("table", "name")
    table: TableName
    name: str

    def __init__(self, table: TableName, name: str) -> None:
        set_field(self, "table", table)
        set_field(self, "name", name)


@frozen_value(frozen=True)
class OtherTableChange(Value):
    """A change to a table that no other event describes (triggers, storage, statistics...), so
    that an ALTER TABLE has one event per subcommand."""

    __slots__ = ("table", "what")
    table: TableName
    what: str  # the dialect's own name for it: "SetStatistics", "EnableTrig"

    def __init__(self, table: TableName, what: str) -> None:
        set_field(self, "table", table)
        set_field(self, "what", what)


# OtherTableChange.what of a primary key replaced in one statement (CockroachDB's ALTER PRIMARY
# KEY): an event of its own, so that the rewrite's PostgreSQL-shaped ADD PRIMARY KEY is not taken
# for a new primary key. Here, beside the event, so that the rule reading it does not import the
# front end (and its syntax tables) into every start.
ALTER_PRIMARY_KEY = "AlterPrimaryKey"


@frozen_value(frozen=True)
class RenameConstraint(Value):
    __slots__ = ("table", "name", "new")
    table: TableName
    name: str
    new: str

    def __init__(self, table: TableName, name: str, new: str) -> None:
        set_field(self, "table", table)
        set_field(self, "name", name)
        set_field(self, "new", new)


@frozen_value(frozen=True)
class CreateIndex(Value):
    __slots__ = ("table", "name", "columns", "unique", "online", "default_name", "if_not_exists", "partial")
    table: TableName
    name: str | None
    columns: tuple[str, ...]
    unique: bool
    online: bool  # CONCURRENTLY, ALGORITHM=INPLACE LOCK=NONE, WITH (ONLINE = ON)
    default_name: str  # the name the database gives it ("" when it has a name, or unknown)
    if_not_exists: bool
    partial: bool  # WHERE ...: it indexes some rows only

    def __init__(
        self, table: TableName, name: str | None, columns: tuple[str, ...] = (), unique: bool = False,
        online: bool = False, default_name: str = "", if_not_exists: bool = False, partial: bool = False,
    ) -> None:
        set_field(self, "table", table)
        set_field(self, "name", name)
        set_field(self, "columns", columns)
        set_field(self, "unique", unique)
        set_field(self, "online", online)
        set_field(self, "default_name", default_name)
        set_field(self, "if_not_exists", if_not_exists)
        set_field(self, "partial", partial)


@frozen_value(frozen=True)
class DropIndex(Value):
    __slots__ = ("name", "table", "online")
    name: TableName
    table: TableName | None
    online: bool

    def __init__(self, name: TableName, table: TableName | None = None, online: bool = False) -> None:
        set_field(self, "name", name)
        set_field(self, "table", table)
        set_field(self, "online", online)
