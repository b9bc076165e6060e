"""What one migration file creates, so that rules know which tables are new.

A table created earlier in the same file (or, for a rollback, in the migration it undoes)
holds no rows yet: locking it blocks nobody and scanning it costs nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from migralint.sql.postgres.nodes import TableName, alter_table_commands, unwrap
from migralint.linter.parse import Statement

# Objects that exist before the first statement (the forward migration of a rollback).
BEFORE_FILE = -1


@dataclass(slots=True)
class FileSchema:
    tables: dict[TableName, int] = field(default_factory=dict)  # table -> statement that created it
    indexes: dict[TableName, tuple[TableName, int]] = field(default_factory=dict)  # index -> (table, statement)
    columns: dict[tuple[TableName, str], int] = field(default_factory=dict)  # added column -> statement

    @classmethod
    def of(cls, statements: tuple[Statement, ...], inherited: FileSchema | None = None) -> FileSchema:
        schema = cls()
        if inherited is not None:
            schema.tables = {t: BEFORE_FILE for t in inherited.tables}
            schema.indexes = {i: (t, BEFORE_FILE) for i, (t, _) in inherited.indexes.items()}
            schema.columns = {c: BEFORE_FILE for c in inherited.columns}
        for stmt in statements:
            schema._record(stmt)
        return schema

    def table_is_new(self, table: TableName, before: int) -> bool:
        created = self.tables.get(table)
        return created is not None and created < before

    def column_is_new(self, table: TableName, column: str, before: int) -> bool:
        added = self.columns.get((table, column))
        return self.table_is_new(table, before) or (added is not None and added < before)

    def _record(self, stmt: Statement) -> None:
        for entry in schema_entries(stmt):
            if entry[0] == "table":
                self.tables.setdefault(entry[1], stmt.index)
            elif entry[0] == "index":
                self.indexes.setdefault(entry[1], (entry[2], stmt.index))
            elif entry[0] == "column":
                self.columns.setdefault((entry[1], entry[2].name), stmt.index)
            elif entry[1] in self.tables:  # a rename of a table the file created
                self.tables.setdefault(entry[2], stmt.index)


def altered_table(stmt: Statement) -> TableName | None:
    """The table an ALTER TABLE statement names; None for any other statement. Rules ask it of
    every earlier statement: a fact of the statement, read without its tree."""
    return stmt.fact(_altered_table) if stmt.kind == "AlterTableStmt" else None


def _altered_table(stmt: Statement) -> TableName | None:
    relation = stmt.node.get("relation")
    return TableName.from_range_var(relation) if relation is not None else None


_RECORDED = frozenset({"CreateStmt", "CreateTableAsStmt", "IndexStmt", "AlterTableStmt", "RenameStmt"})
# ("table", table), ("index", index, table), ("column", table, TableName("", column)) or
# ("rename", old table, new table): what a statement adds to a FileSchema, kept as a fact of
# the statement so that a large file's schema is built without its trees.
SchemaEntry = tuple[str, TableName, TableName]


def schema_entries(stmt: Statement) -> tuple[SchemaEntry, ...]:
    return stmt.fact(_entries) if stmt.kind in _RECORDED else ()


def _entries(stmt: Statement) -> tuple[SchemaEntry, ...]:
    node = stmt.node
    if stmt.kind == "CreateStmt":
        table = TableName.from_range_var(node["relation"])
        return (("table", table, table),)
    if stmt.kind == "CreateTableAsStmt":
        relation = node.get("into", {}).get("rel")
        if relation:
            table = TableName.from_range_var(relation)
            return (("table", table, table),)
    elif stmt.kind == "IndexStmt" and node.get("idxname"):
        table = TableName.from_range_var(node["relation"])
        return (("index", TableName(table.schema, node["idxname"]), table),)
    elif stmt.kind == "AlterTableStmt" and "relation" in node:
        table = TableName.from_range_var(node["relation"])
        entries: list[SchemaEntry] = []
        for cmd in alter_table_commands(node):
            if cmd.get("subtype") == "AT_AddColumn" and cmd.get("def"):
                column = unwrap(cmd["def"])[1].get("colname", "")
                entries.append(("column", table, TableName("", column)))
        return tuple(entries)
    elif stmt.kind == "RenameStmt" and node.get("renameType") == "OBJECT_TABLE":
        old = TableName.from_range_var(node["relation"])
        return (("rename", old, TableName(old.schema, node.get("newname", ""))),)
    return ()
