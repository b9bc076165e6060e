from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from migralint.findings import Finding, Severity
from migralint.sql.postgres.locks import Lock
from migralint.sql.postgres.nodes import TableName, option_is_on, quote_ident, unwrap
from migralint.linter.parse import Statement
from migralint.rules.base import Rule

if TYPE_CHECKING:
    from migralint.linter.context import Context


class BanTableRewriteMaintenance(Rule):
    name = "ban-table-rewrite-maintenance"
    severity = Severity.ERROR
    lock = Lock.ACCESS_EXCLUSIVE
    nodes = ("VacuumStmt", "ClusterStmt")
    summary = "VACUUM FULL and CLUSTER rewrite the whole table while every query on it waits."
    why = (
        "VACUUM FULL and CLUSTER copy the table and rebuild all its indexes, holding an ACCESS EXCLUSIVE "
        "lock the whole time: every query on the table, reads included, waits until the copy is done, "
        "for minutes or hours on a large table. Without a table name they do this to every table of the "
        "database (CLUSTER: to every table clustered before). The pg_repack and pg_squeeze extensions "
        "rebuild a table online and hold the exclusive lock only for a moment at the end; a plain VACUUM "
        "makes dead space reusable without blocking anybody. A table created earlier in the same file is "
        "not flagged."
    )
    bad = 'VACUUM FULL "Event";'
    good = 'VACUUM (ANALYZE) "Event";'
    references = (
        "https://www.postgresql.org/docs/current/sql-vacuum.html",
        "https://www.postgresql.org/docs/current/sql-cluster.html",
        "https://reorg.github.io/pg_repack/",
        "https://github.com/cybertec-postgresql/pg_squeeze",
    )

    def check(self, statement: Statement, ctx: Context) -> Iterator[Finding]:
        node = statement.node
        if statement.kind == "VacuumStmt":
            if not node.get("is_vacuumcmd") or not option_is_on(node.get("options", []), "full"):
                return
            command = "VACUUM FULL"
            relations = [unwrap(r)[1].get("relation", {}) for r in node.get("rels", [])]
        else:
            command = "CLUSTER"
            relations = [node["relation"]] if "relation" in node else []
        tables = [TableName.from_range_var(r) for r in relations]
        existing = [table for table in tables if not ctx.is_new_table(table)]
        if tables and not existing:
            return
        yield ctx.finding(self, _message(command, existing), help=_help(command, existing, node.get("indexname")))


def _message(command: str, tables: list[TableName]) -> str:
    if not tables:
        which = "every table of the database" if command == "VACUUM FULL" else "every table clustered before"
        return (
            f"{command} without a table rewrites {which}, each under ACCESS EXCLUSIVE: every query on the "
            "table being rewritten, reads included, waits until its copy is done."
        )
    quoted = ", ".join(f'"{table}"' for table in tables)
    it = "it" if len(tables) == 1 else "each"
    return (
        f"{command} rewrites {quoted} under ACCESS EXCLUSIVE: every query on {it}, reads included, waits "
        "until the whole table and its indexes are copied."
    )


def _help(command: str, tables: list[TableName], index: str | None) -> str:
    first = (
        "Rebuild online with pg_repack or pg_squeeze, which take the exclusive lock only for a moment at "
        "the end (run outside the migration)"
    )
    if not tables and command == "VACUUM FULL":
        return f"{first}, or let a plain VACUUM make the dead space reusable.\nVACUUM (ANALYZE);"
    if not tables:
        return (
            f"{first}, naming each table.\n"
            "-- per table, with pg_squeeze: SELECT squeeze.squeeze_table('<schema>', '<table>', '<index>', NULL, NULL);"
        )
    lines = []
    for table in tables:
        clustering = _literal(index) if command == "CLUSTER" and index else "NULL"
        lines.append(
            f"SELECT squeeze.squeeze_table({_literal(table.schema)}, {_literal(table.name)}, {clustering}, NULL, NULL);"
        )
    if command == "VACUUM FULL":
        lines.append("-- or, without the extension: a plain VACUUM makes the dead space reusable and blocks nobody")
        lines.append(f"VACUUM (ANALYZE) {', '.join(t.sql() for t in tables)};")
    else:
        lines.append(
            f"-- or pg_repack from a shell: pg_repack --table={quote_ident(tables[0].name)}"
            + (f" --order-by=<the columns of {quote_ident(index)}>" if index else "")
        )
    return f"{first}; with pg_squeeze:\n" + "\n".join(lines)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
