"""The statement model's table names and locks (sql/postgres/model.py builds the rest): what
each lock blocks and the slow work done while it is held, from the locks PostgreSQL's rules
read (sql/postgres/locks.py) and the statement's events."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from migralint.sql import ir
from migralint.sql.ir import Blocks, Default, LockTaken, TableName, Work
from migralint.sql.postgres import locks as pg_locks
from migralint.sql.postgres.nodes import DEFAULT_SCHEMA, Node, alter_table_commands, unwrap

_LOCK_BLOCKS = {
    pg_locks.Lock.ACCESS_EXCLUSIVE: Blocks.READS | Blocks.WRITES | Blocks.DDL,
    pg_locks.Lock.EXCLUSIVE: Blocks.WRITES | Blocks.DDL,
    pg_locks.Lock.SHARE_ROW_EXCLUSIVE: Blocks.WRITES | Blocks.DDL,
    pg_locks.Lock.SHARE: Blocks.WRITES | Blocks.DDL,
    pg_locks.Lock.SHARE_UPDATE_EXCLUSIVE: Blocks.DDL,
}
# Subcommands that write every row to new files (tablecmds.c: ATRewriteTables).
_REWRITING = frozenset({"AT_SetLogged", "AT_SetUnLogged", "AT_SetAccessMethod", "AT_SetTableSpace"})


def table_of(range_var: Node) -> TableName:
    """The model's name of a RangeVar, as PgTableName.from_range_var reads it."""
    return _model_table(range_var.get("schemaname") or DEFAULT_SCHEMA, range_var.get("relname", ""))


@lru_cache(maxsize=8192)
def _model_table(schema: str, name: str) -> TableName:
    """One model TableName per name seen lately (see nodes.shared_name): the statements' own and
    their locks' (`_model_table(*lock.table)`)."""
    return TableName(schema, name)


def model_locks(
    kind: str, node: Node, tables: tuple[TableName, ...], events: tuple[ir.Event, ...],
    taken: Sequence[pg_locks.LockTaken] | None, pg_version: int,
) -> tuple[LockTaken, ...]:
    """The model's locks: `taken` (PostgreSQL's, when the caller has them), else the
    statement's own, each with what it blocks and, on the altered table, the slow work."""
    work = _work(kind, node, events, pg_version)
    altered = tables[0] if tables else None
    result = []
    for lock in taken if taken is not None else pg_locks.statement_locks(kind, node):
        table = _model_table(*lock.table)
        result.append(_model_lock(table, lock.lock, work if table == altered else None))
    return tuple(result)


@lru_cache(maxsize=8192)
def _model_lock(table: TableName, lock: pg_locks.Lock, work: Work | None) -> LockTaken:
    """One model LockTaken for the locks of neighbouring statements (see nodes.shared_name).
    Keyed by PostgreSQL's lock, an int to hash, rather than by the Blocks flag it maps to."""
    return LockTaken(table, _LOCK_BLOCKS.get(lock, Blocks.NOTHING), lock.sql_name, work)


def _work(kind: str, node: Node, events: tuple[ir.Event, ...], pg_version: int) -> Work | None:
    """The slow work done under the statement's lock on its table, judged from the statement
    alone: whether the table holds rows is the reader's question (ModelContext.rows)."""
    if kind in ("IndexStmt", "ReindexStmt"):
        return Work.INDEX_BUILD
    if kind in ("ClusterStmt", "VacuumStmt", "RefreshMatViewStmt"):
        return Work.REWRITE
    if kind != "AlterTableStmt":
        return None
    # The events are in subcommand order; an ADD COLUMN's own constraints follow it.
    using_index: set[str] | None = None  # read only when a key is added
    for event in events:
        found = _event_work(event, pg_version)
        if found is Work.INDEX_BUILD and isinstance(event, ir.AddConstraint):
            if using_index is None:
                using_index = {
                    str(unwrap(c["def"])[1].get("conname", "")) for c in alter_table_commands(node)
                    if c.get("def") and unwrap(c["def"])[1].get("indexname")
                }
            if (event.name or "") in using_index:
                continue  # ADD ... USING INDEX builds nothing
        if found is not None:
            return found
    return None


def _event_work(event: ir.Event, pg_version: int) -> Work | None:
    """The work of one event; a key's INDEX_BUILD, unless it is added USING INDEX (_work)."""
    if isinstance(event, ir.OtherTableChange) and "AT_" + event.what in _REWRITING:
        return Work.REWRITE
    if isinstance(event, ir.AlterColumnType):
        return Work.REWRITE if event.rewrites else None
    if isinstance(event, (ir.ValidateConstraint, ir.SetNotNull)):
        return Work.SCAN if not isinstance(event, ir.SetNotNull) or event.not_null else None
    if isinstance(event, ir.AddColumn):
        column = event.column
        if column.default in (Default.SEQUENCE, Default.VOLATILE) or column.generated_stored:
            return Work.REWRITE
        if column.default is Default.CONSTANT and pg_version < 11:  # 11 stores the value once
            return Work.REWRITE
    if isinstance(event, ir.AddConstraint):
        if event.kind is ir.ConstraintKind.NOT_NULL:
            # PostgreSQL 18's named NOT NULL: judged as it was while it was an OtherTableChange
            # (the rules' verdicts stay as they were); it scans the rows as SET NOT NULL does.
            return None
        if event.kind in (ir.ConstraintKind.CHECK, ir.ConstraintKind.FOREIGN_KEY):
            return Work.SCAN if event.validated else None
        return Work.INDEX_BUILD
    return None
