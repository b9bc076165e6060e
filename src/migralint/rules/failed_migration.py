"""A migration that failed in the database and was never resolved."""

from __future__ import annotations

from collections.abc import Iterator

from migralint.findings import Finding, Severity
from migralint.linter.history_context import HistoryContext
from migralint.rules.base import HistoryRule


class FailedMigration(HistoryRule):
    name = "failed-migration"
    severity = Severity.ERROR
    summary = "A migration failed in the database and is still marked failed: the next deploy will stop."
    why = (
        "A migration that fails halfway leaves the database in a state no migration file describes "
        "(outside a transaction, some of its statements took effect). The runner records the "
        "failure and refuses to apply anything until someone resolves it: `prisma migrate deploy` "
        "stops with P3009, golang-migrate reports a dirty database, Flyway asks for `repair`. The "
        "new migrations of this change cannot ship until then."
    )
    bad = (
        "_prisma_migrations has a row for 20240301080000_add_invoices with neither finished_at\n"
        "nor rolled_back_at (it failed):\n"
        "  migralint lint --database-url \"$DATABASE_URL\"\n"
        "  -> migration 20240301080000_add_invoices failed in the database: ..."
    )
    good = (
        "The database was repaired by hand, and the failure recorded as resolved:\n"
        "  npx prisma migrate resolve --rolled-back 20240301080000_add_invoices"
    )
    options = (
        "Knows about failures from `--database-url URL` (or `$DATABASE_URL`): a row of "
        "`_prisma_migrations` that never finished and was not rolled back, a row of "
        "`flyway_schema_history` with `success = false`, golang-migrate's `dirty` flag. Without a "
        "database it finds nothing."
    )
    references = (
        "https://www.prisma.io/docs/orm/prisma-migrate/workflows/patching-and-hotfixing",
        "https://github.com/golang-migrate/migrate/blob/master/GETTING_STARTED.md#forcing-your-database-version",
    )

    def check_history(self, ctx: HistoryContext) -> Iterator[Finding]:
        for problem in ctx.state.problems:
            if problem.rule == self.name:
                yield ctx.finding(self, problem.path, problem.message, help=problem.help, line=problem.line)
