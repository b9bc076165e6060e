"""A migration the database ran whose file is not in the migrations folder."""

from __future__ import annotations

from migralint.findings import Severity
from migralint.migrations.history import HistoryEvent, HistoryProblem, Runner
from migralint.rules.applied_history import MISSING_HELP, AppliedHistoryRule
from migralint.sql.dialect import Dialect


class MissingAppliedMigration(AppliedHistoryRule):
    # Read from the runner's table in the database, which migralint reaches on PostgreSQL only.
    dialects = frozenset({Dialect.POSTGRESQL})
    name = "missing-applied-migration"
    event = HistoryEvent.MISSING
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

    @staticmethod
    def describe(problem: HistoryProblem) -> tuple[str, str]:
        behind = "this branch is behind the database, or the migration was deleted or renamed"
        version = problem.version
        if problem.runner is Runner.FLYWAY:
            message = (f"migration {problem.migration} is applied in the database (flyway_schema_history) but the "
                       f"file is not here: {behind}; `flyway validate` fails on it")
        elif problem.runner is Runner.GOLANG_MIGRATE:
            message = (f"the database is at version {version} (schema_migrations) but no {version}_*.up.sql is "
                       f"here: {behind}")
        elif problem.runner is Runner.DBMATE:
            message = (f"version {version} is applied in the database (schema_migrations) but no {version}_*.sql "
                       f"is here: {behind}")
        else:
            kept_in = "folder" if problem.runner is Runner.PRISMA else "file"
            message = (f"migration {problem.migration} is applied in the database ({problem.runner.table}) but its "
                       f"{kept_in} is not here: {behind}")
        return message, MISSING_HELP
