from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from migralint.findings import Finding, Severity
from migralint.linter.model_context import RowsKind
from migralint.rules.base import Example, Rule, has_event
from migralint.sql import ir
from migralint.sql.dialect import Dialect

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
        " On MySQL and MariaDB the same holds for a `MODIFY` / `CHANGE` that leaves out NOT NULL (or says "
        "NULL) on a column the replayed history knows as NOT NULL: MySQL's MODIFY restates the whole "
        "column, and a column without NOT NULL is nullable (MySQL 8.4 manual, ALTER TABLE, \"Renaming, "
        "Redefining, and Reordering Columns\"). A column whose earlier definition the history does not have "
        "is not flagged on MySQL. The in-place rebuild is `mysql-table-rebuild`'s finding."
        " On SQL Server an `ALTER COLUMN ... NULL` of a column the replayed history knows as NOT NULL is "
        "flagged (ALTER COLUMN restates the whole column); one whose earlier definition is unknown is not."
    )
    bad = 'ALTER TABLE "User" ALTER COLUMN "name" DROP NOT NULL;'
    good = 'ALTER TABLE "User" ADD COLUMN "nickname" TEXT;'
    references = (
        "https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-DESC-SET-DROP-NOT-NULL",
        "https://dev.mysql.com/doc/refman/8.4/en/alter-table.html#alter-table-redefine-column",
        "https://learn.microsoft.com/en-us/sql/t-sql/statements/alter-table-transact-sql",
    )
    dialects = frozenset({Dialect.POSTGRESQL, Dialect.MYSQL, Dialect.SQLSERVER})
    # The same harm in MySQL's syntax: shown in the docs and run by tests/rules/test_examples.py.
    dialect_examples = {
        Dialect.MYSQL: Example(
            bad="ALTER TABLE `User` MODIFY `name` VARCHAR(191) NOT NULL;\n"
                "ALTER TABLE `User` MODIFY `name` VARCHAR(255);",
            good="ALTER TABLE `User` MODIFY `name` VARCHAR(191) NOT NULL;\n"
                "ALTER TABLE `User` MODIFY `name` VARCHAR(255) NOT NULL;",
        ),
        Dialect.SQLSERVER: Example(
            bad="ALTER TABLE [dbo].[User] ALTER COLUMN [name] NVARCHAR(191) NOT NULL;\n"
                "ALTER TABLE [dbo].[User] ALTER COLUMN [name] NVARCHAR(255) NULL;",
            good="ALTER TABLE [dbo].[User] ALTER COLUMN [name] NVARCHAR(191) NOT NULL;\n"
                "ALTER TABLE [dbo].[User] ALTER COLUMN [name] NVARCHAR(255) NOT NULL;",
        ),
    }

    def check_statement(self, statement: ir.Statement, ctx: ModelContext) -> Iterable[Finding]:
        if not has_event(statement, ir.SetNotNull):
            return ()
        return self._findings(statement, ctx)

    def _findings(self, statement: ir.Statement, ctx: ModelContext) -> Iterator[Finding]:
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
            if ctx.dialect is Dialect.SQLSERVER:
                from migralint.rules.sqlserver import verdicts as sqlserver_verdicts  # here: only this dialect's lint imports it
                found = sqlserver_verdicts.ban_drop_not_null(self, statement, event, ctx)
                if found is not None:
                    yield found
                continue
            if ctx.dialect is Dialect.MYSQL:
                finding = _mysql_finding(self, statement, event, ctx)
                if finding is not None:
                    yield finding
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


def _mysql_finding(rule: BanDropNotNull, statement: ir.Statement, event: ir.SetNotNull, ctx: ModelContext) -> Finding | None:
    renamed = {e.new: e.column for e in statement.events if isinstance(e, ir.RenameColumn)}
    old = renamed.get(event.column, event.column)
    known = ctx.column(event.table, old)
    if known is None or not known.not_null or ctx.is_new_column(event.table, old):
        return None  # nullable already, or not known: a MODIFY restates every column it names
    new_type = next((e.type for e in statement.events if isinstance(e, ir.AlterColumnType) and e.column == event.column),
                    known.type)
    c, t = ctx.sql.quote(event.column), ctx.sql.table(event.table)
    clause = f"CHANGE {ctx.sql.quote(old)} {c}" if old != event.column else f"MODIFY {c}"
    head = f"{ctx.sql.alter_table(statement)} {clause}"
    return ctx.finding(
        rule,
        f"This makes {c} of {t} nullable (it restates the column without NOT NULL): code still running that assumes {c} always "
        + ("holds a value (a Prisma client of the previous release types it as required)" if ctx.is_prisma else "holds a value")
        + " breaks on the first NULL written there.",
        help=(
            f"Make every reader of {c} (the previous release, reports, other services) handle NULL before any code "
            "writes NULL into it; a MODIFY that was meant to keep the column NOT NULL must say so.\n"
            "-- if it was meant to stay NOT NULL:\n"
            f"{head} {new_type} NOT NULL;\n"
            f"-- otherwise, once no running code assumes {c} holds a value:\n"
            f"{head} {new_type} NULL;"
        ),
        span=statement.span_of(event),
    )
