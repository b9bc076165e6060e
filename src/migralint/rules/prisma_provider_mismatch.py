from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from migralint.findings import Finding, Severity
from migralint.migrations.prisma_schema import normalized_provider
from migralint.rules.base import HistoryRule

if TYPE_CHECKING:
    from migralint.linter.history_context import HistoryContext


class PrismaProviderMismatch(HistoryRule):
    name = "prisma-provider-mismatch"
    severity = Severity.ERROR
    summary = "The datasource provider in schema.prisma differs from the one in migration_lock.toml."
    why = (
        "`migration_lock.toml` records the database the migration history was written for. When "
        "the `datasource` block of the schema names another provider, `prisma migrate` stops with "
        "P3019 (\"The datasource provider ... does not match the one specified in the "
        "migration_lock.toml\"): the history's SQL is written for the lock file's database and cannot run "
        "elsewhere. It "
        "happens when a schema is switched to SQLite for local work, or copied from another project. "
        "The schema is looked for beside the migrations folder (`prisma/schema.prisma` and the other "
        "`.prisma` files there for `prisma/migrations`) and in a multi-file schema folder "
        "(`prisma/schema/`). A provider given by `env()` is not checked. A lock file naming a "
        "provider migralint does not lint (MongoDB, or an empty one) is said in one error line and that folder "
        "is not linted; the other folders are, and the run exits with code 2."
    )
    bad = (
        'prisma/migrations/migration_lock.toml:  provider = "postgresql"\n'
        'prisma/schema.prisma:                   datasource db { provider = "sqlite" ... }'
    )
    good = (
        'prisma/migrations/migration_lock.toml:  provider = "postgresql"\n'
        'prisma/schema.prisma:                   datasource db { provider = "postgresql" ... }'
    )
    references = (
        "https://www.prisma.io/docs/orm/reference/error-reference#p3019",
        "https://www.prisma.io/docs/orm/prisma-migrate/understanding-prisma-migrate/migration-histories#migration_locktoml",
    )

    def check_history(self, ctx: HistoryContext) -> Iterator[Finding]:
        lock = ctx.files.prisma_lock
        if lock is None:
            return
        locked = normalized_provider(ctx.files.locked_provider)
        for found in ctx.files.datasources:
            if found.provider == locked:
                continue
            yield ctx.finding(
                self,
                found.path,
                f'the datasource provider is "{found.provider}" but {lock.name} says "{locked}": '
                "`prisma migrate` refuses to run (P3019), and this history's SQL is written for "
                f"{locked}.",
                help=(
                    f'Point the datasource back at the database the migrations are for: provider = "{locked}". '
                    f"Moving to {found.provider} takes a new migration history."
                ),
                line=found.line,
            )
