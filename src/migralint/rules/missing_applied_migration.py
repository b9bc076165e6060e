"""A migration the database ran whose file is not in the migrations folder."""

from __future__ import annotations

from collections.abc import Iterator

from migralint.findings import Finding, Severity
from migralint.linter.history_context import HistoryContext
from migralint.rules.base import HistoryRule


class MissingAppliedMigration(HistoryRule):
    name = "missing-applied-migration"
    severity = Severity.ERROR
    summary = "The database ran a migration that the migrations folder does not have."
    why = (
        "The runner's history table lists a migration with no file here: the branch is behind the "
        "database (someone deployed a migration this branch does not have yet), or an applied "
        "migration was deleted or renamed. Migrations written on this branch are then checked "
        "against a schema that is not the one in production, and the runner stops: `prisma migrate "
        "dev` offers to reset the database, `flyway validate` fails, and golang-migrate cannot find "
        "the version the database is at."
    )
    bad = (
        "_prisma_migrations has a finished row for 20240301080000_add_invoices,\n"
        "and prisma/migrations/ has no 20240301080000_add_invoices/ folder:\n"
        "  migralint lint --database-url \"$DATABASE_URL\"\n"
        "  -> migration 20240301080000_add_invoices is applied in the database but its folder is not here"
    )
    good = (
        "Merge the branch that added 20240301080000_add_invoices (or restore the folder from git):\n"
        "every migration the database ran has its file, unchanged."
    )
    options = (
        "Knows what is applied from `--database-url URL` (or `$DATABASE_URL`): Prisma's "
        "`_prisma_migrations`, Flyway's `flyway_schema_history`, golang-migrate's and dbmate's "
        "`schema_migrations`. Without a database it finds nothing."
    )
    references = (
        "https://www.prisma.io/docs/orm/prisma-migrate/understanding-prisma-migrate/migration-histories",
    )

    def check_history(self, ctx: HistoryContext) -> Iterator[Finding]:
        for problem in ctx.state.problems:
            if problem.rule == self.name:
                yield ctx.finding(self, problem.path, problem.message, help=problem.help, line=problem.line)
