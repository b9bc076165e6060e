from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from migralint.findings import Finding, Severity
from migralint.linter.constraint_sql import added_constraints, attach_unique_index_help
from migralint.sql.postgres.locks import Lock
from migralint.linter.parse import Statement
from migralint.rules.base import Rule

if TYPE_CHECKING:
    from migralint.linter.context import Context
    from migralint.sql.postgres.nodes import TableName


# PRIMARY KEY builds its index the same way, but adding-serial-primary-key-field reports it
# (with the NOT NULL it needs and the serial or identity column that often comes with it).
_UNIQUE = frozenset({"CONSTR_UNIQUE"})


class DisallowedUniqueConstraint(Rule):
    name = "disallowed-unique-constraint"
    severity = Severity.ERROR
    lock = Lock.ACCESS_EXCLUSIVE
    nodes = ("AlterTableStmt",)
    subcommands = ("AT_AddConstraint:CONSTR_UNIQUE", "AT_AddColumn")
    summary = "A UNIQUE constraint added to a table builds its index while every query on the table waits."
    why = (
        "Adding a UNIQUE constraint to a table that holds rows builds a unique index "
        "while holding ACCESS EXCLUSIVE on the table: every query on it, reads included, waits "
        "until the index is built, minutes on a large table, and the statement fails if "
        "duplicates exist. Build the index with CREATE UNIQUE INDEX CONCURRENTLY in a migration of "
        "its own, which lets reads and writes go on, then attach it with ADD CONSTRAINT ... USING "
        "INDEX, which holds the lock only for a moment. A table created earlier in the same file "
        "is not flagged. PRIMARY KEY is reported by adding-serial-primary-key-field."
    )
    bad = 'ALTER TABLE "User" ADD CONSTRAINT "User_email_key" UNIQUE ("email");'
    good = (
        'CREATE UNIQUE INDEX CONCURRENTLY "User_email_key" ON "User" ("email");\n'
        "-- then, in the next migration:\n"
        'ALTER TABLE "User" ADD CONSTRAINT "User_email_key" UNIQUE USING INDEX "User_email_key";'
    )
    references = (
        "https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-DESC-ADD-TABLE-CONSTRAINT-USING-INDEX",
        "https://www.postgresql.org/docs/current/sql-createindex.html#SQL-CREATEINDEX-CONCURRENTLY",
    )

    def check(self, statement: Statement, ctx: Context) -> Iterable[Finding]:
        table = ctx.altered_existing_table(statement)
        if table is None:
            return ()
        return self._on_existing(statement, ctx, table)

    def _on_existing(self, statement: Statement, ctx: Context, table: TableName) -> Iterator[Finding]:
        node = statement.node
        for added in added_constraints(node, _UNIQUE):
            if added.constraint.get("indexname"):
                continue
            yield ctx.finding(
                self,
                f'ADD UNIQUE builds its index while holding {Lock.ACCESS_EXCLUSIVE.sql_name} on "{table}": '
                f"{Lock.ACCESS_EXCLUSIVE.blocks} until the index is built, and it fails if duplicates exist.",
                help=attach_unique_index_help(ctx, node, table, added, "UNIQUE"),
                span=ctx.subcommand_span(added.number),
            )

