from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from migralint.findings import Finding, Severity
from migralint.linter.backfill import batched, key_owner, settles, statement_parts
from migralint.sql.postgres.nodes import unwrap
from migralint.linter.parse import Statement
from migralint.rules.base import Example, Rule
from migralint.rules.mysql.backfill import backfill_findings
from migralint.sql import ir
from migralint.sql.dialect import Dialect

if TYPE_CHECKING:
    from migralint.linter.context import Context
    from migralint.linter.model_context import ModelContext


class UnbatchedBackfill(Rule):
    name = "unbatched-backfill"
    severity = Severity.WARNING
    nodes = ("UpdateStmt", "DeleteStmt")
    kinds = (ir.Kind.UPDATE, ir.Kind.DELETE)  # MySQL's, read from the model (check_statement)
    summary = "An UPDATE or DELETE without WHERE rewrites every row of an existing table in one transaction."
    why = (
        "An UPDATE or DELETE with no WHERE clause touches every row of the table in one statement. "
        "It holds a row lock on each of them until the migration commits, so any other write to "
        "those rows waits, for minutes on a large table; it leaves a dead copy of every row behind, "
        "bloating the table and its indexes until VACUUM catches up; and it generates WAL for the "
        "whole table at once, which replicas must replay. Done in batches of a thousand rows, each "
        "committed on its own, the same change locks few rows at a time. Tables created earlier in "
        "the same migration are not flagged: they hold no rows yet."
        " On MySQL and MariaDB the same statement (no WHERE, no LIMIT) holds an InnoDB row lock on every row"
        " until it commits, keeps an undo record of each, and reaches replicas as one transaction that they"
        " apply after the source has committed it, so they fall behind by as long as it ran (MySQL 8.4 manual,"
        " \"Locks Set by Different SQL Statements in InnoDB\", \"Undo Logs\"). The help batches it with"
        " LIMIT, which single-table UPDATE and DELETE take, and a WHERE that leaves out the rows already"
        " changed."
    )
    bad = 'UPDATE "User" SET "role" = \'MEMBER\';'
    good = (
        'UPDATE "User" SET "role" = \'MEMBER\' WHERE "id" IN '
        '(SELECT "id" FROM "User" WHERE "role" IS DISTINCT FROM \'MEMBER\' LIMIT 1000);'
    )
    references = (
        "https://www.postgresql.org/docs/current/routine-vacuuming.html",
        "https://dev.mysql.com/doc/refman/8.4/en/innodb-locks-set.html",
        "https://dev.mysql.com/doc/refman/8.4/en/innodb-undo-logs.html",
        "https://dev.mysql.com/doc/refman/8.4/en/update.html",
    )
    dialects = frozenset({Dialect.POSTGRESQL, Dialect.MYSQL})
    dialect_examples = {
        Dialect.MYSQL: Example(
            bad="UPDATE `User` SET `role` = 'MEMBER';",
            good="-- repeated, each batch committed on its own, until it changes no rows:\n"
                 "UPDATE `User` SET `role` = 'MEMBER' WHERE NOT (`role` <=> 'MEMBER') LIMIT 1000;",
        ),
    }

    def check_statement(self, statement: ir.Statement, ctx: ModelContext) -> Iterator[Finding]:
        if ctx.dialect is Dialect.MYSQL:  # PostgreSQL's verdicts read libpg_query's tree (check)
            yield from backfill_findings(self, statement, ctx)

    def check(self, statement: Statement, ctx: Context) -> Iterator[Finding]:
        node = statement.node
        relation = node.get("relation")
        if node.get("whereClause") or not relation or ctx.is_new_table(relation):
            return
        table = ctx.table(relation)
        updating = statement.kind == "UpdateStmt"
        what, dead = ("rewrites", "the old version of every row") if updating else ("deletes", "every deleted row")
        yield ctx.finding(
            self,
            f'{"UPDATE" if updating else "DELETE"} without WHERE {what} every row of "{table}" in one '
            "statement: it holds a row lock on each of them until its transaction commits, so other writes "
            f"to them wait, and it leaves {dead} behind as dead space, bloating the table.",
            help=self._help(ctx, statement, table.sql()),
        )

    def _help(self, ctx: Context, statement: Statement, table_sql: str) -> str:
        first = (
            "Change the rows in batches, each committed on its own, outside the migration's transaction "
            "(from a script or a job once the migration is deployed):"
        )
        text = ctx.parsed.text[statement.start : statement.end]
        parts = statement_parts(text, statement.kind)
        if parts is None:
            return f'{first}\n-- add WHERE "id" IN (SELECT "id" FROM {table_sql} ... LIMIT 1000) and repeat'
        targets = [unwrap(t)[1] for t in statement.node.get("targetList", [])]
        lines = [
            first,
            f'-- "id" stands for the primary key of {table_sql}: use yours if it is named otherwise',
            *batched(parts, key_owner(statement.node["relation"]), settles(targets)),
        ]
        return "\n".join(lines)
