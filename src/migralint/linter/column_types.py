"""The column types that CREATE TABLE and ALTER TABLE declare, for the rules about type choice
(char, varchar(n), int, serial, timestamp, json): where each type's text is, and the user's own
SQL with a better type in its place.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, NamedTuple

from migralint.linter import lazy_parser as pg_parser
from migralint.linter.constraint_sql import alter_table_prefix, clause_end
from migralint.sql.postgres.nodes import (
    Node,
    TableName,
    subcommand_definitions,
    string_value,
    unwrap,
)
from migralint.linter.parse import Statement

if TYPE_CHECKING:
    from migralint.linter.context import Context

# Tokens that end a column's type: the clauses that may follow it in a column definition or
# in ALTER COLUMN TYPE. Words inside type names (WITH TIME ZONE, VARYING, ARRAY) are not here.
_AFTER_TYPE = frozenset(
    """CONSTRAINT NOT NULL_P DEFAULT PRIMARY UNIQUE CHECK REFERENCES COLLATE GENERATED USING
    COMPRESSION STORAGE OPTIONS DEFERRABLE INITIALLY ASCII_44 ASCII_59""".split()
)


class DeclaredType(NamedTuple):
    """One column type written in a statement: a CREATE TABLE column, ADD COLUMN or ALTER COLUMN TYPE."""

    table: TableName
    column: str
    type_node: Node
    column_def: Node
    command: int | None  # index into the ALTER TABLE's cmds; None for a CREATE TABLE column

    @property
    def builtin(self) -> str | None:
        """The type's name when it is one of PostgreSQL's own (unqualified or pg_catalog.), else None."""
        return builtin_type(self.type_node)

    @property
    def is_array(self) -> bool:
        return bool(self.type_node.get("arrayBounds"))

    @property
    def alters_type(self) -> bool:
        return self.command is not None and "colname" not in self.column_def


def builtin_type(type_node: Node) -> str | None:
    """"int4" for `int`, `int4` and `pg_catalog.int4`; None for `%TYPE` and other schemas' types.

    Names are compared as written: a quoted "Char" is some other type, while unquoted words are
    folded to lower case by the parser. An unqualified name is taken to be PostgreSQL's own type,
    since pg_catalog comes first in the search path.
    """
    if type_node.get("pct_type"):
        return None
    names = [string_value(n) for n in type_node.get("names", [])]
    if len(names) == 1 or (len(names) == 2 and names[0] == "pg_catalog"):
        return names[-1]
    return None


def written_typmods(type_node: Node) -> list[int]:
    """The type's modifiers as the user wrote them: [100] for char(100), [] for a bare `char`
    (for which the parser supplies an implicit 1 without a location)."""
    values = []
    for typmod in type_node.get("typmods", []):
        const = unwrap(typmod)[1]
        value = const.get("ival")
        if const.get("location", -1) < 0 or not isinstance(value, dict):
            return []
        values.append(int(value.get("ival", 0)))
    return values


def declared_types(statement: Statement) -> Iterator[DeclaredType]:
    """The column types a CREATE TABLE or ALTER TABLE (of a table) writes, in order.

    Temporary tables are left out: they vanish with the session, their types design nothing.
    """
    node = statement.node
    if statement.kind == "CreateStmt":
        if node.get("relation", {}).get("relpersistence") == "t":
            return
        table = TableName.from_range_var(node["relation"])
        for element in node.get("tableElts", []):
            kind, column_def = unwrap(element)
            if kind == "ColumnDef" and column_def.get("typeName"):
                yield DeclaredType(table, str(column_def.get("colname", "")), column_def["typeName"], column_def, None)
    elif statement.kind == "AlterTableStmt" and node.get("objtype") == "OBJECT_TABLE":
        table = TableName.from_range_var(node["relation"])
        for number, cmd, kind, column_def in subcommand_definitions(node, "AT_AddColumn", "AT_AlterColumnType"):
            if kind != "ColumnDef" or not column_def.get("typeName"):
                continue
            column = str(column_def.get("colname") or cmd.get("name", ""))
            yield DeclaredType(table, column, column_def["typeName"], column_def, number)


def type_span(ctx: Context, declared: DeclaredType) -> tuple[int, int]:
    """Character span of the type's text, `varchar(100)` or `timestamp(3) without time zone`."""
    start = ctx.node_offset(declared.type_node.get("location"))
    return start, clause_end(ctx.parsed.text, start, ctx.statement.end, _AFTER_TYPE)


def type_text(ctx: Context, declared: DeclaredType) -> str:
    """The type as the user wrote it, white space made single spaces."""
    start, end = type_span(ctx, declared)
    return " ".join(ctx.parsed.text[start:end].split())


def with_type(ctx: Context, declared: DeclaredType, new_type: str) -> str:
    """The user's SQL for this column with `new_type` in place of its type, as a statement:
    `ALTER TABLE t ADD COLUMN c <new_type> NOT NULL;`, or the CREATE TABLE with this column."""
    text = ctx.parsed.text
    type_start, type_end = type_span(ctx, declared)
    if declared.command is not None:
        statement = ctx.statement
        start, end = ctx.subcommand_span(declared.command)
        whole = len(statement.node.get("cmds", [])) == 1 or (start, end) == (statement.start, statement.end)
        if whole or not start <= type_start < type_end <= end:
            return text[statement.start : type_start] + new_type + text[type_end : statement.end] + ";"
        return f"{alter_table_prefix(statement.node)} {text[start:type_start]}{new_type}{text[type_end:end]};"
    column_start = ctx.node_offset(declared.column_def.get("location"))
    column_end = clause_end(text, column_start, ctx.statement.end)
    column = text[column_start:type_start] + new_type + text[type_end:column_end]
    others = len(ctx.statement.node.get("tableElts", [])) > 1
    return (
        f"{_create_table_head(ctx)}\n"
        + ("    -- the other columns and constraints, as written\n" if others else "")
        + f"    {column}\n);"
    )


def _create_table_head(ctx: Context) -> str:
    """`CREATE TABLE [IF NOT EXISTS] name (` as the user wrote it."""
    statement = ctx.statement
    text = ctx.parsed.text[statement.start : statement.end]
    try:
        tokens = pg_parser.scan(text)
    except pg_parser.ParseError:
        tokens = []
    opening = next((t for t in tokens if t.name == "ASCII_40"), None)
    if opening is None:
        return f"CREATE TABLE {TableName.from_range_var(statement.node['relation']).sql()} ("
    return text[: opening.end + 1]
