"""What slow work a statement does on tables that may hold rows: a rewrite, a scan, an index
build, a backfill. Cheap catalog changes (a nullable column, a dropped default, a rename) are
not slow work.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from migralint.linter.column_sql import not_null_checks
from migralint.sql.postgres.nodes import (
    Node,
    TableName,
    alter_table_commands,
    column_constraints,
    is_serial_type,
    unwrap,
    walk,
)
from migralint.linter.parse import Statement
from migralint.linter.type_changes import alter_type_rewrites
from migralint.linter.volatility import (
    is_null_constant,
    volatile_function_here,
)

if TYPE_CHECKING:
    from migralint.linter.context import Context

_REWRITING = frozenset({"AT_SetLogged", "AT_SetUnLogged", "AT_SetAccessMethod", "AT_SetTableSpace"})
_VALIDATED = frozenset({"CONSTR_CHECK", "CONSTR_FOREIGN"})
_INDEXED = frozenset({"CONSTR_UNIQUE", "CONSTR_PRIMARY", "CONSTR_EXCLUSION"})


def slow_work(ctx: Context, statement: Statement) -> str | None:
    """What slow thing `statement` (the current statement of `ctx`) does, in a few words
    ("builds an index on "User""), or None for a statement that is quick whatever the data."""
    node = statement.node
    kind = statement.kind
    if kind == "IndexStmt" and not ctx.is_new_table(node["relation"]):
        return f'builds an index on "{ctx.table(node["relation"])}"'
    if kind == "AlterTableStmt":
        table = ctx.altered_existing_table(statement)
        return _alter_table_work(ctx, node, table) if table is not None else None
    if kind in ("UpdateStmt", "DeleteStmt", "MergeStmt") and "relation" in node:
        table = ctx.table(node["relation"])
        if not ctx.is_new_table(table):
            verb = {"UpdateStmt": "updates", "DeleteStmt": "deletes", "MergeStmt": "merges into"}[kind]
            return f'{verb} rows of "{table}"'
    if kind in ("InsertStmt", "CreateTableAsStmt"):
        source = _existing_source(ctx, node.get("selectStmt") or node.get("query"))
        if source is not None:
            return f'copies rows from "{source}"'
    if kind == "ClusterStmt":
        return "rewrites a table (CLUSTER)"
    if kind == "RefreshMatViewStmt":
        return f'refreshes "{ctx.table(node["relation"])}" from its query'
    return None


def _alter_table_work(ctx: Context, node: Node, table: TableName) -> str | None:
    for cmd in alter_table_commands(node):
        subtype = cmd.get("subtype")
        definition = unwrap(cmd["def"])[1] if cmd.get("def") else {}
        name = str(cmd.get("name", ""))
        if subtype in _REWRITING:
            return f'rewrites "{table}"'
        if subtype == "AT_AlterColumnType":
            column = ctx.catalog.column(table, name)
            if alter_type_rewrites(column.type_name if column is not None else None, cmd):
                return f'rewrites "{table}" to change the type of "{name}"'
        elif subtype == "AT_SetNotNull":
            proven = ctx.pg_version >= 12 and any(not_null_checks(ctx.catalog, table, name).values())
            if not proven:
                return f'scans "{table}" to check that "{name}" has no NULL'
        elif subtype == "AT_ValidateConstraint":
            return f'scans "{table}" to validate "{name}"'
        elif subtype == "AT_AddConstraint":
            work = _constraint_work(definition, table)
            if work is not None:
                return work
        elif subtype == "AT_AddColumn" and definition:
            work = _column_work(ctx, definition, table)
            if work is not None:
                return work
    return None


def _constraint_work(constraint: Node, table: TableName) -> str | None:
    contype = constraint.get("contype")
    if contype in _VALIDATED and not constraint.get("skip_validation"):
        return f'scans "{table}" to validate a new constraint'
    if contype in _INDEXED and not constraint.get("indexname"):
        return f'builds an index on "{table}"'
    return None


def _column_work(ctx: Context, column_def: Node, table: TableName) -> str | None:
    column = column_def.get("colname", "")
    rewrite = f'rewrites "{table}" to fill the new column "{column}"'
    if is_serial_type(column_def.get("typeName", {})):
        return rewrite
    for constraint in column_constraints(column_def):
        contype = constraint.get("contype")
        if contype == "CONSTR_IDENTITY" or (contype == "CONSTR_GENERATED" and constraint.get("generated_kind") != "v"):
            return rewrite
        if contype == "CONSTR_DEFAULT" and "raw_expr" in constraint:
            expression = constraint["raw_expr"]
            if ctx.pg_version < 11 and not is_null_constant(expression):
                return rewrite
            if ctx.pg_version >= 11 and volatile_function_here(expression, ctx):
                return rewrite
        work = _constraint_work(constraint, table)
        if work is not None:
            return work
    return None


def _existing_source(ctx: Context, query: Node | None) -> TableName | None:
    """The first table a query reads that may hold rows."""
    for kind, body in walk(query):
        if kind == "RangeVar":
            table = TableName.from_range_var(body)
            if not ctx.is_new_table(table):
                return table
    return None
