"""The statement model's events on tables (sql/ir.py): their columns, constraints and indexes.

Each event says what a statement changes, in the order it does it (Statement.events).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from migralint.sql.ir_terms import Column, ConstraintKind, Default, TableName
from migralint.frozen import Value, set_field, slot_setters

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
        _create_table_table(self, table)
        _create_table_columns(self, columns)
        _create_table_from_query(self, from_query)
        _create_table_if_not_exists(self, if_not_exists)
        _create_table_partitioned(self, partitioned)
        _create_table_partition_of(self, partition_of)
        _create_table_constraints(self, constraints)


# What CreateTable.__init__ sets each field through (frozen.slot_setters).
(
    _create_table_table, _create_table_columns, _create_table_from_query,
    _create_table_if_not_exists, _create_table_partitioned, _create_table_partition_of,
    _create_table_constraints,
) = slot_setters(CreateTable, "table columns from_query if_not_exists partitioned partition_of constraints")


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
        _add_column_table(self, table)
        _add_column_column(self, column)
        _add_column_if_not_exists(self, if_not_exists)


# What AddColumn.__init__ sets each field through (frozen.slot_setters).
(
    _add_column_table, _add_column_column, _add_column_if_not_exists,
) = slot_setters(AddColumn, "table column if_not_exists")


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
        _add_constraint_table(self, table)
        _add_constraint_kind(self, kind)
        _add_constraint_name(self, name)
        _add_constraint_columns(self, columns)
        _add_constraint_validated(self, validated)
        _add_constraint_references(self, references)
        _add_constraint_on_delete(self, on_delete)
        _add_constraint_referenced_columns(self, referenced_columns)
        _add_constraint_default_name(self, default_name)
        _add_constraint_makes_index(self, makes_index)
        _add_constraint_raw_expression(self, raw_expression)


# What AddConstraint.__init__ sets each field through (frozen.slot_setters).
(
    _add_constraint_table, _add_constraint_kind, _add_constraint_name, _add_constraint_columns,
    _add_constraint_validated, _add_constraint_references, _add_constraint_on_delete,
    _add_constraint_referenced_columns, _add_constraint_default_name, _add_constraint_makes_index,
    _add_constraint_raw_expression,
) = slot_setters(
    AddConstraint,
    "table kind name columns validated references on_delete referenced_columns "
    "default_name makes_index raw_expression",
)


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
        _create_index_table(self, table)
        _create_index_name(self, name)
        _create_index_columns(self, columns)
        _create_index_unique(self, unique)
        _create_index_online(self, online)
        _create_index_default_name(self, default_name)
        _create_index_if_not_exists(self, if_not_exists)
        _create_index_partial(self, partial)


# What CreateIndex.__init__ sets each field through (frozen.slot_setters).
(
    _create_index_table, _create_index_name, _create_index_columns, _create_index_unique,
    _create_index_online, _create_index_default_name, _create_index_if_not_exists,
    _create_index_partial,
) = slot_setters(CreateIndex, "table name columns unique online default_name if_not_exists partial")


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
