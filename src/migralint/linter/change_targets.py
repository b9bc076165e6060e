"""What a statement changes, as facts of the statement (`Statement.fact`).

mixing-schema-and-data-changes pairs every schema change of a file with the data changes
after it, in check_file, when a large file's trees are let go (linter/pieces.py): the rule
reads these facts, computed while each tree is parsed, instead of parsing the file again.
"""

from __future__ import annotations

from migralint.linter.index_tables import dropped_index_names
from migralint.sql.postgres.nodes import TableName, unwrap, walk
from migralint.linter.parse import Statement

# Statements that change the schema of the table they name (a DROP is told apart below).
SCHEMA_CHANGES = frozenset({"AlterTableStmt", "RenameStmt", "IndexStmt"})


def schema_targets(statement: Statement) -> tuple[tuple[TableName, ...], tuple[TableName, ...] | None]:
    """The tables whose schema the statement changes, or (for DROP INDEX) the indexes it drops."""
    node = statement.node
    if statement.kind in SCHEMA_CHANGES and "relation" in node and not node.get("concurrent"):
        return (TableName.from_range_var(node["relation"]),), None
    if statement.kind == "DropStmt" and node.get("removeType") == "OBJECT_TABLE":
        return tuple(TableName.from_names(unwrap(obj)[1].get("items", [])) for obj in node.get("objects", [])), None
    if statement.kind == "DropStmt" and node.get("removeType") == "OBJECT_INDEX" and not node.get("concurrent"):
        return (), tuple(dropped_index_names(node))
    return (), None


def data_target(statement: Statement) -> TableName | None:
    """The table an UPDATE, DELETE, MERGE or INSERT names."""
    relation = statement.node.get("relation")
    return TableName.from_range_var(relation) if relation is not None else None


def selects_from_tables(statement: Statement) -> bool:
    """Whether an INSERT reads rows of tables (INSERT ... SELECT), not only values it writes."""
    return _reads_tables(statement.node.get("selectStmt"))


def _reads_tables(select: object) -> bool:
    return any(kind == "SelectStmt" and body.get("fromClause") for kind, body in walk(select))
