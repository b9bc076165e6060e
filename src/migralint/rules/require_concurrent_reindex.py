from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from migralint.findings import Finding, Severity
from migralint.linter.concurrently import own_migration_note, reindex_is_concurrent
from migralint.linter.index_tables import index_table_at
from migralint.sql.postgres.locks import Lock
from migralint.sql.postgres.nodes import Node, TableName, quote_ident, string_value, unwrap
from migralint.linter.objects import ObjectName, created_earlier
from migralint.linter.parse import Statement
from migralint.rules.base import Rule

if TYPE_CHECKING:
    from migralint.linter.context import Context

_KINDS = {
    "REINDEX_OBJECT_INDEX": "INDEX",
    "REINDEX_OBJECT_TABLE": "TABLE",
    "REINDEX_OBJECT_SCHEMA": "SCHEMA",
    "REINDEX_OBJECT_DATABASE": "DATABASE",
}  # REINDEX SYSTEM has no concurrent form and touches only the catalogs: not flagged
_WAITS = (
    "INSERT, UPDATE and DELETE wait until the rebuild is done, and so do nearly all reads, since planning a "
    "query locks every index of its table"
)


class RequireConcurrentReindex(Rule):
    name = "require-concurrent-reindex"
    severity = Severity.ERROR
    lock = Lock.SHARE
    nodes = ("ReindexStmt",)
    summary = "REINDEX without CONCURRENTLY blocks writes, and in practice reads, while indexes are rebuilt."
    why = (
        "REINDEX INDEX and REINDEX TABLE take a SHARE lock on the table, so INSERT, UPDATE and DELETE wait, "
        "and an ACCESS EXCLUSIVE lock on each index being rebuilt. The planner locks every index of a "
        "table to plan any query on it, so nearly every read waits as well, for as long as the rebuild "
        "takes. REINDEX SCHEMA and REINDEX DATABASE do the same to one table after another. REINDEX ... "
        "CONCURRENTLY (PostgreSQL 12 and later) builds a new copy of each index next to the old one and "
        "lets reads and writes go on; it cannot run inside a transaction block. Before PostgreSQL 12, "
        "build a new index with CREATE INDEX CONCURRENTLY and swap it in. An index or table created "
        "earlier in the same file is not flagged."
    )
    bad = 'REINDEX INDEX "User_email_key";'
    good = 'REINDEX INDEX CONCURRENTLY "User_email_key";'
    options = "`pg_version` below 12: the help builds a replacement index instead, as REINDEX has no CONCURRENTLY there."
    references = ("https://www.postgresql.org/docs/current/sql-reindex.html#SQL-REINDEX-CONCURRENTLY",)

    def check(self, statement: Statement, ctx: Context) -> Iterator[Finding]:
        node = statement.node
        kind = _KINDS.get(node.get("kind", ""))
        if kind is None or reindex_is_concurrent(node):
            return
        what = self._locks_taken(ctx, statement, kind)
        if what is None:
            return
        target = _target_sql(node, kind)
        yield ctx.finding(
            self,
            f"REINDEX {kind}{_display(node, kind)} {what}: {_WAITS}.",
            help=_help(ctx, node, kind, target),
        )

    def _locks_taken(self, ctx: Context, statement: Statement, kind: str) -> str | None:
        node = statement.node
        if kind == "INDEX":
            index = TableName.from_range_var(node["relation"])
            found = index_table_at(ctx.schema, index, statement.index)
            if found.created_earlier or (found.table is not None and ctx.is_new_table(found.table)):
                return None
            return f"takes SHARE on {found.table_words()} and ACCESS EXCLUSIVE on the index"
        if kind == "TABLE":
            table = TableName.from_range_var(node["relation"])
            if ctx.is_new_table(table):
                return None
            return f'takes SHARE on "{table}" and ACCESS EXCLUSIVE on each of its indexes'
        if kind == "SCHEMA" and created_earlier(ctx, ObjectName("schema", TableName("", node.get("name", "")))):
            return None
        where = f'every table in schema "{node.get("name", "")}"' if kind == "SCHEMA" else "every table in the database"
        return f"takes SHARE on {where} in turn, and ACCESS EXCLUSIVE on its indexes"


def _display(node: Node, kind: str) -> str:
    if kind in ("INDEX", "TABLE"):
        return f' "{TableName.from_range_var(node["relation"])}"'
    return f' "{node["name"]}"' if node.get("name") else ""


def _target_sql(node: Node, kind: str) -> str:
    if kind in ("INDEX", "TABLE"):
        return TableName.from_range_var(node["relation"]).sql()
    return quote_ident(node["name"]) if node.get("name") else ""


def _options(node: Node) -> list[str]:
    """The statement's other options (VERBOSE, TABLESPACE), to keep in the suggested SQL."""
    options = []
    for param in node.get("params", []):
        option = unwrap(param)[1]
        name = option.get("defname", "")
        if name == "tablespace" and option.get("arg"):
            options.append(f"TABLESPACE {quote_ident(string_value(option['arg']))}")
        elif name == "verbose":
            options.append("VERBOSE")
    return options


def _help(ctx: Context, node: Node, kind: str, target: str) -> str:
    if ctx.pg_version < 12:
        first = (
            f"PostgreSQL {ctx.pg_version} has no REINDEX CONCURRENTLY (it came in 12): build a replacement "
            "with CREATE INDEX CONCURRENTLY and swap it in, one index at a time, outside a transaction."
        )
        if kind == "INDEX":
            index = TableName.from_range_var(node["relation"])
            new = TableName(index.schema, (index.name + "_new")[:63])
            return (
                f"{first}\n"
                f"-- CREATE INDEX CONCURRENTLY {quote_ident(new.name)} ON ... with the definition of {target} "
                f"(SELECT pg_get_indexdef('{target.replace(chr(39), chr(39) * 2)}'::regclass)), then:\n"
                f"DROP INDEX CONCURRENTLY {index.sql()};\n"
                f"ALTER INDEX {new.sql()} RENAME TO {quote_ident(index.name)};"
            )
        return (
            f"{first}\n"
            "-- for each index: CREATE INDEX CONCURRENTLY <name>_new ... (its pg_get_indexdef definition),\n"
            "-- DROP INDEX CONCURRENTLY <name>; ALTER INDEX <name>_new RENAME TO <name>;"
        )
    options = ", ".join(["CONCURRENTLY", *_options(node)]) if _options(node) else ""
    prefix = f"REINDEX ({options}) {kind}" if options else f"REINDEX {kind} CONCURRENTLY"
    return (
        "Rebuild with CONCURRENTLY, which lets reads and writes go on but cannot run inside a transaction.\n"
        f"{own_migration_note(ctx.runner)}\n"
        f"{prefix}{' ' + target if target else ''};"
    )
