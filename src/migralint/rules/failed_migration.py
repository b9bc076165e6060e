"""A migration that failed in the database and was never resolved."""

from __future__ import annotations

from migralint.findings import Severity
from migralint.migrations.history import HistoryEvent, HistoryProblem, Runner
from migralint.rules.applied_history import AppliedHistoryRule
from migralint.sql.dialect import Dialect


class FailedMigration(AppliedHistoryRule):
    # Read from the runner's table in the database, which migralint reaches on PostgreSQL only.
    dialects = frozenset({Dialect.POSTGRESQL})
    name = "failed-migration"
    event = HistoryEvent.FAILED
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

    @staticmethod
    def describe(problem: HistoryProblem) -> tuple[str, str]:
        name = problem.migration
        if problem.runner is Runner.FLYWAY:
            return (
                f"migration {name} failed in the database: flyway_schema_history records it with success = false; "
                "`flyway migrate` refuses to run until the failure is repaired",
                "Finish or undo by hand what it left half done, then run `flyway repair` to remove the failed row.",
            )
        if problem.runner is Runner.GOLANG_MIGRATE:
            version = problem.version
            return (
                f"migration {name or f'version {version}'} failed in the database: schema_migrations marks "
                f"version {version} dirty; `migrate up` refuses to run until it is forced",
                f"Finish or undo by hand what it left half done, then run `migrate force {version}` if it is now "
                "complete, or `migrate force` with the version before it to run it again.",
            )
        deploy, resolve = _PRISMA_SHAPED[problem.runner]
        when = f" (started {problem.started_at:%Y-%m-%d %H:%M %Z})" if problem.started_at is not None else ""
        reason = problem.error if len(problem.error) <= 160 else problem.error[:157] + "..."
        because = f": {reason}" if reason else ""
        return (
            f"migration {name} failed in the database{when}{because}; "
            f"{deploy} refuses to apply anything until it is resolved",
            "Finish or undo by hand what it left half done, then record what you did: "
            f"`{resolve} --applied {name}` (or `--rolled-back {name}` to run it again).",
        )


# The runners that keep a Prisma-shaped table: the command that stops on a failure, and the one
# that records a failure as resolved.
_PRISMA_SHAPED = {
    Runner.PRISMA: ("`prisma migrate deploy`", "npx prisma migrate resolve"),
    Runner.MIGRALINT: ("`migralint apply`", "migralint resolve"),
}
