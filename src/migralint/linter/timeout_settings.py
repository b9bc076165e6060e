"""Which statements take a write-blocking lock on an existing table while a timeout setting
(lock_timeout, statement_timeout) is off: shared by require-lock-timeout and
require-statement-timeout.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from migralint.linter.concurrently import reindex_is_concurrent
from migralint.linter.index_tables import dropped_index_names, index_table_at
from migralint.sql.postgres.locks import Lock
from migralint.sql.postgres.nodes import TableName
from migralint.linter.parse import Statement
from migralint.linter.session_settings import is_nonzero_duration, setting_changes

if TYPE_CHECKING:
    from migralint.linter.context import Context

# What a message calls a statement; others are "This statement".
_VERBS = {
    "AlterTableStmt": "ALTER TABLE",
    "IndexStmt": "CREATE INDEX",
    "RenameStmt": "ALTER TABLE ... RENAME",
    "TruncateStmt": "TRUNCATE",
    "CreateStmt": "CREATE TABLE",
    "CreateTrigStmt": "CREATE TRIGGER",
    "LockStmt": "LOCK TABLE",
    "ReindexStmt": "REINDEX",
    "ClusterStmt": "CLUSTER",
    "VacuumStmt": "VACUUM FULL",
    "RefreshMatViewStmt": "REFRESH MATERIALIZED VIEW",
}
_DROP_VERBS = {"OBJECT_TABLE": "DROP TABLE", "OBJECT_INDEX": "DROP INDEX", "OBJECT_TRIGGER": "DROP TRIGGER"}


class Unprotected(NamedTuple):
    position: int  # index into ctx.statements
    lock: Lock
    table: str  # as a message names it: `"User"`, or `the table of index "X"`


def unprotected_statements(ctx: Context, setting: str) -> list[Unprotected]:
    """Statements that take a write-blocking lock on an existing table while `setting` is off.

    SET applies to the session; SET LOCAL (and set_config(..., true)) only until the current
    transaction block ends, and does nothing outside one; RESET undoes both.
    """
    session_on = False
    local_on: dict[int, bool] = {}  # transaction block id -> SET LOCAL value
    found: list[Unprotected] = []
    for position, statement in enumerate(ctx.statements):
        ctx.at(position)
        block = ctx.block
        changes = setting_changes(statement, setting)
        for change in changes:
            on = is_nonzero_duration(change.value)
            if change.value is None and not change.local:
                local_on.clear()  # RESET / RESET ALL also undo SET LOCAL
            if change.local:
                if block is not None:  # SET LOCAL outside a transaction does nothing
                    local_on[block.id] = on
            else:
                session_on = on
                if block is not None:
                    local_on.pop(block.id, None)
        if changes:
            continue
        protected = local_on.get(block.id, session_on) if block is not None else session_on
        if protected:
            continue
        blocking = strongest_blocking_lock(ctx, statement)
        if blocking is not None:
            found.append(Unprotected(position, *blocking))
    return found


def strongest_blocking_lock(ctx: Context, statement: Statement) -> tuple[Lock, str] | None:
    """The strongest SHARE-or-stronger lock `statement` takes on a table that may hold rows,
    with the table as a message names it; None when it takes none."""
    candidates = [
        (taken.lock, f'"{taken.table}"')
        for taken in ctx.locks(statement)
        if taken.lock.blocks_writes and not ctx.is_new_table(taken.table)
    ]
    node = statement.node if statement.kind in ("DropStmt", "ReindexStmt") else {}
    names: list[TableName] = []
    index_lock: Lock | None = None
    if statement.kind == "DropStmt" and node.get("removeType") == "OBJECT_INDEX" and not node.get("concurrent"):
        names, index_lock = dropped_index_names(node), Lock.ACCESS_EXCLUSIVE
    elif statement.kind == "ReindexStmt" and node.get("kind") == "REINDEX_OBJECT_INDEX" and "relation" in node:
        names = [ctx.table(node["relation"])]
        index_lock = None if reindex_is_concurrent(node) else Lock.SHARE
    if index_lock is not None:
        for name in names:
            index = index_table_at(ctx.schema, name, statement.index)
            if index.table is None or not ctx.is_new_table(index.table):
                candidates.append((index_lock, index.table_words()))
    if not candidates:
        return None
    return max(candidates, key=lambda c: c[0])


def statement_verb(statement: Statement) -> str:
    """What a message calls the statement: "ALTER TABLE", "DROP INDEX", or "This statement"."""
    if statement.kind == "DropStmt":
        return _DROP_VERBS.get(statement.node.get("removeType", ""), "This statement")
    return _VERBS.get(statement.kind, "This statement")


class FirstUnprotected(NamedTuple):
    first: Unprotected
    others: str  # a sentence counting the other unprotected statements, "" when there are none
    covers: tuple[Statement, ...]  # every unprotected statement: an ignore on any of them covers the finding


def first_unprotected(ctx: Context, setting: str) -> FirstUnprotected | None:
    """The first statement the file runs unprotected by `setting`, made the current statement."""
    unprotected = unprotected_statements(ctx, setting)
    if not unprotected:
        return None
    first = unprotected[0]
    ctx.at(first.position)
    more = len(unprotected) - 1
    others = f" {more} more statement{'s do' if more > 1 else ' does'} the same in this file." if more else ""
    return FirstUnprotected(first, others, tuple(ctx.statements[u.position] for u in unprotected))
