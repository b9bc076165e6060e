from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from migralint.findings import Finding, Severity
from migralint.linter.model_context import RowsKind
from migralint.linter.suppressions import ignore_comment
from migralint.rules.base import Example, Rule, has_event
from migralint.sql import ir
from migralint.sql.dialect import Dialect

if TYPE_CHECKING:
    from migralint.linter.model_context import ModelContext


class BanDropColumn(Rule):
    name = "ban-drop-column"
    severity = Severity.ERROR
    kinds = (ir.Kind.ALTER_TABLE,)
    summary = "DROP COLUMN breaks the code still running that reads or writes the column."
    why = (
        "While a migration runs, the previous release of the application is still serving "
        "requests, and it still names the column: the moment it is dropped, every query that "
        "selects, inserts or updates it fails. Prisma clients select every column of a model by "
        "name, so even code that never uses the field breaks. Drop a column in two releases: first "
        "deploy code that no longer uses it, then drop it in a later migration, with an ignore "
        "comment that records why that is safe. A column added "
        "earlier in the same file (a rollback, say) or a column of a table created in it is not "
        "flagged: no running code knows it. On MySQL and MariaDB the harm is the same (MySQL commits "
        "the DROP at once, with no transaction to roll back); the help leaves out `IF EXISTS` and "
        "`CASCADE`, which MySQL's DROP COLUMN does not take (MySQL 8.4 manual, ALTER TABLE Statement), and "
        "what the drop costs in locks and rebuilds is `mysql-table-rebuild`'s."
        " On SQL Server the harm is the same; the help's `DROP COLUMN IF EXISTS` needs SQL Server 2016 or "
        "later (ALTER TABLE (Transact-SQL))."
        " On SQLite (3.35+) the harm is the "
        "same and the help has neither `IF EXISTS` nor `CASCADE`, which SQLite's DROP COLUMN does not take; a column "
        "left out of a table rebuild is `sqlite-rebuild-drops-columns`'s finding."
    )
    bad = 'ALTER TABLE "User" DROP COLUMN "legacyId";'
    good = (
        '-- migralint: ignore ban-drop-column -- release 4.2 stopped using "legacyId"\n'
        'ALTER TABLE "User" DROP COLUMN "legacyId";'
    )
    references = (
        "https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-DESC-DROP-COLUMN",
        "https://www.prisma.io/docs/orm/prisma-migrate/workflows/customizing-migrations",
        "https://dev.mysql.com/doc/refman/8.4/en/alter-table.html",
        "https://learn.microsoft.com/en-us/sql/t-sql/statements/alter-table-transact-sql",
    )
    dialects = frozenset({Dialect.POSTGRESQL, Dialect.MYSQL, Dialect.SQLITE, Dialect.COCKROACHDB, Dialect.SQLSERVER})
    # The same harm in MySQL's syntax: shown in the docs and run by tests/rules/test_examples.py.
    dialect_examples = {
        Dialect.MYSQL: Example(
            bad="ALTER TABLE `User` DROP COLUMN `legacyId`;",
            good="-- migralint: ignore ban-drop-column -- release 4.2 stopped using `legacyId`\n"
                "ALTER TABLE `User` DROP COLUMN `legacyId`;",
        ),
        Dialect.COCKROACHDB: Example(
            bad="ALTER TABLE users DROP COLUMN legacy_id;",
            good="-- migralint: ignore ban-drop-column -- release 4.2 stopped using legacy_id\n"
                "ALTER TABLE users DROP COLUMN legacy_id;",
        ),
        Dialect.SQLSERVER: Example(
            bad="ALTER TABLE [dbo].[User] DROP COLUMN [legacyId];",
            good="-- migralint: ignore ban-drop-column -- release 4.2 stopped using [legacyId]\n"
                "ALTER TABLE [dbo].[User] DROP COLUMN [legacyId];",
        ),
        Dialect.SQLITE: Example(
            bad='ALTER TABLE "User" DROP COLUMN "legacyId";',
            good='-- migralint: ignore ban-drop-column -- release 4.2 stopped using "legacyId"\n'
                'ALTER TABLE "User" DROP COLUMN "legacyId";',
        ),
    }

    def check_statement(self, statement: ir.Statement, ctx: ModelContext) -> Iterable[Finding]:
        if not has_event(statement, ir.DropColumn):
            return ()
        return self._findings(statement, ctx)

    def _findings(self, statement: ir.Statement, ctx: ModelContext) -> Iterator[Finding]:
        for event in statement.events:
            if not isinstance(event, ir.DropColumn):
                continue
            table, column = event.table, event.column
            if ctx.rows(table).kind is RowsKind.NEW:
                return  # the whole table is new: no running code knows any of its columns
            if ctx.is_new_column(table, column):
                continue
            if ctx.dialect is Dialect.SQLSERVER:
                from migralint.rules.sqlserver import verdicts as sqlserver_verdicts  # here: only this dialect's lint imports it
                yield sqlserver_verdicts.ban_drop_column(self, statement, event, ctx)
                continue
            if ctx.dialect is Dialect.SQLITE:
                from migralint.rules.sqlite import verdicts as sqlite_verdicts
                yield sqlite_verdicts.drop_column(self, statement, event, ctx)
                continue
            quoted = ctx.sql.quote(column)
            if ctx.dialect is Dialect.MYSQL:
                # MySQL's DROP COLUMN has neither IF EXISTS nor CASCADE (MariaDB has IF EXISTS only).
                drop, named = f"{ctx.sql.alter_table(statement)} DROP COLUMN {quoted};", f"{quoted} from {ctx.sql.table(table)}"
                shown = quoted
            else:
                drop = f"{ctx.sql.alter_table(statement)} DROP COLUMN IF EXISTS {quoted}{' CASCADE' if event.cascade else ''};"
                named, shown = f'"{column}" from "{ctx.sql.name(table)}"', f'"{column}"'
            yield ctx.finding(
                self,
                f'DROP COLUMN removes {named}: running code that still selects or '
                + ("writes it fails (a Prisma client selects every column of a model by name)." if ctx.is_prisma else "writes it fails.")
                + ctx.history_note(table, column),
                help=(
                    f"Deploy code that no longer uses {shown} first"
                    + (" (in Prisma: remove the field from schema.prisma, or mark it @ignore)" if ctx.is_prisma else "")
                    + ", then drop the column in a later migration.\n"
                    f"-- in a later migration, once no deployed code uses {shown}:\n"
                    f'{ignore_comment(self.name, f"no deployed code uses {quoted} any more")}\n'
                    f"{drop}"
                ),
                span=statement.span_of(event),
            )
