"""`migralint status` and `migralint resolve`: what the history table says, and recording a repair.

status reads (read-only) the table `apply` writes and lists each migration as applied,
pending, failed, running (unfinished while another run holds the lock), edited or missing,
and any INVALID index a failed CONCURRENTLY build left. resolve does what `prisma migrate
resolve` does (prisma-engines mark_migration_rolled_back / mark_migration_applied), under the
same advisory lock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from migralint.database.apply import Folder, _plan
from migralint.database.apply_checks import InvalidIndex, NotEmpty, invalid_indexes, not_empty
from migralint.database.checksums import prisma_checksum
from migralint.database.connection import connect, database_failure, ensure_url_schema, redact
from migralint.database.history_table import LockHolder
from migralint.database.runner_history import interpret, interpret_migralint
from migralint.errors import InputError, UserError
from migralint.migrations.folder_files import folder_listing
from migralint.migrations.history import HistoryEvent, HistoryProblem
from migralint.migrations.layouts import Layout
from migralint.migrations.versions import split_name
from migralint.rules.applied_history import words_for
from migralint.rules.migration_order_conflict import BY_APPLY, describe_out_of_order
from migralint.rules.migration_order_conflict import out_of_order as sorts_before_applied
from migralint.rules.registry import ALL_RULES
from migralint.source import display_path

if TYPE_CHECKING:
    import psycopg

    Connection = psycopg.Connection[tuple[Any, ...]]

NEEDS_ATTENTION = frozenset({"failed", "edited", "missing", "out of order"})


@dataclass(frozen=True, slots=True)
class MigrationState:
    """One migration as `migralint status` shows it: applied, pending, failed, edited..., with its
    times."""

    name: str
    state: str  # applied, pending, out of order, failed, running, edited, missing
    started_at: datetime | None = None
    finished_at: datetime | None = None
    detail: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name, "state": self.state,
            "started_at": self.started_at.isoformat() if self.started_at else None,
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "detail": self.detail,
        }


@dataclass(slots=True)
class FolderStatus:
    """What `migralint status` says of one migrations folder and its database."""

    folder: str
    layout: str
    database: str
    table: str
    table_exists: bool
    migrations: list[MigrationState] = field(default_factory=list)
    invalid_indexes: list[InvalidIndex] = field(default_factory=list)
    lock_holder: str | None = None
    not_empty: NotEmpty | None = None  # tables but no history table: apply refuses (Prisma's P3005)

    def count(self, state: str) -> int:
        return sum(1 for m in self.migrations if m.state == state)

    @property
    def needs_attention(self) -> bool:
        return (bool(self.invalid_indexes) or self.not_empty is not None
                or any(m.state in NEEDS_ATTENTION for m in self.migrations))

    def to_json(self) -> dict[str, Any]:
        return {
            "folder": self.folder, "layout": self.layout, "database": self.database, "table": self.table,
            "table_exists": self.table_exists, "lock_holder": self.lock_holder,
            "needs_attention": self.needs_attention,
            "migrations": [m.to_json() for m in self.migrations],
            "invalid_indexes": [{"index": i.index, "table": i.table, "fix": i.fix} for i in self.invalid_indexes],
            "not_empty": None if self.not_empty is None else {
                "schema": self.not_empty.schema, "tables": self.not_empty.tables,
                "baseline": self.not_empty.already_there,
            },
        }


def folder_status(folder: Folder, url: str) -> FolderStatus:
    """What the database at `url` says about each migration of `folder` (read-only)."""
    table = folder.table
    connection = connect(url)
    try:
        schema = table.locate(connection)
        rows = table.rows(connection, schema) if schema else []
        holder = table.holder(connection)
        invalid = invalid_indexes(connection)
        found = None
        if schema is None:
            found = not_empty(connection, [_plan(m, connection.info.server_version) for m in folder.forward])
        connection.rollback()
    except UserError:
        raise
    except Exception as exc:
        raise database_failure(f"reading {table.name}", exc, url, table.query) from None
    finally:
        connection.close()
    status = FolderStatus(folder.shown, str(folder.layout), redact(url), f"{schema}.{table.name}" if schema else
                          table.name, schema is not None, invalid_indexes=invalid,
                          lock_holder=str(holder) if holder else None, not_empty=found)
    status.migrations = _states(folder, rows, holder)
    return status


def _states(folder: Folder, rows: list[tuple[Any, ...]], holder: LockHolder | None) -> list[MigrationState]:
    state = (interpret(Layout.PRISMA, rows, folder.root, folder.forward) if folder.layout is Layout.PRISMA
             else interpret_migralint(rows, folder.root, folder.migrations))
    problems = {(p.event, p.migration): p for p in state.problems}
    latest: dict[str, tuple[Any, ...]] = {}
    for row in rows:  # oldest first: the last row of a name is its latest attempt
        if row[3] is None:  # rolled back attempts are history only
            latest[str(row[0])] = row
    taken = {parts.version for m in folder.forward if (parts := split_name(m)) is not None}
    conflicts = sorts_before_applied(folder.forward, state.applied)
    listing = folder_listing(c.migration for c in conflicts)
    out_of_order = {
        conflict.migration.name: describe_out_of_order(conflict, ", ".join(state.sources), taken, listing, BY_APPLY)[0]
        for conflict in conflicts
    }
    result: list[MigrationState] = []
    for name in [m.name for m in folder.forward] + sorted(set(latest) - {m.name for m in folder.forward}):
        attempt = latest.get(name)
        started, finished = (attempt[4], attempt[2]) if attempt else (None, None)
        failed = problems.get((HistoryEvent.FAILED, name))
        if failed is not None:
            running = holder is not None
            result.append(MigrationState(name, "running" if running else "failed", started, None,
                                         f"{holder} holds the lock and is running it" if running else _said(failed)))
        elif (edited := problems.get((HistoryEvent.EDITED, name))) is not None:
            result.append(MigrationState(name, "edited", started, finished, _said(edited)))
        elif (missing := problems.get((HistoryEvent.MISSING, name))) is not None:
            result.append(MigrationState(name, "missing", started, finished, _said(missing)))
        elif name in state.applied:
            result.append(MigrationState(name, "applied", started, finished))
        else:
            kind = "out of order" if name in out_of_order else "pending"
            result.append(MigrationState(name, kind, detail=out_of_order.get(name, "")))
    return result


def _said(problem: HistoryProblem) -> str:
    """What the rule that reports `problem` says about it, as `lint` and `apply` say it."""
    return words_for(problem, ALL_RULES)[1]


def resolve(folder: Folder, url: str, name: str, *, applied: bool, wait_for_lock_ms: int) -> str:
    """Record a failed migration as rolled back (it runs again) or as applied; what was done."""
    table = folder.table
    connection = connect(url, read_only=False)
    try:
        table.lock(connection, wait_for_lock_ms, lambda _holder: None)
        with connection.transaction():
            if applied:
                ensure_url_schema(connection, url)  # --applied may create the table, in ?schema= as Prisma does
            return _mark_applied(connection, folder, name) if applied else _mark_rolled_back(connection, folder, name)
    except UserError:
        raise
    except Exception as exc:
        raise database_failure(f"updating {table.name}", exc, url, table.query, writing=True) from None
    finally:
        connection.close()


def _mark_rolled_back(connection: Connection, folder: Folder, name: str) -> str:
    table = folder.table
    schema = table.locate(connection)
    if schema is None:
        raise UserError(f"the database has no {table.name} table: no migration was applied there, "
                        "so there is nothing to mark rolled back")
    attempts = [row for row in table.rows(connection, schema) if row[0] == name]
    # prisma-engines mark_migration_rolled_back: no row is P3011, only finished rows P3012; otherwise
    # the failed rows not yet rolled back are marked, and there may be none left (exit 0: idempotent).
    if not attempts:
        raise UserError(f"migration {name} cannot be marked rolled back: {table.name} has no row for it, it was "
                        "never applied to this database (P3011; give the whole name, such as 20240101000000_init)")
    if all(row[2] is not None for row in attempts):
        raise UserError(f"migration {name} cannot be marked rolled back: it is not failed (P3012)")
    count = table.mark_rolled_back(connection, schema, name)
    if not count:
        return (f"{name} has no failed run left to mark rolled back in {schema}.{table.name} "
                "(already done): nothing changed")
    return (f"marked {count} failed run(s) of {name} rolled back in {schema}.{table.name}: "
            "the next apply runs it again")


def _mark_applied(connection: Connection, folder: Folder, name: str) -> str:
    table = folder.table
    migration = next((m for m in folder.forward if m.name == name), None)
    if migration is None:
        raise UserError(f"there is no migration {name} in {folder.shown} (P3017): give the whole name, such as "
                        f"{folder.forward[-1].name}")
    try:
        data = migration.path.read_bytes()
    except OSError as exc:
        raise InputError(f"{display_path(migration.path)}: cannot read: {exc.strerror or exc}") from None
    schema = table.locate(connection) or table.create(connection)
    attempts = [row for row in table.rows(connection, schema) if row[0] == name]
    if any(row[2] is not None for row in attempts):  # prisma-engines mark_migration_applied: P3008
        raise UserError(f"migration {name} is already recorded as applied in {schema}.{table.name} (P3008)")
    rolled_back = table.mark_rolled_back(connection, schema, name)
    table.mark_applied(connection, schema, name, prisma_checksum(data))
    failed = f" (its {rolled_back} failed run(s) marked rolled back)" if rolled_back else ""
    return f"recorded {name} as applied in {schema}.{table.name}{failed}: apply will not run it"
