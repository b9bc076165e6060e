"""Which statement of a file section created each table, index and added column: the
positional index of the file's own creates, read from the statement model's events.

A table created earlier in the same file (or, for a rollback, in the migration it undoes)
holds no rows yet: locking it blocks nobody and scanning it costs nothing. The schema itself
(columns, types, constraints, what earlier migrations built) is the catalog's
(linter/catalog.py), replayed from the same events statement by statement; what only this index
knows is *where* in the file each name was created, whatever comes after: the catalog at a
statement knows nothing of a CREATE INDEX later in the file (index_tables.py), nor, once the
section is checked, which of its tables existed before a given statement (the check_file
passes), nor what the forward migration of a rollback section created.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass, field

from migralint.sql import ir
from migralint.sql.postgres.created import CREATING, CreatedEvent, created_events
from migralint.sql.postgres.nodes import Node, TableName, alter_table_commands, shared_name, unwrap
from migralint.linter.parse import Statement

# Objects that exist before the first statement (the forward migration of a rollback).
BEFORE_FILE = -1


@dataclass(slots=True)
class FileSchema:
    """Where in a file section each table, index and added column was created (module docstring)."""

    tables: dict[TableName, int] = field(default_factory=dict)  # table -> statement that created it
    indexes: dict[TableName, tuple[TableName, int]] = field(default_factory=dict)  # index -> (table, statement)
    columns: dict[tuple[TableName, str], int] = field(default_factory=dict)  # added column -> statement

    @classmethod
    def of(cls, statements: tuple[Statement, ...], inherited: FileSchema | None = None) -> FileSchema:
        schema = cls.of_events((), inherited)
        for statement in statements:
            if statement.kind not in CREATING:
                continue
            if statement.tree_held:
                schema._record_tree(statement.index, statement.kind, statement.node)
            else:  # its tree let go: what it creates was kept as a fact (schema_entries)
                schema._record(statement.index, statement.fact(_created))
        return schema

    @classmethod
    def of_events(
        cls, statements: Iterable[tuple[int, Iterable[ir.Event]]], inherited: FileSchema | None = None
    ) -> FileSchema:
        """From each statement's index and its model events (any dialect's: only CreateTable, a
        materialized view's CreateObject, CreateIndex, AddColumn and RenameTable count)."""
        schema = cls()
        if inherited is not None:
            schema.tables = {t: BEFORE_FILE for t in inherited.tables}
            schema.indexes = {i: (t, BEFORE_FILE) for i, (t, _) in inherited.indexes.items()}
            schema.columns = {c: BEFORE_FILE for c in inherited.columns}
        for index, events in statements:
            schema._record(index, events)
        return schema

    def table_is_new(self, table: TableName, before: int) -> bool:
        created = self.tables.get(table)
        return created is not None and created < before

    def column_is_new(self, table: TableName, column: str, before: int) -> bool:
        added = self.columns.get((table, column))
        return self.table_is_new(table, before) or (added is not None and added < before)

    def _record(self, index: int, events: Iterable[ir.Event]) -> None:
        # The first create of a name counts: a later CREATE ... IF NOT EXISTS or a re-create
        # after a DROP does not make it newer.
        for event in events:
            if isinstance(event, ir.CreateTable):
                self.tables.setdefault(_name(event.table), index)
            elif isinstance(event, ir.CreateObject):
                if event.what == "materialized view":  # a table to the rules that lock or index it
                    self.tables.setdefault(_name(event.name), index)
            elif isinstance(event, ir.CreateIndex):
                if event.name:  # an unnamed one cannot be named by a later DROP INDEX or REINDEX
                    self.indexes.setdefault(shared_name(event.table.schema, event.name), (_name(event.table), index))
            elif isinstance(event, ir.AddColumn):
                table = _name(event.table)
                created = self.tables.get(table)
                # A column added to a table this file created earlier is new because its table
                # is (column_is_new asks table_is_new first): no entry, which cost a tuple, a
                # name and a dict entry for every ADD COLUMN of a large file's new tables.
                if created is None or created > index:
                    self.columns.setdefault((table, _interned(event.column.name)), index)
            elif isinstance(event, ir.RenameTable) and _name(event.table) in self.tables:
                self.tables.setdefault(_name(event.new), index)  # a table the file created, renamed

    def _record_tree(self, index: int, kind: str, node: Node) -> None:
        """What `_record` makes of created_events(kind, node), read from the tree without the
        events: every statement of a file is asked, before its first is checked, and the events
        (a CreateTable, an AddColumn and its Column...) were made for this index alone.
        tests/linter/test_file_schema_of_trees.py checks both on the fixtures and the corpus."""
        if kind == "CreateStmt":
            if "relation" in node:
                self.tables.setdefault(TableName.from_range_var(node["relation"]), index)
        elif kind == "IndexStmt":
            name = node.get("idxname")
            if name and "relation" in node:  # an unnamed index cannot be named by a later DROP INDEX
                table = TableName.from_range_var(node["relation"])
                self.indexes.setdefault(shared_name(table.schema, name), (table, index))
        elif kind == "AlterTableStmt":
            if node.get("objtype") in ("OBJECT_TABLE", None) and "relation" in node:
                table = None
                for cmd in alter_table_commands(node):
                    if cmd.get("subtype") == "AT_AddColumn" and cmd.get("def"):
                        definition_kind, body = unwrap(cmd["def"])
                        if definition_kind != "ColumnDef":
                            continue
                        if table is None:
                            table = TableName.from_range_var(node["relation"])
                        created = self.tables.get(table)
                        if created is None or created > index:  # see _record
                            self.columns.setdefault((table, _interned(str(body.get("colname", "")))), index)
        elif kind == "RenameStmt":
            if node.get("renameType") == "OBJECT_TABLE" and "relation" in node:
                table = TableName.from_range_var(node["relation"])
                if table in self.tables:
                    self.tables.setdefault(shared_name(table.schema, str(node.get("newname", ""))), index)
        elif kind == "CreateTableAsStmt":
            relation = node.get("into", {}).get("rel")
            if relation and node.get("objtype") in ("OBJECT_TABLE", None, "OBJECT_MATVIEW"):
                self.tables.setdefault(TableName.from_range_var(relation), index)


def _name(table: ir.TableName) -> TableName:
    return shared_name(table.schema, table.name)


def _interned(column: str) -> str:
    # One string for the name in every entry, and in the catalog's columns (model_replay.py).
    return sys.intern(column) if type(column) is str else column


def forget_creates(statements: Iterable[Statement]) -> None:
    """Let each statement go of what it creates (a fact kept for FileSchema.of alone), once
    the FileSchema of each section is built: those facts, a few events and tuples for every
    CREATE TABLE, CREATE INDEX and ADD COLUMN, held 2 MiB per MB of DDL while the catalog grew
    (docs/robustness.md)."""
    for statement in statements:
        statement.forget(_created)


def altered_table(stmt: Statement) -> TableName | None:
    """The table an ALTER TABLE statement names; None for any other statement. Rules ask it of
    every earlier statement: a fact of the statement, read without its tree."""
    return stmt.fact(_altered_table) if stmt.kind == "AlterTableStmt" else None


def _altered_table(stmt: Statement) -> TableName | None:
    relation = stmt.node.get("relation")
    return TableName.from_range_var(relation) if relation is not None else None


def schema_entries(stmt: Statement) -> tuple[CreatedEvent, ...]:
    """What the statement creates (sql/postgres/created.py), kept as a fact of the statement so
    that a large file's index is built without its trees."""
    if stmt.kind not in CREATING:
        return ()
    # A statement that holds its tree for the whole lint reads it again: kept, the fact was
    # added to the statement's facts only for forget_creates to take it out again.
    return _created(stmt) if stmt.tree_held else stmt.fact(_created)


def _created(stmt: Statement) -> tuple[CreatedEvent, ...]:
    return created_events(stmt.kind, stmt.node)
