from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from migralint.findings import Finding, Severity
from migralint.linter.model_context import RowsKind
from migralint.rules.base import Rule
from migralint.sql import ir
from migralint.sql.postgres.locks import Lock

if TYPE_CHECKING:
    from migralint.linter.model_context import ModelContext


class AddingRequiredField(Rule):
    name = "adding-required-field"
    severity = Severity.ERROR
    lock = Lock.ACCESS_EXCLUSIVE
    kinds = (ir.Kind.ALTER_TABLE,)
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

    def check_statement(self, statement: ir.Statement, ctx: ModelContext) -> Iterator[Finding]:
        for event in statement.events:
            if not isinstance(event, ir.AddColumn):
                continue
            column = event.column
            # Serial, identity, generated and DEFAULT columns get a value in every existing row.
            if not column.not_null or column.default is not ir.Default.NONE or column.generated:
                continue
            # Asked only here: most ALTER TABLEs add no such column, and the answer costs a lookup.
            if ctx.rows(event.table).kind is not RowsKind.EXISTING:
                return  # new, or emptied earlier in the file: there is no row to fail on
            what = "a PRIMARY KEY (so NOT NULL)" if column.primary_key else "NOT NULL"
            first = (
                "Give it a constant DEFAULT (PostgreSQL 11+ adds that without a rewrite), or add it "
                "nullable, backfill it, and enforce NOT NULL with a validated CHECK constraint:"
                if ctx.settings.pg_version >= 11
                else "Add it nullable, backfill it, and enforce NOT NULL with a validated CHECK constraint:"
            )
            yield ctx.finding(
                self,
                f'ADD COLUMN "{column.name}" is {what} without a DEFAULT: it fails as soon as "{ctx.sql.name(event.table)}" '
                "holds a row, since every existing row would get NULL.",
                help="\n".join([first, *ctx.sql.add_column_steps(statement, event)]),
                span=statement.span_of(event),
            )
