"""What one migration file creates, so that rules know which tables are new.

A table created earlier in the same file (or, for a rollback, in the migration it undoes)
holds no rows yet: locking it blocks nobody and scanning it costs nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from migralint.sql.postgres.nodes import Node, TableName, alter_table_commands, unwrap
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

    def index_table(self, index: TableName) -> TableName | None:
        entry = self.indexes.get(index)
        return entry[0] if entry else None

    def _record(self, stmt: Statement) -> None:
        node = stmt.node
        if stmt.kind == "CreateStmt":
            self.tables.setdefault(TableName.from_range_var(node["relation"]), stmt.index)
        elif stmt.kind == "CreateTableAsStmt":
            relation = node.get("into", {}).get("rel")
            if relation:
                self.tables.setdefault(TableName.from_range_var(relation), stmt.index)
        elif stmt.kind == "IndexStmt" and node.get("idxname"):
            table = TableName.from_range_var(node["relation"])
            self.indexes.setdefault(TableName(table.schema, node["idxname"]), (table, stmt.index))
        elif stmt.kind == "AlterTableStmt" and "relation" in node:
            table = TableName.from_range_var(node["relation"])
            for cmd in alter_table_commands(node):
                if cmd.get("subtype") == "AT_AddColumn" and cmd.get("def"):
                    column = unwrap(cmd["def"])[1].get("colname", "")
                    self.columns.setdefault((table, column), stmt.index)
        elif stmt.kind == "RenameStmt" and node.get("renameType") == "OBJECT_TABLE":
            self._record_table_rename(node, stmt.index)

    def _record_table_rename(self, node: Node, index: int) -> None:
        old = TableName.from_range_var(node["relation"])
        if old in self.tables:
            self.tables.setdefault(TableName(old.schema, node.get("newname", "")), index)
