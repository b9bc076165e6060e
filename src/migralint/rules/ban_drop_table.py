from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from migralint.findings import Finding, Severity
from migralint.linter.model_context import RowsKind
from migralint.linter.suppressions import ignore_comment
from migralint.rules.base import Example, Rule
from migralint.sql import ir
from migralint.sql.dialect import Dialect

if TYPE_CHECKING:
    from migralint.linter.model_context import ModelContext


class BanDropTable(Rule):
    name = "ban-drop-table"
    severity = Severity.ERROR
    kinds = (ir.Kind.DROP_TABLE,)
    summary = "DROP TABLE deletes the table's rows and breaks the code still running that uses it."
    why = (
        "Dropping a table deletes its data for good, and while the migration runs the previous "
        "release of the application still queries the table: every one of those queries fails "
        "from the moment it is gone. Drop a table in two releases: first deploy code that no "
        "longer uses it (and keep a backup if its rows matter), then drop it in a later migration, "
        "with an ignore comment that records why that is safe. "
        "A table created earlier in the same file (a rollback, say) is not flagged. On MySQL and "
        "MariaDB the harm is the same, and worse: DROP TABLE commits at once, so no transaction can "
        "take it back (MySQL 8.4 manual, DROP TABLE Statement: CASCADE is accepted and does nothing, so "
        "the help leaves it out). On MySQL a table that an earlier statement of the file renamed to the "
        "dropped name (the backup of a rename, create, copy, drop rebuild) is not flagged either: no running "
        "code knows that name."
        " On SQL Server the harm is the same (the help's `DROP TABLE IF EXISTS` needs SQL Server 2016 or "
        "later); Prisma's table rebuild, which copies every row into `_prisma_new_X`, drops `X` and renames "
        "the copy back with `sp_rename` in one transaction, loses no row and is not flagged."
        " On SQLite the harm is the same; the DROP TABLE of a table rebuild (create `new_X`, copy, drop X, rename) is not flagged here: what a rebuild loses is for the `sqlite-rebuild-*` rules, as is a table the file renamed away first, or copied out and creates again (a backup, a drop, the table anew, the rows copied back)."
    )
    bad = 'DROP TABLE "Session";'
    good = (
        '-- migralint: ignore ban-drop-table -- release 4.2 stopped using "Session"; rows archived\n'
        'DROP TABLE "Session";'
    )
    references = (
        "https://www.postgresql.org/docs/current/sql-droptable.html",
        "https://dev.mysql.com/doc/refman/8.4/en/drop-table.html",
        "https://learn.microsoft.com/en-us/sql/t-sql/statements/drop-table-transact-sql",
        "https://www.sqlite.org/lang_droptable.html",
    )
    dialects = frozenset({Dialect.POSTGRESQL, Dialect.MYSQL, Dialect.SQLITE, Dialect.COCKROACHDB, Dialect.SQLSERVER})
    # The same harm in MySQL's syntax: shown in the docs and run by tests/rules/test_examples.py.
    dialect_examples = {
        Dialect.MYSQL: Example(
            bad="DROP TABLE `Session`;",
            good="-- migralint: ignore ban-drop-table -- release 4.2 stopped using `Session`; rows archived\n"
                "DROP TABLE `Session`;",
        ),
        Dialect.COCKROACHDB: Example(
            bad="DROP TABLE IF EXISTS selfservice_profile_management_requests;",
            good="-- migralint: ignore ban-drop-table -- no deployed code uses it since release 0.9\n"
                "DROP TABLE IF EXISTS selfservice_profile_management_requests;",
        ),
        Dialect.SQLSERVER: Example(
            bad="DROP TABLE [dbo].[Session];",
            good="-- migralint: ignore ban-drop-table -- release 4.2 stopped using [Session]; rows archived\n"
                "DROP TABLE [dbo].[Session];",
        ),
        Dialect.SQLITE: Example(
            bad='DROP TABLE "Session";',
            good='-- migralint: ignore ban-drop-table -- release 4.2 stopped using "Session"; rows archived\n'
                'DROP TABLE "Session";',
        ),
    }

    def check_statement(self, statement: ir.Statement, ctx: ModelContext) -> Iterator[Finding]:
        dropped = [event for event in statement.events if isinstance(event, ir.DropTable)]
        existing = [event.table for event in dropped if ctx.rows(event.table).kind is not RowsKind.NEW]
        if ctx.dialect is Dialect.MYSQL:
            # A name this file gave by a rename (the backup in rename, create, copy, drop): no running code uses it.
            renamed_to = {e.new for s in ctx.earlier for e in s.events if isinstance(e, ir.RenameTable)}
            existing = [table for table in existing if table not in renamed_to]
        if ctx.dialect is Dialect.SQLITE:
            from migralint.rules.sqlite import verdicts as sqlite_verdicts  # here: only this dialect's lint imports it
            existing = sqlite_verdicts.not_rebuilt(ctx, existing)
        if not existing:
            return
        if ctx.dialect is Dialect.SQLSERVER:
            from migralint.rules.sqlserver import verdicts as sqlserver_verdicts
            found = sqlserver_verdicts.ban_drop_table(self, statement, existing, ctx)
            if found is not None:
                yield found
            return
        mysql = ctx.dialect is Dialect.MYSQL
        quoted = ", ".join(ctx.sql.table(table) if mysql else f'"{ctx.sql.name(table)}"' for table in existing)
        # MySQL parses CASCADE and ignores it: the help does not suggest it does something.
        cascade = " CASCADE" if any(event.cascade for event in dropped) and not mysql else ""
        it = "it" if len(existing) == 1 else "them"
        yield ctx.finding(
            self,
            f"DROP TABLE deletes {quoted} and every row in {it}: running code that still queries "
            f"{it} fails." + "".join(ctx.history_note(table) for table in existing),
            help=(
                f"Deploy code that no longer uses {quoted} first"
                + (" (in Prisma: remove the model from schema.prisma)" if ctx.is_prisma else "")
                + f", then drop {it} in a later migration.\n"
                f"-- in a later migration, once no deployed code uses {quoted} (back up rows that matter):\n"
                f"{ignore_comment(self.name, f'no deployed code uses {quoted} any more')}\n"
                f"DROP TABLE IF EXISTS {', '.join(ctx.sql.table(table) for table in existing)}{cascade};"
            ),
        )
