from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from migralint.findings import Finding, Severity
from migralint.linter.nodes import TableName, unwrap
from migralint.linter.parse import Statement
from migralint.linter.suppressions import ignore_comment
from migralint.rules.base import Rule

if TYPE_CHECKING:
    from migralint.linter.context import Context


class BanDropTable(Rule):
    name = "ban-drop-table"
    severity = Severity.ERROR
    nodes = ("DropStmt",)
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

    def check(self, statement: Statement, ctx: Context) -> Iterator[Finding]:
        node = statement.node
        if node.get("removeType") != "OBJECT_TABLE":
            return
        tables = [TableName.from_names(unwrap(obj)[1].get("items", [])) for obj in node.get("objects", [])]
        existing = [table for table in tables if not ctx.is_new_table(table)]
        if not existing:
            return
        quoted = ", ".join(f'"{table}"' for table in existing)
        cascade = " CASCADE" if node.get("behavior") == "DROP_CASCADE" else ""
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
                f"DROP TABLE IF EXISTS {', '.join(table.sql() for table in existing)}{cascade};"
            ),
        )
