"""The history table `apply` writes, and the advisory lock that keeps two runs apart.

Prisma folders use `_prisma_migrations`, created with Prisma's own DDL and written the way
prisma-engines writes it (sql_migration_persistence.rs), so that `prisma migrate status` and
`prisma migrate deploy` read the same history: a row per attempt with a random UUID v4 `id`,
the SHA-256 hex of migration.sql as `checksum`, `started_at` when it starts, `finished_at` and
`applied_steps_count = 1` when it succeeds, the error in `logs` when it fails. Other layouts
get `_migralint_migrations`, of the same shape. Both are found through the search_path, as
Prisma finds its table, and written schema-qualified once found (a migration may change the
search_path).

The advisory lock is Prisma's (`pg_advisory_lock(72707369)`) for Prisma folders, so that
migralint and `prisma migrate deploy` exclude each other, and migralint's own for the others.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from migralint.database.durations import format_duration, setting_value
from migralint.database.runner_history import MIGRALINT_QUERY, ORDER, QUERIES, Query
from migralint.errors import UserError
from migralint.migrations.history import Runner
from migralint.migrations.layouts import Layout

if TYPE_CHECKING:
    import psycopg
    from psycopg import sql

    Connection = psycopg.Connection[tuple[Any, ...]]

PRISMA_LOCK_KEY = 72707369  # prisma-engines: SELECT pg_advisory_lock(72707369)
MIGRALINT_LOCK_KEY = int.from_bytes(b"mgrl", "big")

# Prisma's DDL for PostgreSQL, as prisma-engines creates the table (types and defaults matter:
# Prisma reads these columns back).
_CREATE = (
    'CREATE TABLE {} ("id" VARCHAR(36) PRIMARY KEY NOT NULL, "checksum" VARCHAR(64) NOT NULL, '
    '"finished_at" TIMESTAMPTZ, "migration_name" VARCHAR(255) NOT NULL, "logs" TEXT, '
    '"rolled_back_at" TIMESTAMPTZ, "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(), '
    '"applied_steps_count" INTEGER NOT NULL DEFAULT 0)'
)
_HOLDER = """
SELECT a.pid, a.application_name, a.state, a.backend_start
FROM pg_locks AS l LEFT JOIN pg_stat_activity AS a ON a.pid = l.pid
WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
  AND l.classid = %s::oid AND l.objid = %s::oid AND l.pid <> pg_backend_pid()
LIMIT 1
"""


class LockHolder(NamedTuple):
    pid: int
    application: str

    def __str__(self) -> str:
        return f"pid {self.pid}" + (f", {self.application}" if self.application else "")


@dataclass(frozen=True, slots=True)
class HistoryTable:
    """The table a runner records applied migrations in, and the advisory lock apply takes beside
    it."""

    name: str
    lock_key: int
    query: Query
    runner: Runner  # whose history it is, for what the history rules say about it

    @classmethod
    def for_layout(cls, layout: Layout) -> HistoryTable:
        if layout is Layout.PRISMA:
            return cls("_prisma_migrations", PRISMA_LOCK_KEY, QUERIES[Layout.PRISMA], Runner.PRISMA)
        return cls("_migralint_migrations", MIGRALINT_LOCK_KEY, MIGRALINT_QUERY, Runner.MIGRALINT)

    @property
    def lock_sql(self) -> str:
        return f"pg_advisory_lock({self.lock_key})"

    # --- the lock -------------------------------------------------------------------------

    def holder(self, connection: Connection) -> LockHolder | None:
        """Who else holds the lock now, if anyone."""
        row = connection.execute(_HOLDER, [self.lock_key >> 32, self.lock_key & 0xFFFFFFFF]).fetchone()
        return LockHolder(int(row[0]), str(row[1] or "")) if row else None

    def lock(self, connection: Connection, wait_ms: int, on_wait: Callable[[LockHolder | None], None]) -> None:
        """Take the lock, waiting at most `wait_ms` (0: as long as it takes); UserError when it stays taken."""
        import psycopg

        taken = connection.execute("SELECT pg_try_advisory_lock(%s)", [self.lock_key]).fetchone()
        if taken and taken[0]:
            return
        holder = self.holder(connection)
        on_wait(holder)
        connection.execute(f"SET lock_timeout = '{setting_value(wait_ms)}'")
        try:
            connection.execute("SELECT pg_advisory_lock(%s)", [self.lock_key])
        except psycopg.errors.LockNotAvailable:
            held = f" (held by {holder})" if holder else ""
            raise UserError(
                f"another migration run holds the lock {self.lock_sql}{held} and did not release it within "
                f"{format_duration(wait_ms)}: try again when it has finished, or wait longer with --wait-for-lock"
            ) from None

    # --- the table ------------------------------------------------------------------------

    def locate(self, connection: Connection) -> str | None:
        """The schema that holds the table, found through the search_path; None when there is none."""
        row = connection.execute(
            "SELECT n.nspname FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace "
            "WHERE c.oid = to_regclass(%s)", [self.name]
        ).fetchone()
        return str(row[0]) if row else None

    def create(self, connection: Connection) -> str:
        """Create the table in the current schema (the first of the search_path); its schema."""
        from psycopg import sql

        connection.execute(sql.SQL(_CREATE).format(sql.Identifier(self.name)))
        schema = self.locate(connection)
        assert schema is not None, "the table just created is not on the search_path"
        return schema

    def rows(self, connection: Connection, schema: str) -> list[tuple[Any, ...]]:
        """migration_name, checksum, finished_at, rolled_back_at, started_at, logs; oldest first."""
        from psycopg import sql

        statement = sql.SQL("SELECT {} FROM {} ORDER BY {}").format(
            sql.SQL(self.query.columns), self._ident(schema), sql.SQL(ORDER[Layout.PRISMA])
        )
        return list(connection.execute(statement).fetchall())

    def record_started(self, connection: Connection, schema: str, name: str, checksum: str) -> str:
        """Prisma's record_migration_started: a new row, not finished; its id."""
        from psycopg import sql

        row_id = str(uuid.uuid4())
        connection.execute(sql.SQL(
            'INSERT INTO {} ("id", "checksum", "migration_name", "started_at") VALUES (%s, %s, %s, clock_timestamp())'
        ).format(self._ident(schema)), [row_id, checksum, name])
        return row_id

    def record_finished(self, connection: Connection, schema: str, row_id: str) -> None:
        """Prisma's record_successful_step and record_migration_finished, in one statement."""
        from psycopg import sql

        connection.execute(sql.SQL(
            'UPDATE {} SET "applied_steps_count" = "applied_steps_count" + 1, "finished_at" = clock_timestamp() '
            'WHERE "id" = %s'
        ).format(self._ident(schema)), [row_id])

    def record_failed(self, connection: Connection, schema: str, row_id: str, logs: str) -> None:
        """Prisma's record_failed_step: the error in `logs`; `finished_at` stays empty."""
        from psycopg import sql

        connection.execute(
            sql.SQL('UPDATE {} SET "logs" = %s WHERE "id" = %s').format(self._ident(schema)), [logs, row_id]
        )

    def mark_rolled_back(self, connection: Connection, schema: str, name: str) -> int:
        """`prisma migrate resolve --rolled-back`: every failed attempt of `name` gets `rolled_back_at`."""
        from psycopg import sql

        cursor = connection.execute(sql.SQL(
            'UPDATE {} SET "rolled_back_at" = now() '
            'WHERE "migration_name" = %s AND "finished_at" IS NULL AND "rolled_back_at" IS NULL'
        ).format(self._ident(schema)), [name])
        return int(cursor.rowcount)

    def mark_applied(self, connection: Connection, schema: str, name: str, checksum: str) -> None:
        """`prisma migrate resolve --applied`: a finished row with empty logs and applied_steps_count 0."""
        from psycopg import sql

        connection.execute(sql.SQL(
            'INSERT INTO {} ("id", "checksum", "logs", "started_at", "finished_at", "migration_name") '
            "VALUES (%s, %s, '', now(), now(), %s)"
        ).format(self._ident(schema)), [str(uuid.uuid4()), checksum, name])

    def _ident(self, schema: str) -> sql.Identifier:
        from psycopg import sql

        return sql.Identifier(schema, self.name)

