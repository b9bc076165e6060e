"""What a PostgreSQL statement creates under a name, as the statement model's own events with
their names only: CreateTable, a materialized view's CreateObject, CreateIndex, AddColumn and
RenameTable.

linter/file_schema.py indexes them for every statement of a file section before its first
statement is checked (a CREATE INDEX later in the file tells which table an index dropped
earlier was on): these events for a statement whose tree is let go (kept as its fact), the
same names read from a held tree directly (FileSchema._record_tree,
tests/linter/test_file_schema_of_trees.py). The full events (model.statement_events) read each column's type, default
and constraints, which no question of FileSchema needs: over the 7,648 creating statements of
the Prisma corpus they took 176 ms, these 33 ms (the libpg_query reading they replace, 22 ms). Both readings are the front end's; tests/sql/test_created_events.py checks
on the fixtures and the corpus that these are exactly the names statement_events gives.
"""

from __future__ import annotations

from migralint.sql import ir
from migralint.sql.postgres.model import table_of as _table
from migralint.sql.postgres.nodes import Node, alter_table_commands, unwrap

# The statements that may create a table, an index or a column, or rename a table.
CREATING = frozenset({"CreateStmt", "CreateTableAsStmt", "IndexStmt", "AlterTableStmt", "RenameStmt"})
CreatedEvent = ir.CreateTable | ir.CreateObject | ir.CreateIndex | ir.AddColumn | ir.RenameTable


def created_events(kind: str, node: Node) -> tuple[CreatedEvent, ...]:
    if kind == "CreateStmt" and "relation" in node:
        return (ir.CreateTable(_table(node["relation"])),)
    if kind == "CreateTableAsStmt":
        relation = node.get("into", {}).get("rel")
        objtype = node.get("objtype")
        if relation and objtype in ("OBJECT_TABLE", None):
            return (ir.CreateTable(_table(relation), from_query=True),)
        if relation and objtype == "OBJECT_MATVIEW":
            return (ir.CreateObject("materialized view", _table(relation)),)
    elif kind == "IndexStmt" and "relation" in node:
        return (ir.CreateIndex(_table(node["relation"]), node.get("idxname")),)
    elif kind == "AlterTableStmt" and node.get("objtype") in ("OBJECT_TABLE", None) and "relation" in node:
        added = [
            unwrap(cmd["def"]) for cmd in alter_table_commands(node) if cmd.get("subtype") == "AT_AddColumn" and cmd.get("def")
        ]
        if not added:  # most ALTER TABLEs: no table name made for nothing
            return ()
        table = _table(node["relation"])
        return tuple(ir.AddColumn(table, ir.Column(str(body.get("colname", "")), "")) for k, body in added if k == "ColumnDef")
    elif kind == "RenameStmt" and node.get("renameType") == "OBJECT_TABLE" and "relation" in node:
        table = _table(node["relation"])
        return (ir.RenameTable(table, ir.TableName(table.schema, str(node.get("newname", "")))),)
    return ()
