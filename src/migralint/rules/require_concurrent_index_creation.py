from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from migralint.findings import Finding, Severity
from migralint.linter.concurrently import NON_TRANSACTIONAL_NOTE
from migralint.sql.postgres.locks import Lock
from migralint.linter.parse import Statement
from migralint.linter.rewrite import with_concurrently
from migralint.migrations.layouts import RunnerMode
from migralint.rules.base import Rule

if TYPE_CHECKING:
    from migralint.linter.context import Context


class RequireConcurrentIndexCreation(Rule):
    name = "require-concurrent-index-creation"
    severity = Severity.ERROR
    lock = Lock.SHARE
    nodes = ("IndexStmt",)
    summary = "CREATE INDEX without CONCURRENTLY blocks all writes to the table while the index builds."
    why = (
        "A plain CREATE INDEX takes a SHARE lock on the table and holds it until the index is built "
        "and the transaction commits. Reads go on, but every INSERT, UPDATE and DELETE waits, for "
        "minutes on a large table. CREATE INDEX CONCURRENTLY takes SHARE UPDATE EXCLUSIVE instead, "
        "which lets writes continue. An index on a table created earlier in the same migration is "
        "not flagged: that table holds no rows yet."
    )
    bad = 'CREATE INDEX "User_email_idx" ON "User"("email");'
    good = (
        'CREATE TABLE "Post" ("id" TEXT NOT NULL, "authorId" TEXT NOT NULL);\n'
        'CREATE INDEX "Post_authorId_idx" ON "Post"("authorId");'
    )
    references = (
        "https://www.postgresql.org/docs/current/sql-createindex.html#SQL-CREATEINDEX-CONCURRENTLY",
    )

    def check(self, statement: Statement, ctx: Context) -> Iterable[Finding]:
        node = statement.node
        if node.get("concurrent") or ctx.is_new_table(node["relation"]):
            return ()
        table = ctx.table(node["relation"])
        concurrent, fix = with_concurrently(ctx.parsed.text, statement, fixable=not ctx.in_transaction)
        return (ctx.finding(
            self,
            f'CREATE INDEX takes SHARE on "{table}": INSERT, UPDATE and DELETE wait until the index is built.',
            help=(
                "Build it without blocking writes, in a migration of its own (CONCURRENTLY cannot run "
                "inside a transaction, and a multi-statement migration is one):\n"
                # A runner that wraps every file in a transaction must be told not to.
                + (f"{NON_TRANSACTIONAL_NOTE}\n" if ctx.runner is RunnerMode.TRANSACTION else "")
                + f"{concurrent};"
            ),
            fix=fix,
        ),)
