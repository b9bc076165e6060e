"""What the history rules need from the files of a migrations folder, read before any rule runs.

A rule reads no file: everything it judges comes through its context (HistoryContext.files),
read here by the orchestrator beforehand, so that whatever keys a result (a cache, a worker's
input) can see every file a finding depends on. Which files:

- for each migration not linted in this run, whether it holds any SQL (migration-name);
- the subfolders of a Prisma folder that hold no migration.sql (migration-name);
- `migrations.lock`, checked against the folder (migrations-lock-mismatch);
- `migration_lock.toml`'s provider and the providers the Prisma schema's datasource blocks
  name (prisma-provider-mismatch);
- the entries of the folders that hold Flyway, golang-migrate and popx migrations: a rename
  moves a migration's sibling files too (the `git mv` lines of the help, versions.renames).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from migralint.migrations.discover import prisma_provider
from migralint.migrations.layouts import Layout, MigrationFile
from migralint.migrations.lockfile import LockProblem, lock_path, verify
from migralint.migrations.naming import folders_without_sql, is_blank_sql
from migralint.migrations.prisma_schema import DatasourceProvider, datasource_providers, schema_files


@dataclass(frozen=True, slots=True)
class FolderFiles:
    """What the files of one migrations folder say, beyond the migrations' SQL."""

    blank: Mapping[Path, bool] = field(default_factory=dict)  # migration file -> only white space and comments
    without_sql: tuple[Path, ...] = ()  # Prisma migration folders that hold no migration.sql
    lock: Path | None = None  # migrations.lock, when the folder has one
    lock_problems: tuple[LockProblem, ...] = ()  # where it and the folder disagree
    prisma_lock: Path | None = None  # migration_lock.toml, when it names a provider
    locked_provider: str = ""  # the provider it names, as written
    datasources: tuple[DatasourceProvider, ...] = ()  # the schema's datasource providers
    listing: frozenset[Path] = frozenset()  # folder_listing of the migrations


def read_folder_files(
    root: Path,
    migrations: list[MigrationFile],
    *,
    blank: Mapping[Path, bool] | None = None,
    applied: frozenset[str] = frozenset(),
) -> FolderFiles:
    """Read what the history rules need about `root`. `blank`: what the lint run already knows
    (each file it read); `applied`: migrations whose content no rule judges (they were applied)."""
    known = blank or {}
    forward = [m for m in migrations if not m.rollback]
    emptiness = {m.path: known[m.path] for m in migrations if m.path in known}
    for migration in forward:
        if migration.path not in emptiness and migration.name not in applied:
            emptiness[migration.path] = is_blank_sql(migration.path)
    prisma = any(m.layout is Layout.PRISMA for m in forward)
    without_sql = tuple(folders_without_sql(root, _subfolders_named(root, forward))) if prisma else ()
    lock = lock_path(root)
    has_lock = lock.is_file()
    problems = tuple(verify(root, migrations)) if has_lock else ()
    provider = prisma_provider(root / "migration_lock.toml") if prisma else None
    datasources: tuple[DatasourceProvider, ...] = ()
    if provider is not None:
        datasources = tuple(found for schema in schema_files(root) for found in datasource_providers(schema))
    return FolderFiles(
        blank=emptiness,
        without_sql=without_sql,
        lock=lock if has_lock else None,
        lock_problems=problems,
        prisma_lock=root / "migration_lock.toml" if provider is not None else None,
        locked_provider=provider or "",
        datasources=datasources,
        listing=folder_listing(migrations),
    )


def _subfolders_named(root: Path, migrations: list[MigrationFile]) -> set[str]:
    """The names of the sub-folders of `root` that hold these migrations. A Prisma migration's
    name is its folder's: no Path is made for it."""
    return {m.name if m.layout is Layout.PRISMA else m.path.parent.name
            for m in migrations if m.layout is Layout.PRISMA or m.path.parent.parent == root}


# Layouts whose migration is more than one file in a shared folder (up and down, a dialect each,
# Flyway's undo script and .conf): renaming it moves them all.
_SIBLING_FILES = frozenset({Layout.FLYWAY, Layout.GOLANG_MIGRATE, Layout.POPX})


def folder_listing(migrations: Iterable[MigrationFile]) -> frozenset[Path]:
    """The entries of each folder holding migrations whose siblings move with them; an unreadable
    folder lists nothing (the lint says so when it reads the migration)."""
    entries: set[Path] = set()
    for folder in {m.path.parent for m in migrations if m.layout in _SIBLING_FILES}:
        try:
            with os.scandir(folder) as scan:
                entries.update(folder / entry.name for entry in scan)
        except OSError:
            continue
    return frozenset(entries)
