from __future__ import annotations

from collections.abc import Iterator

from migralint.findings import Finding, Severity
from migralint.linter.model_context import ModelContext
from migralint.rules.base import Rule
from migralint.rules.mysql.common import (
    MARIADB_ONLINE_DDL,
    MYSQL,
    ONLINE_DDL,
    MySqlContext,
    existing_table_clauses,
    modifies,
    online_tool_help,
    with_online_assertion,
)
from migralint.sql import ir


class MySqlTableRebuild(Rule):
    name = "mysql-table-rebuild"
    severity = Severity.WARNING
    dialects = MYSQL
    kinds = (ir.Kind.ALTER_TABLE, ir.Kind.OTHER)
    summary = "An ALTER that rebuilds an existing table in place: writes go on, but every row is rewritten."
    why = (
        "Some changes InnoDB makes in place still rebuild the table: making a column NULL or NOT NULL, "
        "moving a column (FIRST / AFTER), ADD PRIMARY KEY, FORCE, ROW_FORMAT=, ENGINE=InnoDB on an InnoDB "
        "table, OPTIMIZE TABLE, and (before MySQL 8.0.29 or MariaDB 10.4) adding a column elsewhere than at "
        "the end or dropping one. Writes go on, but the rebuild reads and writes the whole table, takes an "
        "exclusive metadata lock at its start and end, and replicas apply it as one long statement. Adding "
        "an AUTO_INCREMENT column is worse: a rebuild during which writes are blocked, so that finding is an "
        "error. What NOT NULL does to rows that hold NULL is `adding-not-nullable-field`'s finding. "
        "The `mysql_version` and `mariadb_version` settings say which server the migrations run on."
    )
    bad = (
        "ALTER TABLE `User` MODIFY `email` VARCHAR(191) NULL;\n"
        "ALTER TABLE `User` MODIFY `email` VARCHAR(191) NOT NULL;"
    )
    good = "ALTER TABLE `User` ADD COLUMN `nickname` VARCHAR(191) NULL;"
    options = (
        "`mysql_version` (default \"8.4\") and `mariadb_version` (set it when the server is MariaDB): adding a "
        "column is instant from MySQL 8.0.12 (at the end) and 8.0.29 (anywhere), MariaDB 10.3.2 and 10.4; "
        "dropping one from MySQL 8.0.29 and MariaDB 10.4."
    )
    references = (ONLINE_DDL, MARIADB_ONLINE_DDL, "https://atlasgo.io/lint/analyzers#MY141")

    def check_statement(self, statement: ir.Statement, ctx: ModelContext) -> Iterator[Finding]:
        mysql_ctx: MySqlContext = ctx
        found = existing_table_clauses(statement, mysql_ctx)
        if found is None:
            return
        table, changes = found
        shown = ctx.sql.table(table)
        for change in changes:
            cost = change.clause.cost
            what, severity = "", None
            if cost.kind == "auto-increment":
                what, severity = f"{cost.what}: MySQL rebuilds {shown} with writes blocked until it is done", Severity.ERROR
            elif cost.kind == "rebuild":
                what = f"{cost.what}: MySQL rewrites every row of {shown} (writes go on meanwhile)"
            else:
                for modify in modifies(change.clause, table, mysql_ctx):
                    if modify.verdict == "nullability":
                        to = "NOT NULL" if modify.not_null else "nullable"
                        what = (f"makes {ctx.sql.quote(modify.column)} {to}, which MySQL does by rebuilding {shown} "
                                "in place (writes go on meanwhile)")
            if what:
                yield ctx.finding(
                    self,
                    f"This ALTER {what}.",
                    span=change.span,
                    table=table,
                    severity=severity,
                    help=_help(statement, ctx, severity is None),
                )


def _help(statement: ir.Statement, ctx: ModelContext, writes_go_on: bool) -> str:
    if not writes_go_on:
        return online_tool_help(statement, ctx, "Add the column with an online schema change tool, which copies "
                                "the table in small throttled chunks while writes go on; then record the "
                                "migration as applied.")
    return (
        "Run it off-peak, asserting that it stays in place: with ALGORITHM=INPLACE, LOCK=NONE MySQL refuses "
        "to run it rather than block writes. For NOT NULL, first update the rows that hold NULL in batches. "
        "On a large table, an online schema change tool (gh-ost, pt-online-schema-change) throttles the "
        "rebuild instead.\n"
        + with_online_assertion(statement)
    )
