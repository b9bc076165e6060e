from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from migralint.findings import Finding, Severity
from migralint.rules.base import Rule
from migralint.rules.mysql.common import (
    GH_OST,
    MYSQL,
    ONLINE_DDL,
    PT_OSC,
    MySqlContext,
    asks_for_copy,
    existing_table_clauses,
    members,
    modifies,
    online_tool_help,
)
from migralint.sql import ir

if TYPE_CHECKING:
    from migralint.linter.model_context import ModelContext


class MySqlTableCopy(Rule):
    name = "mysql-table-copy"
    severity = Severity.ERROR
    dialects = MYSQL
    kinds = (ir.Kind.ALTER_TABLE,)
    summary = "An ALTER TABLE that MySQL can only run by copying the table, with writes blocked until the copy ends."
    why = (
        "InnoDB runs most ALTERs in place, but some changes only with ALGORITHM=COPY: it builds a new "
        "table, copies every row into it and swaps the two, holding a lock that blocks INSERT, UPDATE and "
        "DELETE on the table the whole time (reads go on). On a large table that is minutes to hours of "
        "failed or queued writes, twice the table's size on disk, and replicas that fall behind by as long. "
        "The COPY-only changes this rule flags: ENUM or SET members removed, reordered or inserted before "
        "the end (appending is instant while the storage size stays: up to 255 ENUM members, 8/16/24/32/64 "
        "SET members), CONVERT TO CHARACTER SET, a STORED generated column added, DROP PRIMARY KEY without "
        "ADD PRIMARY KEY, a change of storage engine, and ALGORITHM=COPY written out (one finding for the "
        "statement, whatever its clauses). Other column type changes (a MODIFY or CHANGE to another type, a "
        "VARCHAR grown past its length prefix) are changing-column-type's, and ADD FOREIGN KEY with "
        "foreign_key_checks on is adding-foreign-key-constraint's: each change is reported by one rule. Tables created in the same migration, or by one not applied "
        "yet, are not flagged."
    )
    bad = (
        "ALTER TABLE `Order` MODIFY `status` ENUM('new', 'paid', 'shipped') NOT NULL;\n"
        "ALTER TABLE `Order` MODIFY `status` ENUM('new', 'shipped') NOT NULL;"
    )
    good = (
        "ALTER TABLE `Order` MODIFY `status` ENUM('new', 'paid', 'shipped') NOT NULL;\n"
        "ALTER TABLE `Order` MODIFY `status` ENUM('new', 'paid', 'shipped', 'returned') NOT NULL, "
        "ALGORITHM=INSTANT;"
    )
    example_language = "sql"
    references = (
        ONLINE_DDL,
        "https://atlasgo.io/lint/analyzers#MY110",
        GH_OST,
        PT_OSC,
    )

    def check_statement(self, statement: ir.Statement, ctx: ModelContext) -> Iterator[Finding]:
        mysql_ctx: MySqlContext = ctx
        found = existing_table_clauses(statement, mysql_ctx)
        if found is None:
            return
        table, changes = found
        shown = ctx.sql.table(table)
        if asks_for_copy(statement):
            yield ctx.finding(
                self,
                f"This ALTER is written with ALGORITHM=COPY: MySQL copies every row of {shown} while writes to it "
                "(INSERT, UPDATE, DELETE) wait.",
                table=table,
                help=online_tool_help(statement, ctx),
            )
            return  # the statement's own ALGORITHM=COPY: one finding, whatever its clauses
        for change in changes:
            what = ""
            if change.clause.cost.kind == "copy":
                what = change.clause.cost.what
            else:
                for modify in modifies(change.clause, table, mysql_ctx):
                    if modify.verdict == "enum-copy" and modify.old is not None:
                        kind, _ = members(modify.old.type) or ("enum", [])
                        what = (f"changes the {kind.upper()} column {ctx.sql.quote(modify.column)} other than by "
                                "appending members (or past a storage-size boundary)")
            if not what:
                continue
            advice = online_tool_help(statement, ctx)
            if change.clause.cost.what.startswith("drops the primary key"):
                advice = (
                    "Drop and add the primary key in one ALTER TABLE: MySQL then rebuilds the table in place while "
                    "writes go on (ALGORITHM=INPLACE, LOCK=NONE makes it refuse rather than copy).\n"
                    f"-- ALTER TABLE {shown} DROP PRIMARY KEY, ADD PRIMARY KEY (<the new key's columns>), "
                    "ALGORITHM=INPLACE, LOCK=NONE;"
                )
            yield ctx.finding(
                self,
                f"This ALTER {what}: MySQL runs it with ALGORITHM=COPY, copying every row of {shown} while "
                f"writes to it (INSERT, UPDATE, DELETE) wait.",
                span=change.span,
                table=table,
                help=advice,
            )
