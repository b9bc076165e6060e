from __future__ import annotations

from collections.abc import Iterator

from migralint.findings import Finding, Severity
from migralint.linter.model_context import ModelContext
from migralint.rules.base import Rule
from migralint.rules.mysql.common import MYSQL, Reported
from migralint.sql import ir

# What does nothing a failure could leave half done: session settings, reads, transaction control.
_INERT = frozenset({ir.Kind.SET, ir.Kind.SELECT, ir.Kind.TRANSACTION})


class NonTransactionalMigration(Rule):
    name = "non-transactional-migration"
    severity = Severity.WARNING
    dialects = MYSQL
    summary = "A MySQL migration of several statements with DDL among them: a failure halfway leaves the first half applied."
    why = (
        "MySQL commits before and after every DDL statement (CREATE, ALTER, DROP, RENAME, TRUNCATE...), and "
        "BEGIN ... COMMIT around them changes nothing. When a statement of the migration fails, the ones "
        "before it stay applied: the migration can neither be rolled back nor simply run again (its first "
        "CREATE TABLE now fails). Prisma then records the migration as failed and refuses every later "
        "deploy (P3009) until someone repairs the database by hand and runs `prisma migrate resolve`. "
        "Each statement is atomic on its own (MySQL 8.0's atomic DDL), a file of them is not."
    )
    bad = (
        "ALTER TABLE `User` ADD COLUMN `teamId` INT NULL;\n"
        "ALTER TABLE `User` ADD CONSTRAINT `User_teamId_fkey` FOREIGN KEY (`teamId`) REFERENCES `Team`(`id`);"
    )
    good = (
        "ALTER TABLE `User` ADD COLUMN `teamId` INT NULL,\n"
        "    ADD CONSTRAINT `User_teamId_fkey` FOREIGN KEY (`teamId`) REFERENCES `Team`(`id`);"
    )
    reported_once = "per file, at its second statement that changes something, when one of them is DDL"
    references = (
        "https://dev.mysql.com/doc/refman/8.4/en/implicit-commit.html",
        "https://dev.mysql.com/doc/refman/8.4/en/atomic-ddl.html",
        "https://www.prisma.io/docs/orm/prisma-migrate/workflows/patching-and-hotfixing",
        "https://github.com/prisma/prisma-engines/blob/main/schema-engine/ARCHITECTURE.md",
    )

    def check_statement(self, statement: ir.Statement, ctx: ModelContext) -> Iterator[Finding]:
        seen = ctx.state(Reported, self.name)
        if seen.done or statement.kind in _INERT:
            return
        before = [s for s in ctx.earlier if s.kind not in _INERT]
        if not before or not (statement.implicit_commit or any(s.implicit_commit for s in before)):
            return
        seen.done = True
        count = len(before)
        earlier = "the statement before it stays" if count == 1 else f"the {count} statements before it stay"
        yield ctx.finding(
            self,
            f"MySQL commits after each DDL statement: if this statement fails, {earlier} applied, and the "
            "migration can neither be rolled back nor run again as it is"
            + (" (Prisma then refuses every deploy until `prisma migrate resolve`)." if ctx.is_prisma else "."),
            covers=before,
            help=(
                "Give each DDL statement a migration of its own (one ALTER TABLE may hold several changes to one "
                "table), or write statements that can run twice (MariaDB: ADD COLUMN IF NOT EXISTS, CREATE "
                "TABLE IF NOT EXISTS), and keep a script that undoes the first half ready.\n"
                "-- migralint: ignore non-transactional-migration -- a partial apply is repaired by hand"
            ),
        )
