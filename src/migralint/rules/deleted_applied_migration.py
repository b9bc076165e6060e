"""An applied migration whose file was deleted or renamed."""

from __future__ import annotations

from collections.abc import Iterator

from migralint.findings import Finding, Severity
from migralint.linter.history_context import HistoryContext
from migralint.rules.base import HistoryRule


class DeletedAppliedMigration(HistoryRule):
    name = "deleted-applied-migration"
    severity = Severity.ERROR
    summary = "A migration that is already applied was deleted or renamed."
    why = (
        "The databases that ran it keep its changes and its name in their history table. "
        "Deleted, it can no longer build a fresh database the way production was built, and "
        "the runner reports an applied migration it cannot find (`prisma migrate dev` offers to "
        "reset the database). Renamed, it is a new migration to the runner: it runs again on "
        "databases that already have its tables, and fails there, or does its work twice."
    )
    bad = (
        "20240101000000_init/ exists on origin/main (it is deployed),\n"
        "and a branch renames it to 20240301000000_init/:\n"
        "  migralint lint --since origin/main\n"
        "  -> applied migration 20240101000000_init was renamed to 20240301000000_init"
    )
    good = (
        "20240101000000_init/ stays as it is;\n"
        "what it did is undone or changed by a new migration:\n"
        "  20240301000000_drop_legacy_table/migration.sql (new, pending, linted)"
    )
    options = (
        "Knows what is applied from `--since REF` (every migration that exists at REF), "
        "`--staged` (every migration in HEAD; a staged deletion is one) or a database. "
        "Without a source of truth it finds nothing."
    )
    references = (
        "https://www.prisma.io/docs/orm/prisma-migrate/understanding-prisma-migrate/migration-histories",
    )

    def check_history(self, ctx: HistoryContext) -> Iterator[Finding]:
        for problem in ctx.state.problems:
            if problem.rule == self.name:
                yield ctx.finding(self, problem.path, problem.message, help=problem.help, line=problem.line)
