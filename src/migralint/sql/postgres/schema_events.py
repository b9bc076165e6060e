"""The events of PostgreSQL statements that change the schema but no table's rows, beside the
names object_names.py gives the rules: what a view reads, an enum's values, what a function
returns, and renames of tables, columns and constraints.

The replayed schema (linter/catalog.py) needs them, because rules ask it which views read a
table, which values an enum has, which functions only triggers call.
"""

from __future__ import annotations

from collections.abc import Callable

from migralint.sql import ir
from migralint.sql.ir import TableName
from migralint.sql.postgres.nodes import Node, string_value, walk
from migralint.sql.postgres.nodes import TableName as PgTableName


def _table(range_var: Node) -> TableName:
    return TableName(*PgTableName.from_range_var(range_var))


def _named(names: list[Node]) -> TableName:
    return TableName(*PgTableName.from_names(names))


def create_view(what: str, range_var: Node, query: Node | None, *, replaces: bool) -> ir.CreateObject:
    """A view or materialized view, with the tables its query reads and the column names it
    mentions ("" for a `*`)."""
    tables: dict[TableName, None] = {}
    columns: set[str] = set()
    for kind, body in walk(query):
        if kind == "RangeVar":
            tables[_table(body)] = None
        elif kind == "ColumnRef":
            fields = [f for f in body.get("fields", ()) if "String" in f]
            columns.add(string_value(fields[-1]) if fields else "")
    return ir.CreateObject(what, _table(range_var), replaces=replaces, reads=tuple(tables), columns=tuple(sorted(columns)))


def rename_events(node: Node) -> list[ir.Event]:
    """ALTER ... RENAME of a table, a column or a table's constraint (object_names.py renames
    indexes, views and the other named objects)."""
    table = _table(node["relation"])
    renamed, new = node.get("renameType"), str(node.get("newname", ""))
    if renamed == "OBJECT_TABLE":
        return [ir.RenameTable(table, TableName(table.schema, new))]
    if renamed == "OBJECT_COLUMN" and node.get("relationType") == "OBJECT_TABLE":
        return [ir.RenameColumn(table, str(node.get("subname", "")), new)]
    if renamed == "OBJECT_TABCONSTRAINT":
        return [ir.RenameConstraint(table, str(node.get("subname", "")), new)]
    return []


def _create_enum(node: Node) -> list[ir.Event]:
    values = tuple(string_value(v) for v in node.get("vals", ()))
    return [ir.CreateEnum(_named(node.get("typeName", [])), values)]


def _alter_enum(node: Node) -> list[ir.Event]:
    name = _named(node.get("typeName", []))
    if node.get("oldVal"):
        return [ir.RenameEnumValue(name, str(node["oldVal"]), str(node.get("newVal", "")))]
    if node.get("newVal"):
        neighbour = str(node.get("newValNeighbor") or "")
        return [ir.AddEnumValue(name, str(node["newVal"]), neighbour, bool(node.get("newValIsAfter")))]
    return []


def _create_function(node: Node) -> list[ir.Event]:
    returns = [string_value(n) for n in node.get("returnType", {}).get("names", [])]
    return [ir.CreateFunction(_named(node.get("funcname", [])), returns[-1] if returns else "")]


OBJECT_BUILDERS: dict[str, Callable[[Node], list[ir.Event]]] = {
    "CreateEnumStmt": _create_enum,
    "AlterEnumStmt": _alter_enum,
    "CreateFunctionStmt": _create_function,
}
