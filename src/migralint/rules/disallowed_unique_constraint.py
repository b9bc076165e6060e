from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from migralint.linter.constraint_sql import (
    AddedConstraint,
    added_constraints,
    alter_table_prefix,
    column_without_constraint,
    constraint_name,
    names,
)
from migralint.linter.finding import Finding, Severity
from migralint.linter.locks import Lock
from migralint.linter.nodes import Node, TableName, quote_ident
from migralint.linter.parse import Statement
from migralint.rules.base import Rule

if TYPE_CHECKING:
    from migralint.linter.context import Context

_UNIQUE = frozenset({"CONSTR_UNIQUE", "CONSTR_PRIMARY"})


class DisallowedUniqueConstraint(Rule):
    name = "disallowed-unique-constraint"
    severity = Severity.ERROR
    lock = Lock.ACCESS_EXCLUSIVE
    nodes = ("AlterTableStmt",)
    summary = "UNIQUE or PRIMARY KEY added to a table builds its index while every query on the table waits."
    why = (
        "Adding a UNIQUE or PRIMARY KEY constraint to a table that holds rows builds a unique index "
        "while holding ACCESS EXCLUSIVE on the table: every query on it, reads included, waits "
        "until the index is built, minutes on a large table, and the statement fails if "
        "duplicates exist. Build the index with CREATE UNIQUE INDEX CONCURRENTLY in a migration of "
        "its own, which lets reads and writes go on, then attach it with ADD CONSTRAINT ... USING "
        "INDEX, which holds the lock only for a moment. A table created earlier in the same file "
        "is not flagged."
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

    def check(self, statement: Statement, ctx: Context) -> Iterator[Finding]:
        node = statement.node
        table = ctx.altered_existing_table(statement)
        if table is None:
            return
        for added in added_constraints(node, _UNIQUE):
            if added.constraint.get("indexname"):
                continue
            kind = "PRIMARY KEY" if added.contype == "CONSTR_PRIMARY" else "UNIQUE"
            yield ctx.finding(
                self,
                f'ADD {kind} builds its index while holding {Lock.ACCESS_EXCLUSIVE.sql_name} on "{table}": '
                f"{Lock.ACCESS_EXCLUSIVE.blocks} until the index is built, and it fails if duplicates exist.",
                help=_help(ctx, node, table, added, kind),
                span=ctx.subcommand_span(added.number),
            )


def _help(ctx: Context, node: Node, table: TableName, added: AddedConstraint, kind: str) -> str:
    constraint = added.constraint
    name = quote_ident(constraint_name(table, added))
    prefix = alter_table_prefix(node)
    columns = names(constraint.get("keys"))
    add_column = ""
    if added.column is not None:
        columns = [str(added.column.get("colname", ""))]
        add_column = f"{prefix} {column_without_constraint(ctx, added)};\n"
    index = f"CREATE UNIQUE INDEX CONCURRENTLY {name} ON {table.sql()} ({_column_list(columns)})"
    if constraint.get("including"):
        index += f" INCLUDE ({_column_list(names(constraint['including']))})"
    if constraint.get("nulls_not_distinct"):
        index += " NULLS NOT DISTINCT"
    attach = f"{prefix} ADD CONSTRAINT {name} {kind} USING INDEX {name}"
    if constraint.get("deferrable"):
        attach += " DEFERRABLE" + (" INITIALLY DEFERRED" if constraint.get("initdeferred") else "")
    not_null_note = (
        "-- PRIMARY KEY USING INDEX makes the columns NOT NULL, which scans the table unless they already are\n"
        if kind == "PRIMARY KEY"
        else ""
    )
    return (
        "Build the unique index concurrently in a migration of its own, then attach it, which holds "
        f"{Lock.ACCESS_EXCLUSIVE.sql_name} only for a moment.\n"
        f"{add_column}"
        "-- in a migration of its own (CONCURRENTLY cannot run inside a transaction):\n"
        f"{index};\n"
        "-- then, in the next migration:\n"
        f"{not_null_note}{attach};"
    )


def _column_list(columns: list[str]) -> str:
    return ", ".join(quote_ident(column) for column in columns)
