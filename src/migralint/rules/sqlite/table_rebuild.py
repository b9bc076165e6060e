from __future__ import annotations

from collections.abc import Iterator

from migralint.findings import Finding, Severity
from migralint.linter.model_context import ModelContext
from migralint.rules.base import Rule
from migralint.rules.sqlite.common import ALTER_TABLE, SQLITE, SqliteContext, at, dropped_table, rebuilds
from migralint.sql import ir

# sql/sqlite/statements.WRITE_LOCK's words; that module loads sqlglot, which a cached lint must not.
WRITE_LOCK = "the database's write lock"
_LOCKING = "https://www.sqlite.org/lockingv3.html"
_WAL = "https://www.sqlite.org/wal.html"


class SqliteTableRebuild(Rule):
    name = "sqlite-table-rebuild"
    severity = Severity.WARNING
    dialects = SQLITE
    summary = "A rebuild of an existing table holds the database's single write lock while it copies every row."
    why = (
        "SQLite has one writer at a time: the statement that first writes takes the RESERVED lock on the whole "
        "database file and keeps it until the transaction ends (sqlite.org/lockingv3.html). A rebuild copies every "
        "row of the table into a new one, so every other connection's INSERT, UPDATE and DELETE waits (or fails "
        "with SQLITE_BUSY once its busy timeout runs out) for as long as the copy takes; without WAL mode readers "
        "wait too while the change is written (sqlite.org/wal.html). On a small table that is a moment; on a large "
        "one the application cannot write until the migration ends. Where the change can be made in place, do "
        "that: `ALTER TABLE ... ADD COLUMN` (a nullable column, or NOT NULL with a constant DEFAULT), `RENAME "
        "COLUMN` (3.25+) and `DROP COLUMN` (3.35+) do not copy the table. What the rebuild loses is for "
        "`sqlite-rebuild-drops-columns`, `sqlite-rebuild-cascades` and `sqlite-rebuild-renames-old-table`. A table "
        "created in the same migration or by a pending one is not flagged."
    )
    bad = (
        "CREATE TABLE \"new_User\" (\"id\" INTEGER NOT NULL PRIMARY KEY, \"email\" TEXT NOT NULL, \"nickname\" TEXT);\n"
        "INSERT INTO \"new_User\" (\"id\", \"email\") SELECT \"id\", \"email\" FROM \"User\";\n"
        "DROP TABLE \"User\";\n"
        "ALTER TABLE \"new_User\" RENAME TO \"User\";"
    )
    good = "ALTER TABLE \"User\" ADD COLUMN \"nickname\" TEXT;"
    references = (ALTER_TABLE, _LOCKING, _WAL)

    def check_statement(self, statement: ir.Statement, ctx: ModelContext) -> Iterator[Finding]:
        sqlite: SqliteContext = ctx  # type: ignore[assignment]
        for rebuild in rebuilds(sqlite):
            where = rebuild.copies[0] if rebuild.copies else rebuild.create
            if at(sqlite, where) is not statement or not ctx.rows(dropped_table(rebuild)).may_hold_rows:
                continue
            table = ctx.sql.table(rebuild.table)
            covered = [at(sqlite, i) for i in (rebuild.create, *rebuild.copies, rebuild.drop, rebuild.rename)]
            yield ctx.finding(
                self,
                f"This rebuild of {table} copies every row under {WRITE_LOCK}: every other connection's writes wait "
                "until the copy is done (until the migration's transaction ends, when it runs in one).",
                help=(
                    "Where SQLite can make the change in place, do that instead (ADD COLUMN, RENAME COLUMN, DROP "
                    "COLUMN); otherwise run the migration when writes can wait, and keep the table small:\n"
                    f"-- for a new column: ALTER TABLE {table} ADD COLUMN \"<column>\" <type>;\n"
                    f"-- migralint: ignore sqlite-table-rebuild -- {rebuild.table.name} is small, or writes can wait"
                ),
                table=rebuild.table,
                covers=covered,
            )
