"""An applied migration whose file changed since it was applied."""

from __future__ import annotations

from migralint.findings import Severity
from migralint.migrations.history import HistoryEvent, HistoryProblem, Runner
from migralint.rules.applied_history import AppliedHistoryRule
from migralint.source import display_path


class EditedAppliedMigration(AppliedHistoryRule):
    name = "edited-applied-migration"
    event = HistoryEvent.EDITED
    severity = Severity.ERROR
    summary = "A migration that is already applied was edited: the databases that ran it never see the change."
    why = (
        "A runner applies each migration once and then only remembers its name (and, for some, a "
        "checksum). Production, staging and every teammate's database ran the old text; the edit "
        "reaches only databases created from scratch, so environments drift apart silently. "
        "`prisma migrate deploy` does not compare checksums at all, and `prisma migrate dev` "
        "wants to reset the development database when it sees one changed. Line-ending changes "
        "(CRLF and LF) are not edits: Prisma's checksum treats them as equal."
    )
    bad = (
        "20240101000000_init/migration.sql exists on origin/main (it is deployed),\n"
        "and a branch changes it to add a column:\n"
        "  migralint lint --since origin/main\n"
        '  -> applied migration 20240101000000_init was edited since origin/main: line 7 differs'
    )
    good = (
        "20240101000000_init/migration.sql stays as it is on origin/main;\n"
        "the column comes in a migration of its own:\n"
        "  20240320000000_add_user_plan/migration.sql (new, pending, linted)"
    )
    options = (
        "Knows what is applied from `--since REF` (every migration that exists at REF), "
        "`--staged` (every migration in HEAD; the index is compared with it) or a database. "
        "Without a source of truth it finds nothing."
    )
    references = (
        "https://www.prisma.io/docs/orm/prisma-migrate/workflows/patching-and-hotfixing",
        "https://www.prisma.io/docs/orm/prisma-migrate/understanding-prisma-migrate/migration-histories",
    )

    @staticmethod
    def describe(problem: HistoryProblem) -> tuple[str, str]:
        name = problem.migration
        if problem.runner is Runner.GIT:
            since = problem.since
            edited = f"has a staged edit (against {since})" if problem.staged else f"was edited since {since}"
            return (
                f"applied migration {name} {edited}: {problem.change}; "
                "the database ran the old version and will never run this one",
                f"Never edit an applied migration: revert the file (`git checkout {since} -- "
                f"{display_path(problem.path)}`) and put the change in a new migration.",
            )
        if problem.runner is Runner.FLYWAY:
            return (
                f"applied migration {problem.path.name} was edited: its checksum ({problem.checksum}) differs from "
                f"the one in flyway_schema_history ({problem.recorded_checksum}), so the databases that ran it ran "
                "other SQL; `flyway validate` fails on it",
                "Never edit an applied migration: restore the file as it was applied and put the change in a new "
                "migration (for a change that is only cosmetic, `flyway repair` records the new checksum).",
            )
        return (
            f"applied migration {name} was edited: its SHA-256 no longer matches the checksum in "
            f"{problem.runner.table}, so the databases that ran it ran other SQL than this file holds",
            "Never edit an applied migration: restore the file as it was applied and put the change in "
            "a new migration" + (
                " (`prisma migrate dev` would otherwise ask to reset the development database)."
                if problem.runner is Runner.PRISMA else "."
            ),
        )
