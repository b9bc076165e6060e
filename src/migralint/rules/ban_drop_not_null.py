from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from migralint.findings import Finding, Severity
from migralint.linter.model_context import RowsKind
from migralint.rules.base import Rule
from migralint.sql import ir

if TYPE_CHECKING:
    from migralint.linter.model_context import ModelContext


class BanDropNotNull(Rule):
    name = "ban-drop-not-null"
    severity = Severity.WARNING
    kinds = (ir.Kind.ALTER_TABLE,)
    summary = "DROP NOT NULL lets NULL into a column that running code and readers assume always holds a value."
    why = (
        "The statement itself is quick, but it changes a promise: code of the previous release, reports, "
        "exports and other services that read the column assume it always holds a value, and the first "
        "NULL that new code writes breaks them (a Prisma client typed the field as required and fails to "
        "read the row). Make every reader cope with NULL before anything writes one. A column added, or a "
        "table created, earlier in the same file is not flagged: no running code reads it yet."
        " A rollback (a down migration) is not checked: it restores what its forward migration changed."
    )
    bad = 'ALTER TABLE "User" ALTER COLUMN "name" DROP NOT NULL;'
    good = 'ALTER TABLE "User" ADD COLUMN "nickname" TEXT;'
    references = ("https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-DESC-SET-DROP-NOT-NULL",)

    def check_statement(self, statement: ir.Statement, ctx: ModelContext) -> Iterator[Finding]:
        if ctx.rollback:
            return  # a rollback undoes its forward migration: old code expects the old shape
        for event in statement.events:
            if not isinstance(event, ir.SetNotNull) or event.not_null:
                continue
            table, column = event.table, event.column
            if ctx.rows(table).kind is RowsKind.NEW:
                return  # no running code knows a table created in this file
            if ctx.is_new_column(table, column):
                continue
            yield ctx.finding(
                self,
                f'DROP NOT NULL on "{ctx.sql.name(table)}"."{column}": code still running that assumes "{column}" always '
                + ("holds a value (a Prisma client of the previous release types it as required)" if ctx.is_prisma else "holds a value")
                + " breaks on the first NULL written there.",
                help=(
                    f'Make every reader of "{column}" (the previous release, reports, other services) handle NULL '
                    "before any code writes NULL into it; the statement itself is quick.\n"
                    f'-- once no running code assumes "{column}" holds a value:\n'
                    f"{ctx.sql.alter_table(statement)} ALTER COLUMN {ctx.sql.quote(column)} DROP NOT NULL;"
                ),
                span=statement.span_of(event),
            )
