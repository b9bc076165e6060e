from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from migralint.linter import lazy_parser as pg_parser
from migralint.linter.column_sql import (
    BATCH_SIZE,
    column_def_span,
    column_def_without,
    constraint_text,
    not_null_check_name,
    set_not_null_steps,
)
from migralint.findings import Finding, Severity
from migralint.linter.constraint_sql import alter_table_prefix
from migralint.linter.constraint_names import object_name
from migralint.sql.postgres.locks import Lock
from migralint.sql.postgres.nodes import (
    Node,
    TableName,
    added_columns,
    column_constraints,
    quote_ident,
)
from migralint.linter.parse import Statement
from migralint.linter.table_rows import emptied_before
from migralint.rules.base import Rule

if TYPE_CHECKING:
    from migralint.linter.context import Context

_LOCK = Lock.ACCESS_EXCLUSIVE


class AddingStoredGeneratedColumn(Rule):
    name = "adding-stored-generated-column"
    severity = Severity.ERROR
    lock = _LOCK
    nodes = ("AlterTableStmt",)
    subcommands = ("AT_AddColumn",)
    summary = "ADD COLUMN ... GENERATED ALWAYS AS (...) STORED rewrites the whole table under ACCESS EXCLUSIVE."
    why = (
        "A stored generated column holds a value computed from the other columns of the row. Added to a "
        "table that holds rows, it makes PostgreSQL compute that value for every row and rewrite the table "
        "and its indexes while holding ACCESS EXCLUSIVE: every query on the table, reads included, waits "
        "until every row is rewritten, minutes or hours on a large table. Instead, add a plain column that a "
        "trigger fills for new and updated rows, and backfill the existing rows in batches. On PostgreSQL 18 "
        "and later, a VIRTUAL generated column is added without a rewrite (it is computed when read and "
        "cannot be indexed). A table created earlier in the same file is not flagged."
    )
    bad = 'ALTER TABLE "Order" ADD COLUMN "total" NUMERIC GENERATED ALWAYS AS ("price" * "quantity") STORED;'
    good = (
        'CREATE TABLE "Invoice" ("price" NUMERIC, "quantity" INTEGER,\n'
        '    "total" NUMERIC GENERATED ALWAYS AS ("price" * "quantity") STORED);'
    )
    references = (
        "https://www.postgresql.org/docs/current/ddl-generated-columns.html",
        "https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-NOTES",
    )

    def check(self, statement: Statement, ctx: Context) -> Iterable[Finding]:
        table = ctx.altered_existing_table(statement)
        if table is None or emptied_before(ctx, table) == "TRUNCATE":
            return ()
        return self._on_existing(statement, ctx, table)

    def _on_existing(self, statement: Statement, ctx: Context, table: TableName) -> Iterator[Finding]:
        for number, cmd, column_def in added_columns(statement.node):
            generated = next(
                (c for c in column_constraints(column_def) if c.get("contype") == "CONSTR_GENERATED"), None
            )
            if generated is None or generated.get("generated_kind") == "v":
                continue
            column = f'"{column_def.get("colname", "")}"'
            yield ctx.finding(
                self,
                f'ADD COLUMN {column} GENERATED ... STORED computes its value for every existing row of "{table}": '
                f"PostgreSQL rewrites the table under {_LOCK.sql_name}, and every query on it, reads included, waits "
                "until every row is rewritten.",
                help="\n".join(_steps(ctx, number, cmd, column_def, generated, table)),
                span=ctx.subcommand_span(number),
            )


def _steps(ctx: Context, number: int, cmd: Node, column_def: Node, generated: Node, table: TableName) -> list[str]:
    node = ctx.statement.node
    prefix = alter_table_prefix(node)
    column = str(column_def.get("colname", ""))
    col = quote_ident(column)
    span = column_def_span(ctx, number, column_def)
    expression = _parenthesized(constraint_text(ctx, column_def, generated, span[1]))
    definition = column_def_without(ctx, column_def, span, ("CONSTR_GENERATED", "CONSTR_NOTNULL"))
    function = TableName(table.schema, object_name(table.name, column, "generated"))
    trigger = quote_ident(function.name)
    execute = "FUNCTION" if ctx.pg_version >= 11 else "PROCEDURE"
    target = table.sql()
    if_not_exists = "IF NOT EXISTS " if cmd.get("missing_ok") else ""
    lines = [
        "Add a plain column that a trigger keeps up to date, and backfill the existing rows in batches.",
        f"{prefix} ADD COLUMN {if_not_exists}{definition};",
        f"CREATE FUNCTION {function.sql()}() RETURNS trigger LANGUAGE plpgsql AS $$",
        "BEGIN",
        f"    NEW.{col} := (SELECT {expression} FROM (SELECT NEW.*) AS {quote_ident(table.name)});",
        "    RETURN NEW;",
        "END $$;",
        f"CREATE TRIGGER {trigger} BEFORE INSERT OR UPDATE ON {target} FOR EACH ROW EXECUTE {execute} {function.sql()}();",
        "-- backfill existing rows in batches, each in a transaction of its own (repeat until it updates no row):",
        (f"UPDATE {target} SET {col} = ({expression}) WHERE ctid = ANY (ARRAY(SELECT ctid FROM {target} "
        f"WHERE {col} IS DISTINCT FROM ({expression}) LIMIT {BATCH_SIZE}));"),
    ]
    if any(c.get("contype") == "CONSTR_NOTNULL" for c in column_constraints(column_def)):
        lines += set_not_null_steps(prefix, column, not_null_check_name(table, column), ctx.pg_version)
    if ctx.pg_version >= 18:
        lines.append(
            "-- or, on PostgreSQL 18+, when the column needs no index: GENERATED ALWAYS AS (...) VIRTUAL, added without a rewrite"
        )
    return lines


def _parenthesized(clause: str) -> str:
    """The text inside the first parentheses of `clause`: the expression of `GENERATED ALWAYS AS (...)`."""
    try:
        tokens = pg_parser.scan(clause)
    except pg_parser.ParseError:
        return clause
    depth, start = 0, -1
    for token in tokens:
        if token.name == "ASCII_40":
            depth += 1
            if depth == 1:
                start = token.end + 1
        elif token.name == "ASCII_41":
            depth -= 1
            if depth == 0 and start >= 0:
                return clause[start : token.start].strip()
    return clause
