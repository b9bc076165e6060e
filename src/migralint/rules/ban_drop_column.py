from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from migralint.findings import Finding, Severity
from migralint.linter.constraint_sql import alter_table_prefix
from migralint.linter.nodes import quote_ident, subcommands
from migralint.linter.parse import Statement
from migralint.linter.suppressions import ignore_comment
from migralint.rules.base import Rule

if TYPE_CHECKING:
    from migralint.linter.context import Context


class BanDropColumn(Rule):
    name = "ban-drop-column"
    severity = Severity.ERROR
    nodes = ("AlterTableStmt",)
    summary = "DROP COLUMN breaks the code still running that reads or writes the column."
    why = (
        "While a migration runs, the previous release of the application is still serving "
        "requests, and it still names the column: the moment it is dropped, every query that "
        "selects, inserts or updates it fails. Prisma clients select every column of a model by "
        "name, so even code that never uses the field breaks. Drop a column in two releases: first "
        "deploy code that no longer uses it, then drop it in a later migration, with an ignore "
        "comment that records why that is safe. A column added "
        "earlier in the same file (a rollback, say) or a column of a table created in it is not "
        "flagged: no running code knows it."
    )
    bad = 'ALTER TABLE "User" DROP COLUMN "legacyId";'
    good = (
        '-- migralint: ignore ban-drop-column -- release 4.2 stopped using "legacyId"\n'
        'ALTER TABLE "User" DROP COLUMN "legacyId";'
    )
    references = (
        "https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-DESC-DROP-COLUMN",
        "https://www.prisma.io/docs/orm/prisma-migrate/workflows/customizing-migrations",
    )

    def check(self, statement: Statement, ctx: Context) -> Iterator[Finding]:
        node = statement.node
        table = ctx.altered_existing_table(statement)
        if table is None:
            return
        for number, cmd in subcommands(node, "AT_DropColumn"):
            column = cmd.get("name", "")
            if ctx.is_new_column(table, column):
                continue
            cascade = " CASCADE" if cmd.get("behavior") == "DROP_CASCADE" else ""
            yield ctx.finding(
                self,
                f'DROP COLUMN removes "{column}" from "{table}": running code that still selects or '
                + ("writes it fails (a Prisma client selects every column of a model by name)." if ctx.is_prisma else "writes it fails.")
                + ctx.history_note(table, column),
                help=(
                    f'Deploy code that no longer uses "{column}" first'
                    + (" (in Prisma: remove the field from schema.prisma, or mark it @ignore)" if ctx.is_prisma else "")
                    + ", then drop the column in a later migration.\n"
                    f'-- in a later migration, once no deployed code uses "{column}":\n'
                    f'{ignore_comment(self.name, f"no deployed code uses {quote_ident(column)} any more")}\n'
                    f"{alter_table_prefix(node)} DROP COLUMN IF EXISTS {quote_ident(column)}{cascade};"
                ),
                span=ctx.subcommand_span(number),
            )
