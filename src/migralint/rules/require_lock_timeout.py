from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from migralint.linter.finding import Finding, Severity
from migralint.linter.concurrently import reindex_is_concurrent
from migralint.linter.index_tables import dropped_index_names, index_table_at
from migralint.linter.locks import Lock
from migralint.linter.nodes import TableName
from migralint.linter.parse import Statement
from migralint.linter.session_settings import is_nonzero_duration, setting_changes
from migralint.rules.base import Rule

if TYPE_CHECKING:
    from migralint.linter.context import Context

# What the message calls a statement; others are "This statement".
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


@dataclass(frozen=True, slots=True)
class _Blocking:
    position: int
    lock: Lock
    table: str  # as the message names it


class RequireLockTimeout(Rule):
    name = "require-lock-timeout"
    severity = Severity.WARNING
    summary = "A statement that blocks writes to an existing table runs with no lock_timeout set."
    why = (
        "Before ALTER TABLE, CREATE INDEX, DROP INDEX and the like can take their SHARE or stronger "
        "lock, they wait for every query already running on the table. While one waits in the lock "
        "queue, every query that comes after it waits too: behind one slow report, a quick ALTER TABLE "
        "stops all writes (for ACCESS EXCLUSIVE, all reads as well) until the report ends. With "
        "lock_timeout set, the statement gives up after a few seconds instead, and the migration can "
        "be retried. Tables created earlier in the same migration are not counted."
    )
    bad = 'ALTER TABLE "User" ADD COLUMN "nickname" TEXT;'
    good = 'SET lock_timeout = \'5s\';\nALTER TABLE "User" ADD COLUMN "nickname" TEXT;'
    options = (
        "`runner_sets_lock_timeout = true` turns the rule off, for runners that set lock_timeout on "
        "their connection themselves."
    )
    references = (
        "https://www.postgresql.org/docs/current/runtime-config-client.html#GUC-LOCK-TIMEOUT",
        "https://www.postgresql.org/docs/current/explicit-locking.html",
    )

    def check_file(self, ctx: Context) -> Iterator[Finding]:
        if ctx.settings.runner_sets_lock_timeout:
            return
        unprotected = _unprotected(ctx)
        if not unprotected:
            return
        first = unprotected[0]
        ctx.at(first.position)
        more = len(unprotected) - 1
        others = f" {more} more statement{'s do' if more > 1 else ' does'} the same in this file." if more else ""
        yield ctx.finding(
            self,
            f"{_verb(ctx.statement)} takes {first.lock.sql_name} on {first.table} with no lock_timeout set: "
            f"while it waits for a long-running transaction on the table to finish, {first.lock.blocks} "
            f"behind it.{others}",
            help=(
                "Set lock_timeout first: without it the statement waits in the lock queue behind any long "
                "query, and every query after it waits too.\n"
                "-- the first statement of the file; when it times out, run the migration again later\n"
                "SET lock_timeout = '5s';"
            ),
        )


def _unprotected(ctx: Context) -> list[_Blocking]:
    """Statements that take a write-blocking lock on an existing table while no lock_timeout is on."""
    session_on = False
    local_on: dict[int, bool] = {}  # transaction block id -> SET LOCAL value
    found: list[_Blocking] = []
    for position, statement in enumerate(ctx.statements):
        ctx.at(position)
        block = ctx.block
        changes = setting_changes(statement, "lock_timeout")
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
        blocking = _strongest_blocking_lock(ctx, statement)
        if blocking is not None:
            found.append(_Blocking(position, *blocking))
    return found


def _strongest_blocking_lock(ctx: Context, statement: Statement) -> tuple[Lock, str] | None:
    candidates = [
        (taken.lock, f'"{taken.table}"')
        for taken in ctx.locks(statement)
        if taken.lock.blocks_writes and not ctx.is_new_table(taken.table)
    ]
    node = statement.node
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


def _verb(statement: Statement) -> str:
    if statement.kind == "DropStmt":
        return _DROP_VERBS.get(statement.node.get("removeType", ""), "This statement")
    return _VERBS.get(statement.kind, "This statement")
