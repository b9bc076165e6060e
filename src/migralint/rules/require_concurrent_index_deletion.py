from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from migralint.findings import Finding, Severity
from migralint.linter.concurrently import own_migration_note
from migralint.linter.index_tables import (
    IndexTable,
    dropped_index_names,
    index_table_at,
)
from migralint.sql.postgres.locks import Lock
from migralint.sql.postgres.nodes import TableName
from migralint.linter.parse import Statement
from migralint.linter.rewrite import with_concurrently
from migralint.rules.base import Rule

if TYPE_CHECKING:
    from migralint.linter.context import Context


class RequireConcurrentIndexDeletion(Rule):
    name = "require-concurrent-index-deletion"
    severity = Severity.WARNING
    lock = Lock.ACCESS_EXCLUSIVE
    nodes = ("DropStmt",)
    summary = "DROP INDEX without CONCURRENTLY makes every query on the table wait, reads included."
    why = (
        "A plain DROP INDEX takes an ACCESS EXCLUSIVE lock on the index's table. The drop itself is "
        "quick, but it first waits for every query already running on the table to finish, and while "
        "it waits every new query on the table, reads included, queues behind it: one slow report "
        "stalls the whole application. DROP INDEX CONCURRENTLY waits for those queries without "
        "blocking anybody. An index created earlier in the same migration, or on a table created "
        "there, is not flagged."
        " Nor is a drop in a transaction that already holds ACCESS EXCLUSIVE on the index's table"
        " (an earlier ALTER TABLE of the same migration): CONCURRENTLY would gain nothing there."
    )
    bad = 'DROP INDEX "User_email_idx";'
    good = 'DROP INDEX CONCURRENTLY "User_email_idx";'
    references = ("https://www.postgresql.org/docs/current/sql-dropindex.html",)

    def check(self, statement: Statement, ctx: Context) -> Iterator[Finding]:
        node = statement.node
        if node.get("removeType") != "OBJECT_INDEX" or node.get("concurrent"):
            return
        indexes = [
            index_table_at(ctx.schema, name, statement.index, ctx.catalog) for name in dropped_index_names(node)
        ]
        risky = [
            i
            for i in indexes
            if not i.created_earlier
            and not (i.table and (ctx.is_new_table(i.table) or _already_locked(ctx, i.table)))
        ]
        if not risky:
            return
        names = ", ".join(f'"{i.index}"' for i in risky)
        tables = {i.table for i in risky}
        if len(tables) == 1 and None not in tables:
            where, it = risky[0].table_words(), "it"
        else:
            where, it = ("its table", "it") if len(risky) == 1 else ("their tables", "them")
        # CONCURRENTLY drops one index, without CASCADE, outside a transaction block.
        single = len(indexes) == 1 and node.get("behavior") != "DROP_CASCADE"
        sql, fix = with_concurrently(ctx.parsed.text, statement, fixable=single and not ctx.in_transaction)
        yield ctx.finding(
            self,
            f"DROP INDEX {names} takes ACCESS EXCLUSIVE on {where}: every query on {it}, reads included, "
            "waits until the drop is done, and the drop itself waits behind any long query already running.",
            help=self._help(ctx, statement, risky, len(indexes), sql),
            fix=fix,
        )

    def _help(self, ctx: Context, statement: Statement, risky: list[IndexTable], count: int, sql: str) -> str:
        first = "Drop it with CONCURRENTLY, which blocks no query but cannot run inside a transaction:"
        cascade = statement.node.get("behavior") == "DROP_CASCADE"
        if count == 1 and not cascade:
            return f"{first}\n{own_migration_note(ctx.runner)}\n{sql};"
        lines = [first]
        if cascade:
            lines.append("-- CONCURRENTLY does not support CASCADE: drop what depends on the index first")
        if len(risky) > 1:
            lines.append("-- CONCURRENTLY drops one index per statement: each in a migration of its own")
        if_exists = " IF EXISTS" if statement.node.get("missing_ok") else ""
        for risk in risky:
            lines.append(own_migration_note(ctx.runner))
            lines.append(f"DROP INDEX CONCURRENTLY{if_exists} {risk.index.sql()};")
        return "\n".join(lines)


def _already_locked(ctx: Context, table: TableName) -> bool:
    """An earlier statement of the same transaction took ACCESS EXCLUSIVE on `table`: until it
    commits nobody can use the table anyway, and CONCURRENTLY would gain nothing."""
    return ctx.in_transaction and any(
        ctx.same_transaction(earlier)
        and any(t.table == table and t.lock is Lock.ACCESS_EXCLUSIVE for t in ctx.locks(earlier))
        for earlier in ctx.earlier
    )
