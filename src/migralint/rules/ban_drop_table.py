from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from migralint.findings import Finding, Severity
from migralint.linter.model_context import RowsKind
from migralint.linter.suppressions import ignore_comment
from migralint.rules.base import Rule
from migralint.sql import ir

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
        "A table created earlier in the same file (a rollback, say) is not flagged."
    )
    bad = 'DROP TABLE "Session";'
    good = (
        '-- migralint: ignore ban-drop-table -- release 4.2 stopped using "Session"; rows archived\n'
        'DROP TABLE "Session";'
    )
    references = ("https://www.postgresql.org/docs/current/sql-droptable.html",)

    def check_statement(self, statement: ir.Statement, ctx: ModelContext) -> Iterator[Finding]:
        dropped = [event for event in statement.events if isinstance(event, ir.DropTable)]
        existing = [event.table for event in dropped if ctx.rows(event.table).kind is not RowsKind.NEW]
        if not existing:
            return
        quoted = ", ".join(f'"{ctx.sql.name(table)}"' for table in existing)
        cascade = " CASCADE" if any(event.cascade for event in dropped) else ""
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
