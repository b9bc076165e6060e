"""An applied migration whose file changed since it was applied."""

from __future__ import annotations

from collections.abc import Iterator

from migralint.findings import Finding, Severity
from migralint.linter.history_context import HistoryContext
from migralint.rules.base import HistoryRule


class EditedAppliedMigration(HistoryRule):
    name = "edited-applied-migration"
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

    def check_history(self, ctx: HistoryContext) -> Iterator[Finding]:
        for problem in ctx.state.problems:
            if problem.rule == self.name:
                yield ctx.finding(self, problem.path, problem.message, help=problem.help, line=problem.line)
