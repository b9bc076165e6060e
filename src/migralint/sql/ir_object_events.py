"""The statement model's events (sql/ir.py) on other objects (views, types, functions...), on rows
and on settings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from migralint.sql.ir_terms import TableName
from migralint.frozen import Value, set_field

if TYPE_CHECKING:
    # mypy checks these classes as the frozen dataclasses they behave as (see migralint/frozen.py).
    from dataclasses import dataclass as frozen_value
else:
    from migralint.frozen import frozen_value


@frozen_value(frozen=True)
class CreateObject(Value):
    """A view, type, function... created: a view can keep an old table name working."""

    __slots__ = ("what", "name", "args", "replaces", "reads", "columns")
    what: str  # as DropObject.what
    name: TableName
    # A function's input argument types (PostgreSQL's overloads); None: not given or not a function.
    args: tuple[str, ...] | None
    replaces: bool  # OR REPLACE, IF NOT EXISTS: the name may have existed before
    # A view's query: the tables it reads and every column name it mentions (renames and drops
    # of those break it).
    reads: tuple[TableName, ...]
    columns: tuple[str, ...]

    def __init__(
        self, what: str, name: TableName, args: tuple[str, ...] | None = None, replaces: bool = False,
        reads: tuple[TableName, ...] = (), columns: tuple[str, ...] = (),
    ) -> None:
        set_field(self, "what", what)
        set_field(self, "name", name)
        set_field(self, "args", args)
        set_field(self, "replaces", replaces)
        set_field(self, "reads", reads)
        set_field(self, "columns", columns)


@frozen_value(frozen=True)
class DropObject(Value):
    __slots__ = ("what", "name", "cascade", "args", "force")
    what: str  # "view", "type", "function", "sequence", "schema", "database", "extension"...
    name: TableName  # schemas, extensions and databases: TableName("", name)
    cascade: bool  # drops what depends on it too
    args: tuple[str, ...] | None  # a function's input argument types; None: not given
    force: bool  # DROP DATABASE ... WITH (FORCE): ends the sessions connected to it

    def __init__(
        self, what: str, name: TableName, cascade: bool = False, args: tuple[str, ...] | None = None,
        force: bool = False,
    ) -> None:
        set_field(self, "what", what)
        set_field(self, "name", name)
        set_field(self, "cascade", cascade)
        set_field(self, "args", args)
        set_field(self, "force", force)


@frozen_value(frozen=True)
class RenameObject(Value):
    """An index, view, materialized view, type, function, schema or sequence renamed: the new
    name is one the file brings into existence (tables and columns have RenameTable and
    RenameColumn, a table's constraints RenameConstraint)."""

    __slots__ = ("what", "name", "new")
    what: str  # as DropObject.what
    name: TableName
    new: TableName

    def __init__(self, what: str, name: TableName, new: TableName) -> None:
        set_field(self, "what", what)
        set_field(self, "name", name)
        set_field(self, "new", new)


@frozen_value(frozen=True)
class CreateEnum(Value):
    """An enum type's values, as created: the statement's CreateObject("type") names it for
    the rules; this is what the replayed schema keeps of it."""

    __slots__ = ("name", "values")
    name: TableName
    values: tuple[str, ...]

    def __init__(self, name: TableName, values: tuple[str, ...] = ()) -> None:
        set_field(self, "name", name)
        set_field(self, "values", values)


@frozen_value(frozen=True)
class AddEnumValue(Value):
    __slots__ = ("name", "value", "neighbour", "after")
    name: TableName  # the enum type
    value: str
    neighbour: str  # BEFORE or AFTER this value; "": at the end
    after: bool

    def __init__(self, name: TableName, value: str, neighbour: str = "", after: bool = False) -> None:
        set_field(self, "name", name)
        set_field(self, "value", value)
        set_field(self, "neighbour", neighbour)
        set_field(self, "after", after)


@frozen_value(frozen=True)
class RenameEnumValue(Value):
    __slots__ = ("name", "value", "new")
    name: TableName  # the enum type
    value: str
    new: str

    def __init__(self, name: TableName, value: str, new: str) -> None:
        set_field(self, "name", name)
        set_field(self, "value", value)
        set_field(self, "new", new)


@frozen_value(frozen=True)
class CreateFunction(Value):
    """A function or procedure created (or replaced): its return type, for the replayed schema
    (the statement's CreateObject names it and its arguments for the rules)."""

    __slots__ = ("name", "returns")
    name: TableName
    returns: str  # the return type's name, lower case: "trigger" (only triggers call it), "" for none

    def __init__(self, name: TableName, returns: str = "") -> None:
        set_field(self, "name", name)
        set_field(self, "returns", returns)


@frozen_value(frozen=True)
class RebuildIndex(Value):
    """An index built again in place (REINDEX INDEX): its table is locked while it builds."""

    __slots__ = ("name", "online")
    name: TableName
    online: bool  # CONCURRENTLY

    def __init__(self, name: TableName, online: bool = False) -> None:
        set_field(self, "name", name)
        set_field(self, "online", online)


@frozen_value(frozen=True)
class DataChange(Value):
    __slots__ = ("table", "op", "all_rows", "source", "columns", "source_columns")
    table: TableName
    op: str  # "insert", "update", "delete", "truncate", "copy"
    all_rows: bool  # no WHERE (UPDATE/DELETE), TRUNCATE: every existing row
    # INSERT INTO table (columns) SELECT ... FROM source: the rows of one table copied into
    # another, as SQLite's table rebuild does. `columns` are the target's columns filled, in
    # order (empty: none named, the table's own order); `source_columns` the source column each
    # is read from ("*" for all of them; for an expression the one column it reads, as in
    # coalesce("c", 0); "" when it reads none or several).
    source: TableName | None
    columns: tuple[str, ...]
    source_columns: tuple[str, ...]

    def __init__(
        self, table: TableName, op: str, all_rows: bool = False, source: TableName | None = None,
        columns: tuple[str, ...] = (), source_columns: tuple[str, ...] = (),
    ) -> None:
        set_field(self, "table", table)
        set_field(self, "op", op)
        set_field(self, "all_rows", all_rows)
        set_field(self, "source", source)
        set_field(self, "columns", columns)
        set_field(self, "source_columns", source_columns)


@frozen_value(frozen=True)
class SetSetting(Value):
    """A session setting changed: SET, SET LOCAL, RESET, PostgreSQL's set_config()."""

    __slots__ = ("name", "value", "local")
    name: str  # lower case; "" for RESET ALL (every setting back to its default)
    value: str | None  # as written, unquoted ("?": an expression); None: back to the default
    local: bool  # SET LOCAL, set_config(..., true): only until the transaction ends

    def __init__(self, name: str, value: str | None, local: bool = False) -> None:
        set_field(self, "name", name)
        set_field(self, "value", value)
        set_field(self, "local", local)
