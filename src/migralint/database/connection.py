"""The database as a source of truth: the runner's history table, and how big the tables are.

`DatabaseSource(url)` (`lint --database-url URL`, or $DATABASE_URL) reads the history table
of each migrations folder's runner (see runner_history.py) and, after linting, the size of
the tables that lock findings name. It connects read-only (`default_transaction_read_only`
on the connection, every query in a `BEGIN READ ONLY` transaction, SELECT only), with short
connect, lock and statement timeouts, and never shows the password: every URL in a message
goes through `redact`. psycopg is imported only here, when a URL is given.

`migralint apply` shares the URL handling, the error messages and the readers below, on a
connection of its own that may write (`connect(url, read_only=False)`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from migralint.database import connection_url
from migralint.database.connection_url import parse_url
from migralint.database.runner_history import ORDER, QUERIES, SOURCE, Query, interpret
from migralint.errors import UserError
from migralint.sql.postgres.nodes import DEFAULT_SCHEMA
from migralint.migrations.history import AppliedState, TableStats
from migralint.migrations.layouts import MigrationFile
from migralint.source import display_path

if TYPE_CHECKING:
    import psycopg

CONNECT_TIMEOUT_SECONDS = 5
# Settings for the session: nothing migralint sends can write, wait long for a lock, or run long.
SESSION_SETTINGS = ("default_transaction_read_only=on", "lock_timeout=5s", "statement_timeout=30s")
_SERVER_PREFIX = re.compile(r'^(?:connection (?:failed|is bad): )?(?:connection to server (?:at|on) .*? failed: )?', re.S)


# Rows and bytes of tables given as (key, schema, name, rank): reltuples (0 for a table with no
# data pages, -1 when never counted, which older servers write as 0 pages), pg_total_relation_size
# (indexes and TOAST included); a partitioned table is the sum of its leaf partitions, counted
# the same way (one with no partition holds no row).
_TABLE_STATS = """
SELECT t.key, t.rank,
       CASE WHEN c.relkind = 'p' THEN coalesce(parts.rows, -1)
            WHEN pg_relation_size(c.oid) = 0 THEN 0
            WHEN c.reltuples < 0 OR c.relpages = 0 THEN -1
            ELSE c.reltuples END::float8,
       CASE WHEN c.relkind = 'p' THEN coalesce(parts.bytes, 0) ELSE pg_total_relation_size(c.oid) END::bigint
FROM unnest(%s::text[], %s::text[], %s::text[], %s::int[]) AS t(key, schema, name, rank)
JOIN pg_namespace AS n ON n.nspname = t.schema
JOIN pg_class AS c ON c.relnamespace = n.oid AND c.relname = t.name AND c.relkind IN ('r', 'p', 'm')
{partitions}
"""
_PARTITIONS = """LEFT JOIN LATERAL (
    SELECT CASE WHEN bool_or(counted.rows IS NULL) THEN NULL ELSE coalesce(sum(counted.rows), 0) END AS rows,
           sum(pg_total_relation_size(leaf.oid)) AS bytes
    FROM pg_partition_tree(c.oid) AS tree JOIN pg_class AS leaf ON leaf.oid = tree.relid,
         LATERAL (SELECT CASE WHEN pg_relation_size(leaf.oid) = 0 THEN 0
                              WHEN leaf.reltuples < 0 OR leaf.relpages = 0 THEN NULL
                              ELSE leaf.reltuples END AS rows) AS counted
    WHERE c.relkind = 'p' AND tree.isleaf
) AS parts ON true"""
_NO_PARTITIONS = "CROSS JOIN (SELECT NULL::float8 AS rows, NULL::bigint AS bytes) AS parts"  # before PostgreSQL 12


class DatabaseError(UserError):
    """The database cannot be reached or read; the message never holds the password."""


def redact(url: str) -> str:
    """The URL or connection string with every secret replaced by ***."""
    return connection_url.redact(url)


def _scrub(message: str, url: str) -> str:
    return connection_url.scrub(message, connection_url.secrets_of(url))


def uses_pgbouncer(url: str) -> bool:
    """Prisma's `pgbouncer=true`: the URL goes through PgBouncer in transaction mode."""
    try:
        return parse_url(url).pgbouncer
    except UserError:
        return False


def url_schema(url: str) -> str | None:
    """Prisma's `?schema=` of the URL, if it has one."""
    try:
        return parse_url(url).schema
    except UserError:
        return None


def connection_parameters(url: str, *, read_only: bool = True) -> dict[str, Any]:
    """libpq parameters for `url`, read as Prisma reads it (connection_url.py).

    Read-only sessions get SESSION_SETTINGS; a writing session (apply) only the search_path,
    and sets its own timeouts.
    """
    try:
        parsed = parse_url(url)
    except UserError as exc:
        raise DatabaseError(str(exc)) from None
    parameters: dict[str, Any] = dict(parsed.parameters)
    parameters.setdefault("connect_timeout", CONNECT_TIMEOUT_SECONDS)
    parameters.setdefault("application_name", "migralint")
    settings = [*SESSION_SETTINGS] if read_only else []
    if parsed.schema:
        settings.append("search_path=" + ('"' + parsed.schema.replace('"', '""') + '"').replace(" ", "\\ "))
    if settings and not parsed.pgbouncer:  # PgBouncer refuses the options startup parameter; BEGIN READ ONLY still applies
        ours = " ".join(f"-c {setting}" for setting in settings)
        parameters["options"] = f"{parameters['options']} {ours}" if parameters.get("options") else ours
    return parameters


def missing_schema_notes(connection: psycopg.Connection[tuple[Any, ...]], url: str) -> list[str]:
    """A note when the URL's `?schema=` does not exist yet: apply creates it, as Prisma does."""
    schema = url_schema(url)
    if not schema:
        return []
    found = connection.execute("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = %s)", [schema]).fetchone()
    if not connection.autocommit:
        connection.rollback()
    if found and found[0]:
        return []
    return [f'schema "{schema}" (?schema= in the URL) does not exist: it is created right before the history '
            "table, as prisma migrate deploy creates it"]


def ensure_url_schema(connection: psycopg.Connection[tuple[Any, ...]], url: str) -> None:
    """Create the URL's `?schema=` when it does not exist, as Prisma's schema engine does when it
    connects (prisma-engines sql-schema-connector flavour/postgres.rs, setup_connection)."""
    schema = url_schema(url)
    if not schema:
        return
    from psycopg import sql

    found = connection.execute("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = %s)", [schema]).fetchone()
    if not found or not found[0]:
        connection.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))


def connect(url: str, *, read_only: bool = True) -> psycopg.Connection[tuple[Any, ...]]:
    """A connection to `url`; DatabaseError, without the password, when there is none.

    Read-only by default: each transaction is BEGIN READ ONLY. With read_only=False (apply) the
    connection is in autocommit, and the caller opens the transactions it wants.
    """
    import psycopg

    parameters = connection_parameters(url, read_only=read_only)
    try:
        connection = psycopg.connect(**parameters, autocommit=not read_only)
    except psycopg.Error as exc:
        raise DatabaseError(f"cannot connect to the database at {redact(url)}: {_reason(exc, url)}") from None
    if read_only:
        connection.read_only = True  # each transaction is BEGIN READ ONLY, whatever the server defaults to
    return connection


def reason(exc: BaseException, url: str) -> str:
    """The server's or libpq's message for `exc`, its first line, without the password."""
    return _reason(exc, url)


def _reason(exc: BaseException, url: str) -> str:
    """The first line of a libpq message, without what the rest of the sentence already says."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    text = _SERVER_PREFIX.sub("", lines[0] if lines else type(exc).__name__)
    text = re.sub(r"^(?:FATAL|ERROR):\s+", "", text)
    text = text[:1].lower() + text[1:] if text[:1].isupper() and not text[1:2].isupper() else text
    return _scrub(text.rstrip("."), url)


class DatabaseSource:
    """What the database says is applied, and how big its tables are; one connection, opened lazily."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._connection: psycopg.Connection[tuple[Any, ...]] | None = None

    @property
    def shown(self) -> str:
        return redact(self.url)

    def read(self, root: Path, migrations: list[MigrationFile]) -> AppliedState:
        layouts = [layout for layout in dict.fromkeys(m.layout for m in migrations) if layout in QUERIES]
        if not layouts:
            kinds = ", ".join(sorted({str(m.layout) for m in migrations}))
            return AppliedState(notes=[
                f"the database cannot say which migrations of {display_path(root)} are applied: "
                f"migralint reads no history table for {kinds}"
            ])
        state = AppliedState()
        for layout in layouts:
            query = QUERIES[layout]
            rows = self._rows(query, ORDER.get(layout))
            if rows is None:
                state.merge(AppliedState(True, sources=[SOURCE], notes=[
                    f"the database has no {query.table} table: no migration of {display_path(root)} is applied there"
                ]))
            else:
                state.merge(interpret(layout, rows, root, migrations))
        return state

    def table_stats(self, tables: Sequence[str]) -> dict[str, TableStats]:
        """Rows (as of the last ANALYZE; -1 when never counted) and bytes of "schema.table" names."""
        if not tables:
            return {}
        connection = self._connect()
        try:
            stats = read_table_stats(connection, tables)
            connection.rollback()
        except Exception as exc:
            raise self._failed("reading table sizes", exc) from None
        return stats

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _connect(self) -> psycopg.Connection[tuple[Any, ...]]:
        if self._connection is None:
            self._connection = connect(self.url)
        return self._connection

    def _rows(self, query: Query, order: str | None) -> list[tuple[Any, ...]] | None:
        connection = self._connect()
        try:
            rows = read_history_rows(connection, query, order)
            connection.rollback()  # hold no lock and no snapshot while the files are linted
        except Exception as exc:
            raise self._failed(f"reading {query.table}", exc, query) from None
        return rows

    def _failed(self, what: str, exc: Exception, query: Query | None = None) -> DatabaseError:
        return database_failure(what, exc, self.url, query)


def database_failure(
    what: str, exc: Exception, url: str, query: Query | None = None, *, writing: bool = False
) -> DatabaseError:
    """The one sentence for a failed query; anything but a psycopg error is re-raised (a bug)."""
    import psycopg

    if not isinstance(exc, psycopg.Error):
        raise exc
    shown = redact(url)
    why = _reason(exc, url)
    if isinstance(exc, psycopg.errors.UndefinedColumn) and query is not None:
        return DatabaseError(f"{query.table} in the database at {shown} is not the runner's history table: {why}")
    if writing:
        return DatabaseError(f"{what} in the database at {shown} failed: {why}")
    if isinstance(exc, psycopg.errors.InsufficientPrivilege):
        return DatabaseError(f"{what} from the database at {shown} failed: {why} (migralint only needs SELECT)")
    return DatabaseError(f"{what} from the database at {shown} failed: {why}")


def read_history_rows(
    connection: psycopg.Connection[tuple[Any, ...]], query: Query, order: str | None
) -> list[tuple[Any, ...]] | None:
    """The rows of a history table (through the search_path), or None when there is no such table."""
    from psycopg import sql

    found = connection.execute("SELECT to_regclass(%s) IS NOT NULL", [query.table]).fetchone()
    if not found or not found[0]:
        return None
    statement = sql.SQL("SELECT {} FROM {}").format(sql.SQL(query.columns), sql.Identifier(query.table))
    if order:
        statement = sql.SQL("{} ORDER BY {}").format(statement, sql.SQL(order))
    return connection.execute(statement).fetchall()


def read_table_stats(connection: psycopg.Connection[tuple[Any, ...]], tables: Sequence[str]) -> dict[str, TableStats]:
    """Rows (as of the last ANALYZE; -1 when never counted) and bytes of "schema.table" names."""
    found = connection.execute("SELECT current_schema()").fetchone()
    current = found[0] if found else None
    keys: list[str] = []
    schemas: list[str] = []
    names: list[str] = []
    ranks: list[int] = []
    for table in dict.fromkeys(tables):
        schema, _, name = table.partition(".")
        candidates = [schema]
        if schema == DEFAULT_SCHEMA and current and current != schema:
            # Unqualified in the migration: the runner finds it in the URL's schema first.
            candidates.insert(0, current)
        for rank, candidate in enumerate(candidates):
            keys.append(table)
            schemas.append(candidate)
            names.append(name)
            ranks.append(rank)
    partitions = _PARTITIONS if connection.info.server_version >= 120000 else _NO_PARTITIONS
    query = _TABLE_STATS.format(partitions=partitions)
    rows = connection.execute(query, [keys, schemas, names, ranks]).fetchall()
    stats: dict[str, TableStats] = {}
    for key, _rank, count, size in sorted(rows, key=lambda row: -int(row[1])):  # the best rank last
        stats[str(key)] = TableStats(int(round(float(count))), int(size))
    return stats
