from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from migralint.findings import Finding, Severity
from migralint.migrations.layouts import RunnerMode
from migralint.rules.base import Rule

if TYPE_CHECKING:
    from migralint.linter.context import Context


class BanUncommittedTransaction(Rule):
    name = "ban-uncommitted-transaction"
    severity = Severity.ERROR
    summary = "A BEGIN that no COMMIT or ROLLBACK in the file ends leaves the migration's transaction open."
    why = (
        "Everything after a BEGIN takes effect only when a COMMIT ends the transaction. Without one, "
        "the migration tool reports success while the changes are still uncommitted: psql or the "
        "tool's connection closes and PostgreSQL rolls them back, or the connection stays open and "
        "keeps every lock the migration took (ACCESS EXCLUSIVE for most ALTER TABLE) until it does, "
        "so queries on those tables wait. Files that the runner wraps in a transaction of its own "
        "(Flyway, diesel, dbmate) are not flagged: the runner's COMMIT ends it, and "
        "transaction-nesting reports the BEGIN."
    )
    bad = 'BEGIN;\nALTER TABLE "User" ADD COLUMN "nickname" TEXT;'
    good = 'BEGIN;\nALTER TABLE "User" ADD COLUMN "nickname" TEXT;\nCOMMIT;'
    references = ("https://www.postgresql.org/docs/current/sql-begin.html",)

    def check_file(self, ctx: Context) -> Iterable[Finding]:
        if ctx.runner is RunnerMode.TRANSACTION or not ctx.transaction_events:
            return ()
        return self._findings(ctx)

    def _findings(self, ctx: Context) -> Iterator[Finding]:
        first = ctx.statements[0].index
        for event in ctx.transaction_events:
            if event.kind != "uncommitted-begin":
                continue
            here = ctx.on(ctx.statements[event.statement - first])
            following = len(ctx.statements) - 1 - (event.statement - first)
            if following:
                plural = "s" if following > 1 else ""
                effect = (
                    f"the {following} statement{plural} after it {'take' if plural else 'takes'} effect only when a COMMIT ends it; when the "
                    "connection closes, PostgreSQL rolls them back, and until then every lock they took is held."
                )
            else:
                effect = "it stays open until the connection closes."
            yield here.finding(
                self,
                f"This BEGIN opens a transaction that nothing in the file commits: {effect}",
                help="End the transaction at the end of the file.\nCOMMIT;",
            )
