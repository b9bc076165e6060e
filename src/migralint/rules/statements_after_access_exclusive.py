from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from migralint.findings import Finding, Severity
from migralint.sql.postgres.locks import Lock
from migralint.sql.postgres.nodes import TableName
from migralint.linter.parse import Statement
from migralint.linter.slow_work import slow_work
from migralint.linter.timeout_settings import statement_verb
from migralint.rules.base import Rule

if TYPE_CHECKING:
    from migralint.linter.context import Context

_LOCK = Lock.ACCESS_EXCLUSIVE


# A plain class, not a dataclass: see section_state.py.
class _Held:
    __slots__ = ("position", "table", "current", "tables", "slow")

    def __init__(self, position: int, table: TableName, current: TableName) -> None:
        self.position = position  # the statement that took the first ACCESS EXCLUSIVE of the block
        self.table = table
        self.current = current  # its name now, when a later statement renamed it
        self.tables: set[TableName] = set()  # every table the block holds it on
        self.slow: list[tuple[int, str]] = []  # (position, what it does)


class _Blocks:
    """What the statements checked so far in this file section hold and do, gathered statement
    by statement while the catalog describes the schema as each one sees it."""

    __slots__ = ("held",)

    def __init__(self) -> None:
        self.held: dict[int, _Held] = {}  # transaction block id -> its first ACCESS EXCLUSIVE


class StatementsAfterAccessExclusive(Rule):
    name = "statements-after-access-exclusive"
    severity = Severity.WARNING
    lock = _LOCK
    # The lock is held through other work: how long depends on that work, not on the locked table's rows.
    empty_table_is_safe = False
    # Every statement that can take ACCESS EXCLUSIVE, rename a table, or do slow work.
    nodes = ("AlterTableStmt", "RenameStmt", "DropStmt", "TruncateStmt", "LockStmt", "ClusterStmt", "VacuumStmt",
             "RefreshMatViewStmt", "IndexStmt", "ReindexStmt", "UpdateStmt", "DeleteStmt", "MergeStmt", "InsertStmt",
             "CreateTableAsStmt", "CreateTrigStmt", "CreateStmt")
    summary = "Slow statements run after one took ACCESS EXCLUSIVE on a table, in the same transaction."
    why = (
        "ACCESS EXCLUSIVE, which most ALTER TABLE forms take, is held until the transaction commits, "
        "not until the statement ends. Every statement that runs after it in the same transaction "
        "lengthens the time every query on that table, reads included, waits. A quick ALTER TABLE "
        "followed by an index build, a rewrite, a scan to validate a constraint or a backfill keeps "
        "the table unreadable for as long as all of that takes. Statements that are quick whatever the data (SET, COMMENT, more catalog-only ALTER "
        "TABLEs, work on tables created in the same migration) are not counted, nor is slow work that "
        "takes ACCESS EXCLUSIVE on the table itself (its own rule reports it), nor a wait for a lock "
        "on another table, which lock_timeout bounds (see require-lock-timeout). A multi-statement "
        "migration is one transaction when the runner wraps it or sends it as one query (Prisma)."
    )
    bad = (
        "BEGIN;\n"
        'ALTER TABLE "User" ADD COLUMN "email" TEXT;\n'
        'UPDATE "User" SET "email" = "legacyEmail";\n'
        "COMMIT;"
    )
    good = (
        "-- the ALTER commits on its own, and the backfill runs after it without the lock\n"
        'ALTER TABLE "User" ADD COLUMN "email" TEXT;\n'
        'UPDATE "User" SET "email" = "legacyEmail" WHERE "id" BETWEEN 1 AND 10000;'
    )
    reported_once = (
        "per transaction, for the statement that takes ACCESS EXCLUSIVE and every slow statement after it"
    )
    references = (
        "https://www.postgresql.org/docs/current/explicit-locking.html#LOCKING-TABLES",
        "https://www.postgresql.org/docs/current/sql-altertable.html",
    )

    def check(self, statement: Statement, ctx: Context) -> Iterable[Finding]:
        block = ctx.block
        if block is None:
            return ()
        held_by_block = ctx.state(_Blocks).held
        position = statement.index - ctx.statements[0].index
        held = held_by_block.get(block.id)
        locks = ctx.locks(statement)
        if held is not None:
            # A wait for a lock on another table is not counted: lock_timeout bounds it, and
            # require-lock-timeout asks for one. Under its own ACCESS EXCLUSIVE, the earlier
            # lock adds nothing (asked only of slow work: most statements do none).
            work = slow_work(ctx, statement)
            if work is not None and not any(t.lock is _LOCK and t.table in held.tables for t in locks):
                held.slow.append((position, work))
            if statement.kind == "RenameStmt":
                _follow_rename(statement, held)
        for taken in locks:
            if taken.lock is _LOCK and not ctx.is_new_table(taken.table):
                if held is None:
                    held = held_by_block[block.id] = _Held(position, taken.table, taken.table)
                held.tables.add(taken.table)
        return ()

    def check_file(self, ctx: Context) -> Iterable[Finding]:
        held_by_block = ctx.state(_Blocks).held
        if not held_by_block:
            return ()
        return self._findings(ctx, held_by_block)

    def _findings(self, ctx: Context, held_by_block: dict[int, _Held]) -> Iterator[Finding]:
        for held in held_by_block.values():
            if held.slow:
                yield self._finding(ctx, held)

    def _finding(self, ctx: Context, held: _Held) -> Finding:
        locker = ctx.statements[held.position]
        line = ctx.parsed.index.position(locker.start)[0]
        position, work = held.slow[0]
        here = ctx.on(ctx.statements[position])
        more = len(held.slow) - 1
        others = f" {more} more slow statement{'s follow' if more > 1 else ' follows'} in the same transaction." if more else ""
        sql = ctx.parsed.text[here.statement.start : here.statement.end]
        now = f' (now "{held.current}")' if held.current != held.table else ""
        return here.finding(
            self,
            f'{statement_verb(locker)} on line {line} took {_LOCK.sql_name} on "{held.table}"{now}, held until the '
            f'transaction commits; meanwhile this statement {work}, and every query on "{held.current}", reads '
            f"included, waits until it is done.{others}",
            help=(
                f'Run the slow work outside the transaction that locks "{held.current}": in a migration of its own, '
                "or before the statement that takes the lock when it does not depend on it.\n"
                f"-- in a migration of its own, after this one:\n{sql};"
            ),
            table=held.current,
            # The statement that took the lock and all the slow work it is held through: an
            # ignore on any of them accepts the whole stretch.
            covers=[locker, *(ctx.statements[p] for p, _ in held.slow)],
        )


def _follow_rename(statement: Statement, held: _Held) -> None:
    """A renamed table is the same table under its new name (`statement`: a RenameStmt)."""
    node = statement.node
    if node.get("renameType") == "OBJECT_TABLE" and "relation" in node:
        old = TableName.from_range_var(node["relation"])
        if old in held.tables:
            new = TableName(old.schema, str(node.get("newname", "")))
            held.tables.add(new)
            if old == held.current:
                held.current = new
