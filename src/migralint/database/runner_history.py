"""What a runner's history table says about one migrations folder: its rows in, an AppliedState out.

- Prisma, `_prisma_migrations`: a row per attempt. Rows with `rolled_back_at` are ignored; a
  row with neither `finished_at` nor `rolled_back_at` is a failed migration; a finished row
  makes the migration applied, and its `checksum` must still match the file.
- Flyway, `flyway_schema_history`: a row per applied script, `success = false` for a failed
  one. Versioned migrations are matched by version (as Flyway does), with the CRC-32 checksum;
  a baseline row makes every version up to it applied; repeatable migrations count as applied
  while their checksum is the last one recorded (they run again when it changes).
- golang-migrate, `schema_migrations (version bigint, dirty boolean)`: one row, the version the
  database is at; every version up to it is applied; dirty means that one failed.
- dbmate, `schema_migrations (version varchar)`: a row per applied version.
- `migralint apply` on any other layout, `_migralint_migrations`: Prisma's shape, read the same way
  (`interpret_migralint`).

These functions only interpret rows (connection.py reads them) into facts, `HistoryProblem`s
that say what happened and to which migration; the history rules put them into words.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from migralint.database.checksums import flyway_checksum, prisma_checksum_matches
from migralint.migrations.history import AppliedState, HistoryEvent, HistoryProblem, Runner
from migralint.migrations.layouts import Layout, MigrationFile
from migralint.migrations.versions import version_identity
from migralint.source import read_bytes

SOURCE = "the database"


class Query(NamedTuple):
    table: str  # resolved through the connection's search_path, as the runner does
    columns: str


QUERIES: dict[Layout, Query] = {
    Layout.PRISMA: Query(
        "_prisma_migrations", "migration_name, checksum, finished_at, rolled_back_at, started_at, logs"
    ),
    Layout.FLYWAY: Query(
        "flyway_schema_history", "installed_rank, version, description, type, script, checksum, success"
    ),
    Layout.GOLANG_MIGRATE: Query("schema_migrations", "version, dirty"),
    Layout.DBMATE: Query("schema_migrations", "version"),
}
ORDER = {Layout.PRISMA: "started_at, migration_name", Layout.FLYWAY: "installed_rank"}
# `migralint apply` keeps the history of other layouts in a table of the same shape as Prisma's.
MIGRALINT_QUERY = Query("_migralint_migrations", QUERIES[Layout.PRISMA].columns)


def interpret(layout: Layout, rows: Sequence[tuple[object, ...]], root: Path, migrations: list[MigrationFile]) -> AppliedState:
    """The state of `root` according to the rows of `layout`'s history table."""
    mine = [m for m in migrations if m.layout is layout]
    if layout is Layout.PRISMA:
        return _prisma(rows, root, mine)
    if layout is Layout.FLYWAY:
        return _flyway(rows, root, mine)
    if layout is Layout.GOLANG_MIGRATE:
        return _golang_migrate(rows, root, mine)
    return _dbmate(rows, root, mine)


def interpret_migralint(rows: Sequence[tuple[object, ...]], root: Path, migrations: list[MigrationFile]) -> AppliedState:
    """The state of `root` according to `_migralint_migrations` (any layout but Prisma's)."""
    return _prisma(rows, root, [m for m in migrations if not m.rollback], Runner.MIGRALINT)


def _prisma(
    rows: Sequence[tuple[object, ...]], root: Path, migrations: list[MigrationFile], runner: Runner = Runner.PRISMA
) -> AppliedState:
    files = {m.name: m for m in migrations}
    state = AppliedState(True, sources=[SOURCE])
    reported: set[tuple[HistoryEvent, str]] = set()
    for name, checksum, finished_at, rolled_back_at, started_at, logs in rows:
        name = str(name)
        file = files.get(name)
        path = file.path if file else (root / name / "migration.sql" if runner is Runner.PRISMA else root / name)
        if rolled_back_at is not None:
            continue
        if finished_at is None:
            if (HistoryEvent.FAILED, name) not in reported:
                reported.add((HistoryEvent.FAILED, name))
                state.problems.append(HistoryProblem(
                    HistoryEvent.FAILED, runner, path, name,
                    started_at=started_at if isinstance(started_at, datetime) else None, error=_first_error(logs),
                ))
            continue
        state.applied.add(name)
        if file is None:
            if (HistoryEvent.MISSING, name) not in reported:
                reported.add((HistoryEvent.MISSING, name))
                state.problems.append(HistoryProblem(HistoryEvent.MISSING, runner, path, name))
            continue
        data = _read(file.path)
        if data is not None and isinstance(checksum, str) and not prisma_checksum_matches(data, checksum):
            if (HistoryEvent.EDITED, name) not in reported:
                reported.add((HistoryEvent.EDITED, name))
                state.problems.append(HistoryProblem(HistoryEvent.EDITED, runner, path, name))
    return state


def _first_error(logs: object) -> str:
    """The server's own words from a failed attempt's logs (Prisma's start "Database error code: 23502")."""
    lines = [line.strip() for line in str(logs or "").splitlines() if line.strip()]
    return next((line for line in lines if line.startswith(("ERROR:", "FATAL:"))), lines[0] if lines else "")


def _flyway(rows: Sequence[tuple[object, ...]], root: Path, migrations: list[MigrationFile]) -> AppliedState:
    versioned: dict[object, MigrationFile] = {}
    repeatable: dict[str, MigrationFile] = {}
    for migration in migrations:
        identity = version_identity(migration)
        if identity is not None:
            versioned.setdefault(identity, migration)
        elif migration.path.name[:1].upper() == "R":
            repeatable[migration.path.name] = migration
    state = AppliedState(True, sources=[SOURCE])
    applied: dict[tuple[int, ...], tuple[str, object]] = {}  # version -> (script, checksum)
    baseline: tuple[int, ...] | None = None
    last_repeatable: dict[str, object] = {}  # script -> the checksum of its last successful run
    for _rank, version, _description, kind, script, checksum, success in rows:
        kind = str(kind or "").upper()
        script = str(script or "")
        key = _flyway_version(version)
        if kind == "SCHEMA":
            continue
        if not success:
            file = versioned.get(key) if key is not None else repeatable.get(script)
            shown = file.path.name if file else script
            state.problems.append(
                HistoryProblem(HistoryEvent.FAILED, Runner.FLYWAY, file.path if file else root / script, shown)
            )
            continue
        if key is None:
            last_repeatable[script] = checksum
        elif kind.startswith("BASELINE") or kind == "SQL_BASELINE":
            baseline = key if baseline is None or key > baseline else baseline
        elif kind == "DELETE" or kind.startswith("UNDO"):
            applied.pop(key, None)
        else:
            applied[key] = (script, checksum if kind == "SQL" else None)
    for identity, migration in versioned.items():
        below_baseline = baseline is not None and isinstance(identity, tuple) and identity <= baseline
        if identity in applied or below_baseline:
            state.applied.add(migration.name)
    for version_key, (script, checksum) in applied.items():
        file = versioned.get(version_key)
        if file is None:
            state.problems.append(HistoryProblem(HistoryEvent.MISSING, Runner.FLYWAY, root / script, script))
            continue
        data = _read(file.path)
        if data is not None and isinstance(checksum, int) and flyway_checksum(data) != checksum:
            state.problems.append(HistoryProblem(
                HistoryEvent.EDITED, Runner.FLYWAY, file.path, file.path.name,
                checksum=flyway_checksum(data), recorded_checksum=checksum,
            ))
    for script, migration in repeatable.items():
        data = _read(migration.path)
        if script in last_repeatable and data is not None and last_repeatable[script] == flyway_checksum(data):
            state.applied.add(migration.name)
    return state


def _flyway_version(version: object) -> tuple[int, ...] | None:
    """Flyway's version as versions.version_identity writes it: numbers, trailing zeros dropped."""
    if version is None or str(version).strip() == "":
        return None
    numbers = [int(part) for part in str(version).replace("_", ".").split(".") if part.isdigit()]
    while len(numbers) > 1 and numbers[-1] == 0:
        numbers.pop()
    return tuple(numbers)


def _golang_migrate(rows: Sequence[tuple[object, ...]], root: Path, migrations: list[MigrationFile]) -> AppliedState:
    state = AppliedState(True, sources=[SOURCE])
    if not rows:
        return state
    version, dirty = rows[0][0], bool(rows[0][1])
    current = int(str(version))
    ups = {identity: m for m in migrations if isinstance(identity := version_identity(m), int)}
    for identity, migration in ups.items():
        if identity < current or (identity == current and not dirty):
            state.applied.add(migration.name)
    file = ups.get(current)
    if dirty:
        state.problems.append(HistoryProblem(
            HistoryEvent.FAILED, Runner.GOLANG_MIGRATE, file.path if file else root, file.path.name if file else "",
            version=str(current),
        ))
    elif file is None and current >= 0:
        state.problems.append(HistoryProblem(HistoryEvent.MISSING, Runner.GOLANG_MIGRATE, root, version=str(current)))
    return state


def _dbmate(rows: Sequence[tuple[object, ...]], root: Path, migrations: list[MigrationFile]) -> AppliedState:
    state = AppliedState(True, sources=[SOURCE])
    versions = {str(row[0]).strip() for row in rows}
    known: set[str] = set()
    for migration in migrations:
        identity = version_identity(migration)
        if isinstance(identity, str):
            known.add(identity)
            if identity in versions:
                state.applied.add(migration.name)
    for version in sorted(versions - known):
        state.problems.append(HistoryProblem(HistoryEvent.MISSING, Runner.DBMATE, root, version=version))
    return state


def _read(path: Path) -> bytes | None:
    try:
        return read_bytes(path)
    except OSError:
        return None  # an unreadable file is reported when it is linted
