"""What the database itself says before `apply` runs anything: the refusals that are not history.

Two of them, both read on the same connection as the plan (and so the same in a dry run):

- **A database that is not empty but has no history table** (Prisma's P3005). prisma-engines
  (sql-schema-connector, `MigrationPersistence::initialize` and the PostgreSQL flavour's
  `table_names`) counts the ordinary tables (`pg_class.relkind = 'r'`) of the connection's
  schema, leaving out PostGIS's own tables; views, sequences, types, functions, partitioned
  parents and other schemas do not make a database "not empty". Running every migration into
  such a database fails half-way; the way out is baselining (`resolve --applied`).
- **An INVALID index with the name a pending migration creates**: what a failed `CREATE INDEX
  CONCURRENTLY` leaves. Running the migration again fails with "relation already exists" (or,
  with IF NOT EXISTS, succeeds and keeps the useless index), so the index is dropped first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from migralint.database.execution import FilePlan
from migralint.sql.postgres.nodes import quote_ident

if TYPE_CHECKING:
    import psycopg

    Connection = psycopg.Connection[tuple[Any, ...]]

# prisma-engines, sql_schema_differ/postgres.rs (POSTGIS_TABLES_OR_VIEWS): tables PostGIS creates,
# which do not make a schema "not empty".
_IGNORED_TABLES = re.compile(r"^(spatial_ref_sys|geometry_columns|geography_columns|raster_columns|raster_overviews)$",
                             re.IGNORECASE)
_TABLES = """
SELECT current_schema(), c.relname FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
WHERE c.relkind = 'r' AND n.nspname = current_schema() ORDER BY c.relname
"""
# INVALID indexes, except the ones a CREATE INDEX CONCURRENTLY or REINDEX CONCURRENTLY is building now.
_INVALID = """
SELECT i.indexrelid::regclass::text, i.indrelid::regclass::text, i.indexrelid::bigint
FROM pg_index AS i JOIN pg_class AS c ON c.oid = i.indexrelid JOIN pg_namespace AS n ON n.oid = c.relnamespace
WHERE NOT i.indisvalid AND c.relkind = 'i'
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%%'
  {building}
ORDER BY 1
"""
_BUILDING = "AND NOT EXISTS (SELECT FROM pg_stat_progress_create_index AS p WHERE p.index_relid = i.indexrelid)"


@dataclass(frozen=True, slots=True)
class InvalidIndex:
    """An index left invalid by a failed CREATE INDEX CONCURRENTLY, and the pending migration that
    would create it again, if any."""

    index: str
    table: str
    oid: int = field(default=0, compare=False)
    migration: str = ""  # the pending migration that creates an index of this name, if any

    @property
    def fix(self) -> str:
        return f"DROP INDEX CONCURRENTLY {self.index};"


@dataclass(frozen=True, slots=True)
class NotEmpty:
    """The schema holds tables but no history table: what Prisma refuses with P3005."""

    schema: str
    tables: list[str]
    already_there: list[str]  # the migrations whose tables are all in the database already


def invalid_indexes(connection: Connection) -> list[InvalidIndex]:
    building = _BUILDING if connection.info.server_version >= 120000 else ""
    rows = connection.execute(_INVALID.format(building=building)).fetchall()
    return [InvalidIndex(str(index), str(table), int(oid)) for index, table, oid in rows]


def blocking_indexes(connection: Connection, pending: list[FilePlan]) -> list[InvalidIndex]:
    """The INVALID indexes that have the name of an index a pending migration creates."""
    found = invalid_indexes(connection)
    if not found:
        return []
    by_oid = {index.oid: index for index in found}
    blocking: dict[int, InvalidIndex] = {}
    for plan in pending:
        for step in plan.steps:
            if step.kind != "IndexStmt" or not step.node.get("idxname"):
                continue
            schema = step.node.get("relation", {}).get("schemaname")
            name = quote_ident(str(step.node["idxname"]))
            row = connection.execute("SELECT to_regclass(%s)::oid::bigint",
                                     [f"{quote_ident(schema)}.{name}" if schema else name]).fetchone()
            oid = int(row[0]) if row and row[0] is not None else None
            if oid in by_oid and oid not in blocking:
                index = by_oid[oid]
                blocking[oid] = InvalidIndex(index.index, index.table, oid, plan.name)
    return list(blocking.values())


def not_empty(connection: Connection, plans: list[FilePlan]) -> NotEmpty | None:
    """Prisma's P3005 check, for a database without the history table; None when it may be migrated."""
    rows = connection.execute(_TABLES).fetchall()
    tables = [str(name) for _, name in rows if not _IGNORED_TABLES.match(str(name))]
    if not tables:
        return None
    return NotEmpty(str(rows[0][0]), tables, _already_there(connection, plans))


def _already_there(connection: Connection, plans: list[FilePlan]) -> list[str]:
    """The migrations that create tables, all of which exist: a guess at what to baseline."""
    names: list[str] = []
    for plan in plans:
        created = [step.node["relation"] for step in plan.steps if step.kind == "CreateStmt"]
        if not created:
            continue
        qualified = [f"{quote_ident(r['schemaname'])}.{quote_ident(r['relname'])}" if r.get("schemaname")
                     else quote_ident(r["relname"]) for r in created]
        row = connection.execute("SELECT bool_and(to_regclass(name) IS NOT NULL) FROM unnest(%s::text[]) AS name",
                                 [qualified]).fetchone()
        if row and row[0]:
            names.append(plan.name)
    return names
