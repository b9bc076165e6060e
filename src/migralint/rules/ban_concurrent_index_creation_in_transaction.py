from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from migralint.findings import Finding, Severity
from migralint.linter.concurrently import own_migration_note, reindex_is_concurrent
from migralint.sql.postgres.nodes import subcommand_definitions
from migralint.linter.parse import Statement
from migralint.linter.transactions import BlockOrigin
from migralint.migrations.layouts import RunnerMode
from migralint.rules.base import Rule

if TYPE_CHECKING:
    from migralint.linter.context import Context

_BEGIN = ("TRANS_STMT_BEGIN", "TRANS_STMT_START")


class BanConcurrentIndexCreationInTransaction(Rule):
    name = "ban-concurrent-index-creation-in-transaction"
    severity = Severity.ERROR
    nodes = ("IndexStmt", "DropStmt", "ReindexStmt", "AlterTableStmt")
    subcommands = ("AT_DetachPartition",)
    summary = "A CONCURRENTLY index or partition operation inside a transaction block fails."
    why = (
        "CREATE INDEX CONCURRENTLY, DROP INDEX CONCURRENTLY, REINDEX ... CONCURRENTLY and ALTER TABLE "
        "... DETACH PARTITION ... CONCURRENTLY commit several transactions of their own, so PostgreSQL "
        "refuses to run them inside a transaction block and the migration fails. A transaction block "
        "is an explicit BEGIN, a runner that wraps each migration in a transaction (Flyway, diesel, "
        "dbmate by default), or a query string of several statements: Prisma and golang-migrate send "
        "the whole file as one query, so a file of more than one statement is one transaction. A "
        "Prisma migration.sql holding only the CONCURRENTLY statement runs outside a transaction."
    )
    bad = 'BEGIN;\nCREATE INDEX CONCURRENTLY "User_email_idx" ON "User"("email");\nCOMMIT;'
    good = 'CREATE INDEX CONCURRENTLY "User_email_idx" ON "User"("email");'
    options = (
        "How a file runs comes from its migrations layout: Prisma and golang-migrate send it as one "
        "query, Flyway, diesel and dbmate wrap it in a transaction, plain files run statement by "
        "statement unless `assume_in_transaction = true`."
    )
    references = (
        "https://www.postgresql.org/docs/current/sql-createindex.html#SQL-CREATEINDEX-CONCURRENTLY",
        "https://www.postgresql.org/docs/current/sql-reindex.html",
    )

    def check(self, statement: Statement, ctx: Context) -> Iterable[Finding]:
        block = ctx.block
        if block is None:
            return ()
        found = _concurrent_operation(statement)
        if found is None:
            return ()
        operation, command = found
        span = ctx.subcommand_span(command) if command is not None else None
        return (ctx.finding(
            self,
            f"{operation} cannot run inside a transaction block, and this statement runs inside "
            f"{_origin(ctx, block.origin)}: PostgreSQL refuses it and the migration fails.",
            help=_help(ctx, statement, block.origin),
            span=span,
        ),)


def _concurrent_operation(statement: Statement) -> tuple[str, int | None] | None:
    """The CONCURRENTLY operation the statement performs, and its ALTER TABLE subcommand number."""
    node = statement.node
    if statement.kind == "IndexStmt" and node.get("concurrent"):
        return "CREATE INDEX CONCURRENTLY", None
    if statement.kind == "DropStmt" and node.get("removeType") == "OBJECT_INDEX" and node.get("concurrent"):
        return "DROP INDEX CONCURRENTLY", None
    if statement.kind == "ReindexStmt" and reindex_is_concurrent(node):
        return "REINDEX CONCURRENTLY", None
    if statement.kind == "AlterTableStmt":
        for number, _, _, partition in subcommand_definitions(node, "AT_DetachPartition"):
            if partition.get("concurrent"):
                return "DETACH PARTITION CONCURRENTLY", number
    return None


def _origin(ctx: Context, origin: BlockOrigin) -> str:
    if origin is BlockOrigin.RUNNER:
        return "the runner's transaction, which wraps the whole migration file"
    if origin is BlockOrigin.IMPLICIT:
        return (
            "the implicit transaction of a multi-statement query (the runner sends the whole file as one "
            "query, so a file of more than one statement is one transaction)"
        )
    for earlier in reversed(ctx.earlier):
        if earlier.kind == "TransactionStmt" and earlier.node.get("kind") in _BEGIN and ctx.same_transaction(earlier):
            line, _ = ctx.parsed.index.position(earlier.start)
            return f"the transaction opened by BEGIN on line {line}"
    return "a transaction opened by an explicit BEGIN"


def _help(ctx: Context, statement: Statement, origin: BlockOrigin) -> str:
    sql = ctx.parsed.text[statement.start : statement.end] + ";"
    if origin is BlockOrigin.EXPLICIT and ctx.runner is RunnerMode.AUTOCOMMIT:
        return (
            "Move the statement out of the BEGIN ... COMMIT block; it runs in transactions of its own.\n"
            f"-- after the COMMIT, on its own:\n{sql}"
        )
    if ctx.runner is RunnerMode.TRANSACTION:
        first = "Put the statement alone in a migration of its own that the runner does not wrap in a transaction."
    else:
        first = "Put the statement alone in a migration of its own (and no BEGIN): one statement runs outside a transaction."
    return f"{first}\n{own_migration_note(ctx.runner)}\n{sql}"
