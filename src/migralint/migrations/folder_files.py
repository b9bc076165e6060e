"""What the history rules need from the files of a migrations folder, read before any rule runs.

A rule reads no file: everything it judges comes through its context (HistoryContext.files),
read here by the orchestrator beforehand, so that whatever keys a result (a cache, a worker's
input) can see every file a finding depends on. Which files:

- for each migration not linted in this run, whether it holds any SQL (migration-name);
- the subfolders of a Prisma folder that hold no migration.sql (migration-name);
- `migrations.lock`, checked against the folder (migrations-lock-mismatch);
- `migration_lock.toml`'s provider and the providers the Prisma schema's datasource blocks
  name (prisma-provider-mismatch).
"""

from __future__ import annotations

from collections.abc import Mapping
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
    without_sql = tuple(folders_without_sql(root, {m.path.parent for m in forward})) if prisma else ()
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
    )
