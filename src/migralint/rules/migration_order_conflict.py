from __future__ import annotations

from collections.abc import Collection, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from migralint.findings import Finding, Severity
from migralint.migrations.layouts import Layout, MigrationFile
from migralint.migrations.versions import (
    is_repeatable,
    rename_help,
    split_name,
    version_identity,
)
from migralint.rules.base import HistoryRule

if TYPE_CHECKING:
    from migralint.linter.history_context import HistoryContext


# What each runner does with a pending migration that sorts before an applied one.
_OUT_OF_ORDER = {
    Layout.PRISMA: "Prisma Migrate applies it after them, in an order no other database had",
    Layout.FLYWAY: "Flyway refuses to migrate (\"Detected resolved migration not applied to database\") "
    "unless outOfOrder is on, and then runs it after them",
    Layout.GOLANG_MIGRATE: "golang-migrate records only the latest version, so it never applies this one",
}
_OUT_OF_ORDER_DEFAULT = "{runner} applies it after them, in an order no other database had"
# What each runner does with two migrations of one version.
_SAME_VERSION = {
    Layout.FLYWAY: "Flyway refuses to migrate (\"Found more than one migration with version\")",
    Layout.GOLANG_MIGRATE: "golang-migrate refuses to read the folder (\"duplicate migration file\")",
}
_SAME_VERSION_DEFAULT = (
    "{runner} records migrations by version, so once one is applied it takes the other for applied and never runs it"
)


class OutOfOrder(NamedTuple):
    """A migration not applied that sorts before `newest`, the newest applied one."""

    migration: MigrationFile
    newest: MigrationFile


def out_of_order(forward: list[MigrationFile], applied: set[str]) -> list[OutOfOrder]:
    """The migrations of `forward` (in apply order) not in `applied` that sort before an applied one."""
    done = [m for m in forward if m.name in applied]
    if not done:
        return []
    newest = max(done, key=lambda m: m.sort_key)
    return [OutOfOrder(m, newest) for m in forward if m.name not in applied and m.sort_key < newest.sort_key]


# What `migralint apply` does with one: it refuses, as it would run the folder in a new order.
BY_APPLY = "applying it now would run the migrations in an order no other database ran them"


def describe_out_of_order(
    conflict: OutOfOrder, sources: str, taken: set[str], listing: Collection[Path], consequence: str | None = None
) -> tuple[str, str]:
    """The message and help for `conflict` (per `sources`); `consequence` is what the runner does,
    by default what the folder's runner does. Adds the version the help renames it to to `taken`;
    `listing`: the entries of the migrations' folders (folder_files.folder_listing)."""
    migration, newest = conflict
    if consequence is None:
        consequence = _OUT_OF_ORDER.get(migration.layout, _OUT_OF_ORDER_DEFAULT).format(runner=migration.layout)
    help, new_version = rename_help(
        migration, newest, taken, reason=f"so that it sorts after {newest.name}", listing=listing
    )
    if new_version:
        taken.add(new_version)
    return (
        f"{migration.name} is not applied, but {newest.name}, which sorts after it, is (per {sources}): {consequence}.",
        help,
    )


class MigrationOrderConflict(HistoryRule):
    name = "migration-order-conflict"
    severity = Severity.ERROR
    summary = (
        "A migration not yet applied sorts before one that is, or two migrations share a version: "
        "two branches created migrations in parallel."
    )
    why = (
        "Runners apply migrations in the order of their names or versions. When two branches each "
        "add a migration and the later-named one reaches production first, the other one, merged "
        "afterwards, sorts before a migration that is already applied. Prisma Migrate, dbmate and "
        "diesel then apply it after the newer one, an order nobody tested (it may depend on a column "
        "the newer one drops); golang-migrate, which records only the latest version, never applies "
        "it; Flyway refuses to migrate. Two migrations with the same version are one migration to "
        "golang-migrate, Flyway, ory popx, dbmate and diesel, which record migrations by version. "
        "What is applied comes from git, the database or `applied_through`; without one of them only "
        "shared versions are checked. Two Prisma folders with the same timestamp but different names "
        "are not reported: Prisma records the whole folder name and orders them by it, the same way "
        "everywhere, and if one of them was applied before the other landed, the first check catches it."
    )
    bad = (
        "prisma/migrations/20240110090000_add_invoice_table/    applied in production\n"
        "prisma/migrations/20240105170000_add_user_phone/       pending: written on a branch before\n"
        "                                                        the invoice migration, merged after it"
    )
    good = (
        "prisma/migrations/20240110090000_add_invoice_table/    applied in production\n"
        "prisma/migrations/20240110090001_add_user_phone/       pending, renamed to sort after it"
    )
    references = (
        "https://www.prisma.io/docs/orm/prisma-migrate/workflows/team-development",
        "https://documentation.red-gate.com/fd/out-of-order-184127586.html",
        "https://github.com/golang-migrate/migrate/blob/master/FAQ.md",
    )

    def check_history(self, ctx: HistoryContext) -> Iterator[Finding]:
        # Plain files have no version, and Flyway's repeatable scripts no place in the order.
        forward = [m for m in ctx.migrations if not m.rollback and not is_repeatable(m) and split_name(m) is not None]
        taken = {parts.version for m in forward if (parts := split_name(m)) is not None}
        if ctx.state.known:
            yield from self._out_of_order(ctx, forward, taken)
        yield from self._same_version(ctx, forward, taken)

    def _out_of_order(self, ctx: HistoryContext, forward: list[MigrationFile], taken: set[str]) -> Iterator[Finding]:
        sources = ", ".join(ctx.state.sources) or "the sources of truth"
        for conflict in out_of_order(forward, ctx.state.applied):
            message, help = describe_out_of_order(conflict, sources, taken, ctx.files.listing)
            yield ctx.finding(self, conflict.migration.path, message, help=help)

    def _same_version(self, ctx: HistoryContext, forward: list[MigrationFile], taken: set[str]) -> Iterator[Finding]:
        first_with: dict[object, MigrationFile] = {}
        for migration in forward:
            identity = version_identity(migration)
            if identity is None:
                continue
            other = first_with.setdefault(identity, migration)
            if other is migration:
                continue
            # Rename the one not applied yet; when both or neither are, the later one.
            keep, move = other, migration
            if ctx.state.known and migration.name in ctx.state.applied and other.name not in ctx.state.applied:
                keep, move = migration, other
            consequence = _SAME_VERSION.get(move.layout, _SAME_VERSION_DEFAULT).format(runner=move.layout)
            moved, kept = split_name(move), split_name(keep)
            version = moved.version if moved else ""
            if kept and kept.version != version:
                version = f"{version} ({kept.version} is the same version to {move.layout})"
            newest = max(forward, key=lambda m: m.sort_key)
            help, new_version = rename_help(
                move, newest, taken, reason="to a version of its own, after every other", listing=ctx.files.listing
            )
            if new_version:
                taken.add(new_version)
            yield ctx.finding(
                self, move.path, f"{move.name} and {keep.name} share version {version}: {consequence}.", help=help
            )
