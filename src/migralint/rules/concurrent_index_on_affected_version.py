from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, ClassVar

from migralint.findings import Finding, Severity
from migralint.linter.concurrently import reindex_is_concurrent
from migralint.linter.index_tables import index_table_at
from migralint.sql.postgres.nodes import TableName
from migralint.linter.parse import Statement
from migralint.rules.base import Rule

if TYPE_CHECKING:
    from migralint.linter.context import Context

_AFFECTED = 14  # 14.0 to 14.3; settings hold only the major version
_CHECK_VERSION = "SELECT version();"


class ConcurrentIndexOnAffectedVersion(Rule):
    name = "concurrent-index-on-affected-version"
    severity = Severity.ERROR
    nodes = ("IndexStmt", "ReindexStmt")
    summary = (
        "CREATE INDEX CONCURRENTLY and REINDEX CONCURRENTLY on PostgreSQL 14.0 to 14.3 can build an index "
        "that silently misses rows."
    )
    why = (
        "An optimization in PostgreSQL 14.0 made CREATE INDEX CONCURRENTLY and REINDEX CONCURRENTLY "
        "sometimes leave out rows that were updated while the index was being built. Nothing fails: "
        "the index is marked valid, and queries that use it return wrong results, or a unique index "
        "lets duplicates in. PostgreSQL 14.4 fixed it. migralint knows only the major version "
        "(`pg_version = 14`), so it flags every concurrent index build on 14: check that the server "
        "runs 14.4 or later with SELECT version(), then ignore the rule in the config. Indexes built "
        "concurrently on 14.0 to 14.3 should be checked with amcheck and rebuilt. Tables created "
        "earlier in the same migration are not flagged: no row is updated during their build."
    )
    bad = '-- pg_version = 14\nCREATE INDEX CONCURRENTLY "User_email_idx" ON "User" ("email");'
    good = (
        "-- pg_version = 15; on 14, once SELECT version() shows 14.4 or later:\n"
        "-- migralint: ignore concurrent-index-on-affected-version -- the servers run 14.9\n"
        'CREATE INDEX CONCURRENTLY "User_email_idx" ON "User" ("email");'
    )
    # `bad` is flagged only with pg_version = 14: the example tests need to lint it with this.
    example_pg_version: ClassVar[int] = _AFFECTED
    options = (
        "`pg_version`: only 14 is flagged. Once the servers run 14.4 or later, turn the rule off with "
        '`ignore = ["concurrent-index-on-affected-version"]`.'
    )
    references = (
        "https://www.postgresql.org/docs/release/14.4/",
        "https://www.postgresql.org/docs/current/amcheck.html",
    )

    def check(self, statement: Statement, ctx: Context) -> Iterable[Finding]:
        if ctx.pg_version != _AFFECTED:
            return ()
        return self._on_affected_version(statement, ctx)

    def _on_affected_version(self, statement: Statement, ctx: Context) -> Iterator[Finding]:
        node = statement.node
        check_sql: list[str] = []
        if statement.kind == "IndexStmt":
            if not node.get("concurrent") or ctx.is_new_table(node["relation"]):
                return
            operation = "CREATE INDEX CONCURRENTLY"
            if node.get("idxname") and node.get("accessMethod", "btree") == "btree":
                index = TableName(ctx.table(node["relation"]).schema, node["idxname"])
                check_sql = [_bt_index_check(index)]
        else:
            if not reindex_is_concurrent(node):
                return
            operation = "REINDEX CONCURRENTLY"
            if node.get("kind") == "REINDEX_OBJECT_INDEX" and "relation" in node:
                index = ctx.table(node["relation"])
                table = index_table_at(ctx.schema, index, statement.index).table
                if table is not None and ctx.is_new_table(table):
                    return
                check_sql = [_bt_index_check(index)]
            elif node.get("kind") == "REINDEX_OBJECT_TABLE" and "relation" in node and ctx.is_new_table(node["relation"]):
                return
        yield ctx.finding(
            self,
            f"{operation} on PostgreSQL 14.0 to 14.3 can build an index that silently misses rows updated "
            "during the build (fixed in 14.4). pg_version is 14: unless the server runs 14.4 or later, this "
            "index may return wrong results; check SELECT version().",
            help="\n".join(
                [
                    "Make sure the server runs PostgreSQL 14.4 or later before building indexes concurrently.",
                    _CHECK_VERSION,
                    *(
                        [
                            "-- on 14.0 to 14.3, upgrade first; an index already built there can be checked with amcheck",
                            "-- (an error means rows are missing: REINDEX it after the upgrade):",
                            "CREATE EXTENSION IF NOT EXISTS amcheck;",
                            *check_sql,
                        ]
                        if check_sql
                        else ["-- on 14.0 to 14.3, upgrade first, then check the indexes built there with amcheck"]
                    ),
                ]
            ),
        )


def _bt_index_check(index: TableName) -> str:
    literal = index.sql().replace("'", "''")
    return f"SELECT bt_index_check('{literal}'::regclass, true);"
