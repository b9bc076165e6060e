from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from migralint.findings import Finding, Severity
from migralint.linter.column_sql import nullable_column_steps
from migralint.linter.locks import Lock
from migralint.linter.nodes import (
    added_columns,
    column_constraints,
    is_serial_type,
)
from migralint.linter.parse import Statement
from migralint.linter.table_rows import emptied_before
from migralint.rules.base import Rule

if TYPE_CHECKING:
    from migralint.linter.context import Context

_REQUIRED = frozenset({"CONSTR_NOTNULL", "CONSTR_PRIMARY"})
# A column with one of these gets a value in every existing row: it does not fail.
_FILLED = frozenset({"CONSTR_DEFAULT", "CONSTR_IDENTITY", "CONSTR_GENERATED"})


class AddingRequiredField(Rule):
    name = "adding-required-field"
    severity = Severity.ERROR
    lock = Lock.ACCESS_EXCLUSIVE
    nodes = ("AlterTableStmt",)
    summary = "ADD COLUMN ... NOT NULL without a DEFAULT fails as soon as the table holds a row."
    why = (
        "A new column holds NULL in every existing row unless it has a DEFAULT, so adding it NOT "
        "NULL (or as a PRIMARY KEY, which implies NOT NULL) fails with `column contains null "
        "values` on any table that is not empty: the migration breaks in production although it "
        "passed on an empty development database. Give the column a constant DEFAULT "
        "(PostgreSQL 11+ adds it without rewriting the table), or add it nullable, backfill it, and "
        "enforce NOT NULL through a CHECK constraint validated without blocking writes. Identity, "
        "serial and generated columns fill every row and are not flagged, nor are columns added to "
        "a table created earlier in the same file."
    )
    bad = 'ALTER TABLE "User" ADD COLUMN "role" TEXT NOT NULL;'
    good = (
        "ALTER TABLE \"User\" ADD COLUMN \"role\" TEXT NOT NULL DEFAULT 'member';\n"
        'ALTER TABLE "User" ADD COLUMN "nickname" TEXT;'
    )
    references = (
        "https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-DESC-ADD-COLUMN",
        "https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-NOTES",
    )

    def check(self, statement: Statement, ctx: Context) -> Iterator[Finding]:
        node = statement.node
        table = ctx.altered_existing_table(statement)
        if table is None:
            return
        for number, cmd, column_def in added_columns(node):
            contypes = {c.get("contype") for c in column_constraints(column_def)}
            if not contypes & _REQUIRED or contypes & _FILLED or is_serial_type(column_def.get("typeName", {})):
                continue
            if emptied_before(ctx, table):
                return  # emptied earlier in the file: there is no row to fail on
            column = column_def.get("colname", "")
            what = "a PRIMARY KEY (so NOT NULL)" if "CONSTR_PRIMARY" in contypes else "NOT NULL"
            first = (
                "Give it a constant DEFAULT (PostgreSQL 11+ adds that without a rewrite), or add it "
                "nullable, backfill it, and enforce NOT NULL with a validated CHECK constraint:"
                if ctx.pg_version >= 11
                else "Add it nullable, backfill it, and enforce NOT NULL with a validated CHECK constraint:"
            )
            yield ctx.finding(
                self,
                f'ADD COLUMN "{column}" is {what} without a DEFAULT: it fails as soon as "{table}" holds '
                "a row, since every existing row would get NULL.",
                help="\n".join([first, *nullable_column_steps(ctx, number, column_def)]),
                span=ctx.subcommand_span(number),
            )
