"""Help SQL in PostgreSQL's own syntax: quoted names, tables with the default schema left out,
types written so that PostgreSQL parses them back to the same type."""

from __future__ import annotations

from migralint.sql.ir import AddColumn, Statement, TableName
from migralint.sql.postgres.nodes import DEFAULT_SCHEMA, Node, quote_ident, string_value, unwrap


class PostgresSqlText:
    """`migralint.linter.model_context.SqlText` for PostgreSQL."""

    def quote(self, name: str) -> str:
        return quote_ident(name)

    def table(self, table: TableName) -> str:
        if table.schema in (DEFAULT_SCHEMA, ""):
            return quote_ident(table.name)
        return f"{quote_ident(table.schema)}.{quote_ident(table.name)}"

    def name(self, table: TableName) -> str:
        return table.name if table.schema in (DEFAULT_SCHEMA, "") else f"{table.schema}.{table.name}"

    def alter_table(self, statement: Statement) -> str:
        # IF EXISTS and ONLY are kept: help that drops them would act on child tables the
        # user's statement left alone, or fail where theirs did nothing.
        node = statement.raw if isinstance(statement.raw, dict) else {}
        relation = node.get("relation") or {}
        table = statement.tables[0] if statement.tables else TableName(DEFAULT_SCHEMA, "")
        return (
            "ALTER TABLE "
            + ("IF EXISTS " if node.get("missing_ok") else "")
            + ("" if relation.get("inh") else "ONLY ")  # libpg_query leaves out false fields
            + self.table(table)
        )

    def add_column_steps(self, statement: Statement, event: AddColumn) -> list[str]:
        # From the model alone: the column nullable, without default. The engine's SqlText
        # (linter/model_view.py) keeps the user's own definition text and adds the backfill.
        column = event.column
        return [f"{self.alter_table(statement)} ADD COLUMN {quote_ident(column.name)} {column.type};"]


_CATALOG_TYPES = {
    "int2": "smallint",
    "int4": "integer",
    "int8": "bigint",
    "float4": "real",
    "float8": "double precision",
    "bool": "boolean",
    "bpchar": "char",
}


def type_sql(type_node: Node) -> str:
    """A column type as SQL that PostgreSQL parses back to the same type: "varchar(20)", "\"Role\"[]"."""
    return type_sql_of(type_node, [string_value(n) for n in type_node.get("names", ())])


def type_sql_of(type_node: Node, parts: list[str]) -> str:
    """type_sql, for a caller that has read the type's names (`parts`, each one's text) already."""
    if len(parts) == 2 and parts[0] == "pg_catalog":
        base = _CATALOG_TYPES.get(parts[1], parts[1])
    elif len(parts) == 1:  # most types: a plain name, `text` or an enum's
        base = quote_ident(parts[0])
    else:
        base = ".".join(quote_ident(p) for p in parts)
    typmods = type_node.get("typmods")
    if typmods:
        modifiers: list[str] = []
        for typmod in typmods:
            value = unwrap(typmod)[1].get("ival")
            if not isinstance(value, dict):
                modifiers = []  # something other than plain numbers (interval fields): leave them out
                break
            modifiers.append(str(value.get("ival", 0)))
        if modifiers and base != "interval" and base != "double precision":
            base += f"({', '.join(modifiers)})"
    bounds = type_node.get("arrayBounds")
    return base + "[]" * len(bounds) if bounds else base
