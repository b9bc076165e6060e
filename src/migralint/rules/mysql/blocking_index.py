from __future__ import annotations

from collections.abc import Iterator

from migralint.findings import Finding, Severity
from migralint.linter.model_context import ModelContext
from migralint.rules.base import Rule
from migralint.rules.mysql.common import GH_OST, MYSQL, ONLINE_DDL, existing_table_clauses, online_tool_help
from migralint.sql import ir


class MySqlBlockingIndex(Rule):
    name = "mysql-blocking-index"
    severity = Severity.ERROR
    dialects = MYSQL
    kinds = (ir.Kind.ALTER_TABLE, ir.Kind.CREATE_INDEX)
    summary = "A FULLTEXT or SPATIAL index built on an existing table blocks writes to it until the build ends."
    why = (
        "MySQL builds an ordinary secondary index in place while writes go on, but not a FULLTEXT or "
        "SPATIAL one: the online DDL table says \"Permits Concurrent DML: No\" for both, so every INSERT, "
        "UPDATE and DELETE on the table waits for the whole build. The first FULLTEXT index of a table also "
        "rebuilds the table, to add its hidden FTS_DOC_ID column. Tables created in the same migration, "
        "or by one not applied yet, are not flagged."
    )
    bad = "CREATE FULLTEXT INDEX `Post_body_idx` ON `Post` (`body`);"
    good = "CREATE TABLE `Post` (`id` INT PRIMARY KEY, `body` TEXT);\nCREATE FULLTEXT INDEX `Post_body_idx` ON `Post` (`body`);"
    references = (ONLINE_DDL, GH_OST)

    def check_statement(self, statement: ir.Statement, ctx: ModelContext) -> Iterator[Finding]:
        found = existing_table_clauses(statement, ctx)
        if found is None:
            return
        table, changes = found
        shown = ctx.sql.table(table)
        for change in changes:
            if change.clause.cost.kind != "blocking-index":
                continue
            yield ctx.finding(
                self,
                f"This {change.clause.cost.what.replace('adds the ', '')} on {shown} is built with writes blocked: "
                f"every INSERT, UPDATE and DELETE on {shown} waits until it is built"
                + (", and the first FULLTEXT index rebuilds the table." if "FULLTEXT" in change.clause.cost.what
                   else ".")
               ,
                span=change.span,
                table=table,
                help=online_tool_help(statement, ctx, "Build the index with an online schema change tool (it builds "
                                      "it on a copy while writes go on), or in a maintenance window; then record the "
                                      "migration as applied."),
            )


