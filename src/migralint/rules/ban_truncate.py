from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from migralint.findings import Finding, Severity
from migralint.sql.postgres.locks import Lock
from migralint.sql.postgres.nodes import TableName, unwrap
from migralint.linter.parse import Statement
from migralint.rules.base import Rule

if TYPE_CHECKING:
    from migralint.linter.context import Context


class BanTruncate(Rule):
    name = "ban-truncate"
    severity = Severity.ERROR
    lock = Lock.ACCESS_EXCLUSIVE
    # The harm is the data, not the lock: with CASCADE it empties tables the statement does not name.
    empty_table_is_safe = False
    nodes = ("TruncateStmt",)
    summary = "TRUNCATE deletes every row of an existing table, and with CASCADE of the tables that reference it."
    why = (
        "TRUNCATE empties the table for good: there is no WHERE clause and no undo once the migration "
        "commits, and it runs in every environment the migration reaches, production included. It takes "
        "an ACCESS EXCLUSIVE lock, so every query on the table, reads included, waits until the "
        "transaction commits. With CASCADE it also empties every table that has a foreign key to it, and "
        "the tables referencing those, none of which the statement names. A table created earlier in the "
        "same file holds no data and is not flagged; when the rows really must go, say why in an ignore "
        "comment."
    )
    bad = 'TRUNCATE "Session" CASCADE;'
    good = (
        '-- migralint: ignore ban-truncate -- "CacheEntry" only holds rows rebuilt on demand\n'
        'TRUNCATE "CacheEntry";'
    )
    references = ("https://www.postgresql.org/docs/current/sql-truncate.html",)

    def check(self, statement: Statement, ctx: Context) -> Iterator[Finding]:
        node = statement.node
        tables = [TableName.from_range_var(unwrap(r)[1]) for r in node.get("relations", [])]
        existing = [table for table in tables if not ctx.is_new_table(table)]
        if not existing:
            return
        quoted = ", ".join(f'"{table}"' for table in existing)
        it = "it" if len(existing) == 1 else "them"
        cascade = node.get("behavior") == "DROP_CASCADE"
        lock = Lock.ACCESS_EXCLUSIVE
        message = (
            f"TRUNCATE deletes every row of {quoted} for good, and takes {lock.sql_name} on {it}: "
            f"{lock.blocks.replace('on it', f'on {it}')} until the transaction commits."
        )
        if cascade:
            message += (
                f" CASCADE also empties every table with a foreign key to {it}, and the tables that reference "
                "those, although this statement does not name them."
            )
        sql = ctx.parsed.text[statement.start : statement.end]
        restart = " RESTART IDENTITY" if node.get("restart_seqs") else ""
        if cascade:
            named = ", ".join(table.sql() for table in tables)
            sql = f"TRUNCATE {named}{restart}"
        lines = [
            "Back up rows that may matter and make sure no deployed code needs them; if they must go, record "
            + ("why in an ignore comment, and name every table to empty instead of CASCADE." if cascade else "why in an ignore comment."),
            "-- migralint: ignore ban-truncate -- <why these rows can go>",
        ]
        if cascade:
            lines.append("-- without CASCADE PostgreSQL refuses while another table's foreign key points here: add those tables to the list")
        lines.append(sql + ";")
        yield ctx.finding(self, message, help="\n".join(lines))
