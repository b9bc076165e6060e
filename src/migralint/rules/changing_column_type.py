from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from migralint.findings import Finding, Severity
from migralint.linter.column_sql import after_keyword, batch_update, until_keyword
from migralint.linter.constraint_sql import alter_table_prefix, clause_end
from migralint.linter.constraint_names import object_name
from migralint.sql.postgres.locks import Lock
from migralint.sql.postgres.nodes import (
    Node,
    TableName,
    alter_table_commands,
    quote_ident,
    subcommands,
    unwrap,
)
from migralint.linter.parse import Statement
from migralint.linter.session_settings import setting_changes
from migralint.linter.table_rows import emptied_before
from migralint.linter.type_changes import (
    TypeChange,
    is_plain_using,
    rewrite_free_sources,
    type_change,
)
from migralint.linter.suppressions import ignore_comment
from migralint.rules.base import Example, Rule
from migralint.sql import ir
from migralint.sql.dialect import Dialect

if TYPE_CHECKING:
    from migralint.linter.context import Context
    from migralint.linter.model_context import ModelContext

_LOCK = Lock.ACCESS_EXCLUSIVE


class ChangingColumnType(Rule):
    name = "changing-column-type"
    severity = Severity.ERROR
    lock = _LOCK
    nodes = ("AlterTableStmt",)
    subcommands = ("AT_AlterColumnType",)
    kinds = (ir.Kind.ALTER_TABLE,)  # MySQL's MODIFY / CHANGE, read from the model (check_statement)
    summary = (
        "ALTER COLUMN TYPE rewrites the table and rebuilds its indexes under ACCESS EXCLUSIVE; on MySQL, a "
        "MODIFY that changes a column's type copies the table with writes blocked."
    )
    why = (
        "Most column type changes make PostgreSQL rewrite every row of the table and rebuild all "
        "its indexes while holding ACCESS EXCLUSIVE: every query on the table, reads included, "
        "waits until it is done, minutes on a large table. A few changes need no rewrite: raising "
        "or removing a varchar or varbit length limit, varchar to text, numeric(p, s) to a larger "
        "precision with the same scale, a larger timestamp or time precision, cidr to inet. They "
        "are not flagged when the column's old type is known from earlier in the same file. Nor "
        "are tables created earlier in the file. Change a type on a large table by expanding and "
        "contracting: a new column, a batched backfill, then dropping the old one."
        " timestamp to timestamptz (PostgreSQL 12+) keeps the stored values when the session TimeZone"
        " is UTC: after a SET timezone = 'UTC' in the migration only the column's indexes are rebuilt,"
        " and without one the change is a warning that says so."
        " On MySQL and MariaDB a MODIFY or CHANGE that changes the type of a column the replayed history knows"
        " runs with ALGORITHM=COPY: every row is copied into a new table while INSERT, UPDATE and DELETE wait"
        " (MySQL 8.4 manual, Online DDL Operations, \"Changing the column data type\"). The one change made in"
        " place is growing a VARCHAR while its length prefix stays 1 byte (up to 255 bytes: VARCHAR(63) in"
        " utf8mb4, VARCHAR(255) in latin1) or stays 2 (MySQL 5.7+, MariaDB 10.2.2+: the mysql_version and"
        " mariadb_version settings); the character set is the one the MODIFY names, or a CONVERT TO"
        " CHARACTER SET earlier in the file, utf8mb4 otherwise (the cautious 4 bytes a character)."
        " ENUM and SET member changes, CONVERT TO CHARACTER SET and the other copies are mysql-table-copy's,"
        " a MODIFY that changes only NULL / NOT NULL is mysql-table-rebuild's, an ALGORITHM=COPY written out"
        " is mysql-table-copy's one finding for the statement;"
        " a column whose earlier type the history does not have is not flagged (the MODIFY may restate it)."
    )
    bad = 'ALTER TABLE "Order" ALTER COLUMN "amount" SET DATA TYPE BIGINT;'
    good = (
        "-- Expand: a column of the new type, backfilled in batches, then the old one dropped later.\n"
        'ALTER TABLE "Order" ADD COLUMN "amount_new" BIGINT;\n'
        "-- Rewrite-free, and known to be (the old type is in this file): a larger varchar limit.\n"
        'ALTER TABLE "Order" ADD COLUMN "note" VARCHAR(100);\n'
        'ALTER TABLE "Order" ALTER COLUMN "note" SET DATA TYPE VARCHAR(500);'
    )
    references = (
        "https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-NOTES",
        "https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-DESC-SET-DATA-TYPE",
        "https://dev.mysql.com/doc/refman/8.4/en/innodb-online-ddl-operations.html#online-ddl-column-operations",
        "https://mariadb.com/kb/en/innodb-online-ddl-operations-with-the-inplace-alter-algorithm/",
    )
    dialects = frozenset({Dialect.POSTGRESQL, Dialect.MYSQL})
    dialect_examples = {
        Dialect.MYSQL: Example(
            bad="ALTER TABLE `Order` MODIFY `amount` INT NOT NULL;\n"
                "ALTER TABLE `Order` MODIFY `amount` BIGINT NOT NULL;",
            good="ALTER TABLE `Order` MODIFY `note` VARCHAR(20) NULL;\n"
                 "-- 20 to 60 utf8mb4 characters: the length prefix stays 1 byte, MySQL changes it in place\n"
                 "ALTER TABLE `Order` MODIFY `note` VARCHAR(60) NULL;",
        ),
    }

    def check_statement(self, statement: ir.Statement, ctx: ModelContext) -> Iterator[Finding]:
        if ctx.dialect is Dialect.MYSQL:  # PostgreSQL's verdicts read libpg_query's tree (check)
            from migralint.rules.mysql.column_type import column_type_findings  # here: only this dialect's lint imports it
            yield from column_type_findings(self, statement, ctx)

    def check(self, statement: Statement, ctx: Context) -> Iterator[Finding]:
        node = statement.node
        table = ctx.altered_existing_table(statement)
        if table is None:
            return
        for number, cmd in subcommands(node, "AT_AlterColumnType"):
            if not cmd.get("def"):
                continue
            column = str(cmd.get("name", ""))
            column_def = unwrap(cmd["def"])[1]
            new = column_def.get("typeName", {})
            plain = is_plain_using(column_def.get("raw_default"), column, new)
            known = ctx.catalog.column(table, column)
            old = known.type_name if known is not None else None
            note = ""
            if old is not None:
                change = type_change(old, new, utc_session=_utc_session(ctx), pg_version=ctx.pg_version)
                if change.rewrite_free and plain and "collClause" not in column_def:
                    if change.rebuilds_indexes:
                        yield from self._index_rebuilds(ctx, number, table, column, change)
                    continue
                if change.utc_only and plain and "collClause" not in column_def:
                    yield self._utc_note(ctx, number, table, column)
                    continue
                if not plain:  # whatever the types, an expression is computed for every row
                    note = "a USING expression other than the column itself rewrites every row"
                elif not change.rewrite_free:
                    note = change.reason
                else:
                    note = f'a new COLLATE rebuilds the indexes on "{column}"'
            elif plain and (sources := rewrite_free_sources(new)):
                note = f"unless the old type is {sources}, which PostgreSQL changes in place"
            if emptied_before(ctx, table) == "TRUNCATE":
                return  # truncated earlier in the file: nothing to rewrite
            message = (
                f'ALTER COLUMN TYPE takes {_LOCK.sql_name} on "{table}" and rewrites it (and rebuilds its '
                f"indexes): {_LOCK.blocks}"
            )
            yield ctx.finding(
                self,
                message + (f" ({note})." if note else "."),
                help=_help(ctx, number, node, table, column, column_def),
                span=ctx.subcommand_span(number),
            )

    def _utc_note(self, ctx: Context, number: int, table: TableName, column: str) -> Finding:
        """timestamp to timestamptz keeps the stored values only when the session is in UTC."""
        statement = ctx.parsed.text[ctx.statement.start : ctx.statement.end]
        return ctx.finding(
            self,
            f'ALTER COLUMN TYPE timestamptz on "{table}"."{column}" keeps the stored values (no rewrite) only '
            f"when the session TimeZone is UTC; in any other time zone it rewrites \"{table}\" under "
            f"{_LOCK.sql_name}. The column's indexes are rebuilt either way.",
            help=f"Set the session time zone to UTC in the same migration, before the change:\nSET timezone = 'UTC';\n{statement};",
            span=ctx.subcommand_span(number),
            severity=Severity.WARNING,
        )

    def _index_rebuilds(
        self, ctx: Context, number: int, table: TableName, column: str, change: TypeChange
    ) -> Iterator[Finding]:
        """A change that keeps the stored values still rebuilds the column's indexes."""
        indexes = [index.name.name for index in ctx.catalog.indexes_of(table) if column in index.columns]
        if not indexes or emptied_before(ctx, table) == "TRUNCATE":
            return
        names = ", ".join(f'"{name}"' for name in indexes)
        yield ctx.finding(
            self,
            f'ALTER COLUMN TYPE takes {_LOCK.sql_name} on "{table}" and rebuilds {names} ({change.reason}, '
            f"so the table is not rewritten): {_LOCK.blocks} until the indexes are built again.",
            help=_help(ctx, number, ctx.statement.node, table, column, _column_def(ctx, number)),
            span=ctx.subcommand_span(number),
        )


def _column_def(ctx: Context, number: int) -> Node:
    return unwrap(alter_table_commands(ctx.statement.node)[number]["def"])[1]


def _utc_session(ctx: Context) -> bool:
    """Whether the file set the session TimeZone to UTC before the current statement."""
    value: str | None = None
    for statement in ctx.earlier:
        for change in setting_changes(statement, "timezone"):
            value = change.value
    return value is not None and value.strip().upper() in ("UTC", "ETC/UTC", "Z", "+00", "UTC0", "GMT")


def _help(ctx: Context, number: int, node: Node, table: TableName, column: str, column_def: Node) -> str:
    text = ctx.parsed.text
    start = ctx.node_offset(column_def.get("typeName", {}).get("location"))
    limit = ctx.subcommand_span(number)[1]
    clause = text[start : clause_end(text, start, limit if limit > start else ctx.statement.end)]
    new_type = until_keyword(clause, ("USING",))
    new_name = object_name(column, "", "new")
    old_col, new_col = quote_ident(column), quote_ident(new_name)
    value = after_keyword(clause, "USING") if "raw_default" in column_def else None
    prefix = alter_table_prefix(node)
    return "\n".join(
        [
            "Expand and contract: add a column of the new type, backfill it in batches, switch the code "
            "to it, then drop the old column:",
            f"{prefix} ADD COLUMN {new_col} {new_type};",
            f"-- keep {new_col} in step with {old_col} (in the code or with a trigger) and backfill in "
            "batches, each in a transaction of its own (repeat until it updates no row):",
            batch_update(table, new_name, value or old_col, f" AND {old_col} IS NOT NULL"),
            f"-- once the code reads and writes only {new_col}, in a later migration:",
            ignore_comment("ban-drop-column", f"no deployed code uses {old_col} any more"),
            f"{prefix} DROP COLUMN {old_col};",
        ]
    )
