"""An applied migration whose file was deleted or renamed."""

from __future__ import annotations

from migralint.findings import Severity
from migralint.migrations.history import HistoryEvent, HistoryProblem
from migralint.rules.applied_history import AppliedHistoryRule
from migralint.source import display_path


class DeletedAppliedMigration(AppliedHistoryRule):
    name = "deleted-applied-migration"
    event = HistoryEvent.DELETED
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

    @staticmethod
    def describe(problem: HistoryProblem) -> tuple[str, str]:
        name, since, shown = problem.migration, problem.since, display_path(problem.path)
        if problem.renamed_to is not None:
            new_path = display_path(problem.renamed_to)
            return (
                f"applied migration {name} was renamed to {problem.renamed_name} ({new_path}): "
                f"the runner will run it again as a new migration, and finds {name} missing",
                f"Restore it under its old name (`git checkout {since} -- {shown}`) "
                f"and remove {new_path}; put any change in a new migration.",
            )
        how = "its deletion is staged" if problem.staged else f"it exists at {since}"
        return (
            f"applied migration {name} was deleted ({how}): the database still has "
            "its changes, and the runner finds an applied migration missing",
            f"Restore it (`git checkout {since} -- {shown}`); to undo what it did, write a new migration.",
        )
