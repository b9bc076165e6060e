from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from migralint.findings import Finding, Severity
from migralint.sql.postgres.nodes import TableName, unwrap
from migralint.linter.parse import Statement
from migralint.linter.robust_sql import rerun_problem, without_if_not_exists
from migralint.migrations.layouts import RunnerMode
from migralint.rules.base import Rule

if TYPE_CHECKING:
    from migralint.linter.context import Context

_CANNOT_FAIL = frozenset({"VariableSetStmt", "VariableShowStmt", "TransactionStmt"})


class PreferRobustStmts(Rule):
    name = "prefer-robust-stmts"
    severity = Severity.WARNING
    nodes = ("CreateStmt", "CreateTableAsStmt", "IndexStmt", "CreateSchemaStmt", "CreateSeqStmt", "CreateExtensionStmt",
             "CreateEnumStmt", "CompositeTypeStmt", "ViewStmt", "CreateFunctionStmt", "AlterTableStmt", "DropStmt",
             "AlterEnumStmt")
    summary = "A statement outside a transaction that fails when the migration is run again after a partial failure."
    why = (
        "A migration that does not run in a transaction (statement by statement, or a Prisma file of one "
        "statement) keeps what it did before a failure. Running it again after fixing the cause then "
        "fails at the first statement that already took effect: CREATE TABLE finds the table, DROP "
        "COLUMN finds no column. IF [NOT] EXISTS, OR REPLACE, or a DROP ... IF EXISTS before an ADD "
        "CONSTRAINT make the statement safe to run twice. CREATE INDEX CONCURRENTLY is special: when its "
        "build fails it leaves an INVALID index under its name, which a plain re-run trips over and IF NOT "
        "EXISTS silently keeps; drop it first. Statements in a transaction are not flagged: a failure rolls "
        "all of them back. Neither is the last statement of a file, which takes effect entirely or not at all."
    )
    bad = 'CREATE TABLE "Post" ("id" BIGINT PRIMARY KEY);\nALTER TABLE "User" ADD COLUMN "bio" TEXT;'
    good = 'CREATE TABLE IF NOT EXISTS "Post" ("id" BIGINT PRIMARY KEY);\nALTER TABLE "User" ADD COLUMN IF NOT EXISTS "bio" TEXT;'
    references = (
        "https://www.postgresql.org/docs/current/sql-createindex.html#SQL-CREATEINDEX-CONCURRENTLY",
        "https://www.postgresql.org/docs/current/sql-createtable.html",
    )

    def check(self, statement: Statement, ctx: Context) -> Iterable[Finding]:
        if ctx.block is not None:
            return ()
        return self._outside_transaction(statement, ctx)

    def _outside_transaction(self, statement: Statement, ctx: Context) -> Iterator[Finding]:
        sql = ctx.parsed.text[statement.start : statement.end]
        if statement.kind == "IndexStmt" and statement.node.get("concurrent"):
            yield from self._concurrent_index(ctx, statement, sql)
            return
        position = statement.index - ctx.statements[0].index
        if all(s.kind in _CANNOT_FAIL for s in ctx.statements[position + 1 :]):
            return  # nothing after it can fail, and a failure of its own leaves nothing behind
        problem = rerun_problem(ctx, statement, sql)
        if problem is None:
            return
        reason = "it already exists" if problem.exists else "it is already gone"
        yield ctx.finding(
            self,
            f"{problem.what} runs outside a transaction and cannot run twice: when a later statement of this "
            f"migration fails, running the migration again fails here, because {reason}.",
            help=f"Make the statement safe to run again.\n{problem.fixed}",
            span=problem.span,
        )

    def _concurrent_index(self, ctx: Context, statement: Statement, sql: str) -> Iterator[Finding]:
        node = statement.node
        if not node.get("idxname"):
            return  # a re-run picks a new name
        index = TableName(ctx.table(node["relation"]).schema, node["idxname"])
        if any(_drops_index_if_exists(s, index) for s in ctx.earlier):
            return
        skips = bool(node.get("if_not_exists"))
        # Alone in its file, a second statement would change how some runners send it (as one
        # query, so one transaction, where CONCURRENTLY fails): there a loud failure on re-run is
        # the safe outcome, and only IF NOT EXISTS, which hides the broken index, is flagged.
        alone = ctx.runner is RunnerMode.SINGLE_QUERY or len(ctx.statements) == 1
        if alone and not skips:
            return
        outcome = "skips the statement (IF NOT EXISTS) and keeps the broken index" if skips else (
            f'fails because "{index.name}" already exists')
        drop = f"DROP INDEX CONCURRENTLY IF EXISTS {index.sql()};"
        if alone:
            help = (
                "Leave IF NOT EXISTS out, so that a re-run fails instead of keeping a broken index; before "
                "running the migration again, drop the INVALID index.\n"
                "-- after a failed build, before the re-run (by hand: a second statement in this file could make "
                f"it one transaction):\n-- {drop}\n{without_if_not_exists(sql)};"
            )
        else:
            help = f"Drop whatever a failed earlier run left behind first.\n{drop}\n{sql};"
        yield ctx.finding(
            self,
            f'CREATE INDEX CONCURRENTLY runs outside a transaction: when the build fails (a deadlock, a duplicate '
            f'key, a timeout), it leaves an INVALID index "{index.name}" behind, and running the migration '
            f"again {outcome}.",
            help=help,
        )


def _drops_index_if_exists(statement: Statement, index: TableName) -> bool:
    return statement.kind == "DropStmt" and index in statement.fact(_indexes_dropped_if_exist)


def _indexes_dropped_if_exist(statement: Statement) -> tuple[TableName, ...]:
    node = statement.node
    if node.get("removeType") != "OBJECT_INDEX" or not node.get("missing_ok"):
        return ()
    return tuple(TableName.from_names(unwrap(o)[1].get("items", [])) for o in node.get("objects", []))
