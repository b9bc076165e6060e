from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from migralint.linter import lazy_parser as pg_parser
from migralint.findings import Finding, Severity
from migralint.linter.concurrently import concurrent_step_note
from migralint.linter.constraint_names import default_constraint_name
from migralint.sql.postgres.nodes import Node, TableName, quote_ident
from migralint.linter.parse import Statement
from migralint.rules.base import Rule

if TYPE_CHECKING:
    from migralint.linter.catalog import Catalog
    from migralint.linter.context import Context

_MAX_DEPTH = 3  # sub-partitions of sub-partitions: deeper trees are rare, and the help would be long


class ConcurrentlyOnPartitionedTable(Rule):
    name = "concurrently-on-partitioned-table"
    severity = Severity.ERROR
    nodes = ("IndexStmt",)
    summary = "CREATE INDEX CONCURRENTLY on a partitioned table fails: PostgreSQL does not support it."
    why = (
        "PostgreSQL cannot build an index concurrently on a partitioned table: it refuses with "
        "\"cannot create index on partitioned table concurrently\" and the migration fails. A plain "
        "CREATE INDEX on the parent builds the index on every partition while holding SHARE on each, "
        "which blocks writes to all of them. The way that blocks nobody: create the index on the parent "
        "alone with CREATE INDEX ... ON ONLY (instant, and invalid until complete), build the index "
        "concurrently on each partition, and attach each one with ALTER INDEX ... ATTACH PARTITION; the "
        "parent's index becomes valid once every partition has one attached. A table is known to be "
        "partitioned when a migration so far created it with PARTITION BY."
    )
    bad = (
        'CREATE TABLE "Event" ("id" BIGINT NOT NULL, "at" TIMESTAMPTZ NOT NULL) PARTITION BY RANGE ("at");\n'
        'CREATE INDEX CONCURRENTLY "Event_at_idx" ON "Event" ("at");'
    )
    good = (
        'CREATE TABLE "Event" ("id" BIGINT NOT NULL, "at" TIMESTAMPTZ NOT NULL) PARTITION BY RANGE ("at");\n'
        'CREATE INDEX "Event_at_idx" ON ONLY "Event" ("at");'
    )
    references = (
        "https://www.postgresql.org/docs/current/sql-createindex.html#SQL-CREATEINDEX-CONCURRENTLY",
        "https://www.postgresql.org/docs/current/ddl-partitioning.html#DDL-PARTITIONING-DECLARATIVE-MAINTENANCE",
    )

    def check(self, statement: Statement, ctx: Context) -> Iterable[Finding]:
        node = statement.node
        if not node.get("concurrent"):
            return ()
        parent = ctx.table(node["relation"])
        known = ctx.catalog.table(parent)
        if known is None or not known.partitioned:
            return ()
        return (ctx.finding(
            self,
            f'CREATE INDEX CONCURRENTLY on "{parent}" fails: it is a partitioned table, and PostgreSQL cannot '
            "build an index concurrently on one.",
            help="\n".join(
                [
                    ("Create the index on the parent alone with ON ONLY, build it concurrently on each partition, "
                    "then attach each partition's index to it."),
                    *_steps(ctx, statement, parent),
                ]
            ),
        ),)


def _steps(ctx: Context, statement: Statement, parent: TableName) -> list[str]:
    node = statement.node
    tail = _after_relation(ctx, statement)
    columns = [str(p["IndexElem"].get("name") or "expr") for p in node.get("indexParams", ()) if "IndexElem" in p]
    unique = "UNIQUE " if node.get("unique") else ""
    if_not_exists = "IF NOT EXISTS " if node.get("if_not_exists") else ""
    index = TableName(parent.schema, node.get("idxname") or default_constraint_name(parent, columns, "idx"))
    lines = [f"CREATE {unique}INDEX {if_not_exists}{quote_ident(index.name)} ON ONLY {parent.sql()} {tail};"]
    partitions = _partitions(ctx.catalog, parent)
    if not partitions:
        placeholder = TableName(parent.schema, f"{parent.name}_partition")
        lines.append(
            f'-- the migrations so far create no partition of "{parent}": repeat for each one ({placeholder.sql()} '
            "stands for it)"
        )
        partitions = [(placeholder, False)]
    for partition, partitioned in partitions:
        own = TableName(partition.schema, default_constraint_name(partition, columns, "idx"))
        if partitioned:
            lines.append(f"CREATE {unique}INDEX {if_not_exists}{quote_ident(own.name)} ON ONLY {partition.sql()} {tail};")
        else:
            lines.append(concurrent_step_note(ctx.runner))
            lines.append(f"CREATE {unique}INDEX CONCURRENTLY {if_not_exists}{quote_ident(own.name)} ON {partition.sql()} {tail};")
            lines.append("-- then, in the next migration:")
        attach_to = _index_of_parent(ctx.catalog, partition, index, columns)
        lines.append(f"ALTER INDEX {attach_to.sql()} ATTACH PARTITION {own.sql()};")
    return lines


def _partitions(catalog: Catalog, parent: TableName, depth: int = 1) -> list[tuple[TableName, bool]]:
    """The partitions of `parent` the catalog knows, depth first: (name, itself partitioned)."""
    found: list[tuple[TableName, bool]] = []
    for table in sorted(catalog.tables.values(), key=lambda t: t.name):
        if table.partition_of == parent:
            found.append((table.name, table.partitioned))
            if table.partitioned and depth < _MAX_DEPTH:
                found.extend(_partitions(catalog, table.name, depth + 1))
    return found


def _index_of_parent(catalog: Catalog, partition: TableName, top: TableName, columns: list[str]) -> TableName:
    """The index a partition's index attaches to: the top one, or its sub-partitioned parent's."""
    known = catalog.table(partition)
    parent = known.partition_of if known is not None else None
    parent_table = catalog.table(parent) if parent is not None else None
    if parent is None or parent_table is None or parent_table.partition_of is None:
        return top
    return TableName(parent.schema, default_constraint_name(parent, columns, "idx"))


def _after_relation(ctx: Context, statement: Statement) -> str:
    """The statement's text after its table name: `USING btree ("at") WHERE ...`."""
    relation: Node = statement.node["relation"]
    start = ctx.node_offset(relation.get("location"))
    text = ctx.parsed.text[start : statement.end]
    try:
        tokens = [t for t in pg_parser.scan(text) if t.name not in ("SQL_COMMENT", "C_COMMENT")]
    except pg_parser.ParseError:
        return ""
    at = 0
    while at + 2 < len(tokens) and tokens[at + 1].name == "ASCII_46":  # schema "." name
        at += 2
    return text[tokens[at].end + 1 :].strip() if tokens else ""
