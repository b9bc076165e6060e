from __future__ import annotations

from collections.abc import Collection, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from migralint.findings import Finding, Severity
from migralint.migrations.layouts import Layout, MigrationFile
from migralint.migrations.naming import (
    is_lowercase_name,
    is_vague,
    snake_case,
)
from migralint.migrations.versions import git_mv_lines, renames, shell_path, split_name
from migralint.rules.base import HistoryRule

if TYPE_CHECKING:
    from migralint.linter.history_context import HistoryContext


# Layouts with a file whose emptiness is a mistake. ory popx keeps an empty file for each dialect
# a migration does nothing on, on purpose.
_BLANK_MATTERS = frozenset({Layout.PRISMA, Layout.FLYWAY, Layout.GOLANG_MIGRATE, Layout.DIESEL, Layout.DBMATE})
_ONLY_IF_PENDING = "If no database has applied it yet, rename it"


class MigrationName(HistoryRule):
    name = "migration-name"
    severity = Severity.WARNING
    summary = (
        "A migration whose name is not lowercase snake_case or says nothing (`update`, `fix`), "
        "a Prisma folder without migration.sql, or a migration with no SQL in it."
    )
    why = (
        "The name after the timestamp is what a reviewer, `prisma migrate status` and the history "
        "table show: the guides ask for lowercase words joined by underscores that say what the "
        "migration does (`add_user_email`, not `AddUserEmail`, not `update`, `fix` or `migration1`). "
        "`init` is fine for the first migration; lowercase words joined by hyphens and release "
        "numbers (`2.9.0_schema`) pass too. A Prisma folder without migration.sql (often left behind "
        "by a branch switch) stops `prisma migrate` with P3015, and a migration with nothing but comments "
        "is usually one whose SQL was never written. Once a migration is applied its name is part of "
        "the history and must not change: when git, the database or `applied_through` say what is "
        "applied, only pending migrations are checked."
    )
    bad = (
        "prisma/migrations/20240105170000_AddUserPhone/migration.sql\n"
        "prisma/migrations/20240110090000_update/migration.sql\n"
        "prisma/migrations/20240112080000_add_invoice_table/          (no migration.sql)"
    )
    good = (
        "prisma/migrations/20240101000000_init/migration.sql\n"
        "prisma/migrations/20240105170000_add_user_phone/migration.sql\n"
        "prisma/migrations/20240110090000_index_posts_by_title/migration.sql"
    )
    references = (
        "https://www.prisma.io/docs/orm/prisma-migrate/workflows/development-and-production",
        "https://www.prisma.io/docs/orm/prisma-migrate/understanding-prisma-migrate/migration-histories",
    )

    def check_history(self, ctx: HistoryContext) -> Iterator[Finding]:
        forward = [m for m in ctx.migrations if not m.rollback]
        if any(m.layout is Layout.PRISMA for m in forward):
            for folder in ctx.files.without_sql:
                yield ctx.finding(
                    self,
                    folder,
                    f"{folder.name} has no migration.sql: `prisma migrate` stops on a migration folder without one (P3015).",
                    help=f"Remove the folder if it is a leftover, or add the migration's SQL to it:\nrm -r {shell_path(folder)}",
                )
        first = forward[0] if forward else None
        for migration in forward:
            if ctx.state.known and migration.name in ctx.state.applied:
                continue  # an applied migration keeps its name and its content
            yield from self._name(ctx, migration, first=migration is first)
            if migration.layout in _BLANK_MATTERS and ctx.is_blank(migration):
                yield ctx.finding(
                    self,
                    migration.path,
                    f"{migration.name} holds no SQL, only comments or blank lines: "
                    f"{migration.layout} records it as applied without changing anything.",
                    help="Write the migration's SQL, or delete the migration if it is not needed.",
                )

    def _name(self, ctx: HistoryContext, migration: MigrationFile, *, first: bool) -> Iterator[Finding]:
        parts = split_name(migration)
        if parts is None or (migration.layout is Layout.FLYWAY and parts.prefix.upper() == "R" and not parts.name):
            return
        if not parts.name:
            yield ctx.finding(
                self,
                migration.path,
                f"{migration.name} has no name after its version: say what it does, such as add_user_email.",
                help=f"{_ONLY_IF_PENDING} to `{parts.prefix}{parts.version}_<what_it_does>`.",
            )
            return
        if not is_lowercase_name(parts.name):
            better = snake_case(parts.name)
            yield ctx.finding(
                self,
                migration.path,
                f"{migration.name}: migration names read best in lowercase snake_case, as the guides ask: "
                f"{better or 'add_user_email'}.",
                help=self._rename(migration, better, ctx.files.listing) if better else "",
            )
        elif is_vague(parts.name, first=first):
            yield ctx.finding(
                self,
                migration.path,
                f"{migration.name}: {parts.name!r} does not say what the migration changes; "
                "a name such as add_user_email or index_posts_by_title does.",
                help=f"{_ONLY_IF_PENDING} after what it does.",
            )

    def _rename(self, migration: MigrationFile, better: str, listing: Collection[Path]) -> str:
        lines = git_mv_lines(renames(migration, listing, name=better))
        return "\n".join([f"{_ONLY_IF_PENDING} (once applied, a renamed migration looks new to its runner):", *lines])
