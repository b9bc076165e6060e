from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from migralint.findings import Finding, Severity
from migralint.linter.column_sql import nullable_column_steps
from migralint.linter.constraint_sql import added_constraints, names
from migralint.linter.key_sql import primary_key_steps, sequence_column_steps
from migralint.sql.postgres.locks import Lock
from migralint.sql.postgres.nodes import (
    Node,
    TableName,
    added_columns,
    column_constraints,
    is_serial_type,
    type_name,
)
from migralint.linter.parse import Statement
from migralint.linter.table_rows import emptied_before
from migralint.linter.volatility import (
    is_null_constant,
    volatile_function_here,
)
from migralint.rules.base import Rule

if TYPE_CHECKING:
    from migralint.linter.context import Context

_LOCK = Lock.ACCESS_EXCLUSIVE


_WAIT = "every query on it, reads included, waits"


class AddingSerialPrimaryKeyField(Rule):
    name = "adding-serial-primary-key-field"
    severity = Severity.ERROR
    lock = _LOCK
    nodes = ("AlterTableStmt",)
    subcommands = ("AT_AddConstraint:CONSTR_PRIMARY", "AT_AddColumn")
    summary = (
        "ADD PRIMARY KEY without USING INDEX, or a serial or identity column added to a table, blocks every "
        "query on the table while it builds the index or rewrites the table."
    )
    why = (
        "ADD PRIMARY KEY builds a unique index and checks every row for NULL while holding ACCESS "
        "EXCLUSIVE on the table: every query on it, reads included, waits until it is done, and it fails "
        "on duplicates. A serial, bigserial or identity column added to a table that holds rows gets a "
        "value for every row, so PostgreSQL rewrites the whole table under the same lock. Instead, add a "
        "plain column, fill it in batches from a sequence, make it NOT NULL through a validated CHECK, "
        "build the unique index with CREATE UNIQUE INDEX CONCURRENTLY, and attach it with ADD PRIMARY KEY "
        "USING INDEX, which holds the lock only for a moment. Not flagged: tables created earlier in the "
        "same file, and a PRIMARY KEY column without a default (adding-required-field) or with a volatile "
        "one (adding-field-with-default)."
    )
    bad = 'ALTER TABLE "Account" ADD PRIMARY KEY ("id");'
    good = (
        'CREATE UNIQUE INDEX CONCURRENTLY "Account_pkey" ON "Account" ("id");\n'
        "-- then, in the next migration:\n"
        'ALTER TABLE "Account" ADD CONSTRAINT "Account_pkey" PRIMARY KEY USING INDEX "Account_pkey";'
    )
    references = (
        "https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-DESC-ADD-TABLE-CONSTRAINT-USING-INDEX",
        "https://www.postgresql.org/docs/current/datatype-numeric.html#DATATYPE-SERIAL",
    )

    def check(self, statement: Statement, ctx: Context) -> Iterable[Finding]:
        table = ctx.altered_existing_table(statement)
        if table is None or emptied_before(ctx, table) == "TRUNCATE":
            return ()
        return self._on_existing(statement, ctx, table)

    def _on_existing(self, statement: Statement, ctx: Context, table: TableName) -> Iterator[Finding]:
        node = statement.node
        for added in added_constraints(node, frozenset({"CONSTR_PRIMARY"})):
            if added.column is None and not added.constraint.get("indexname"):
                columns = names(added.constraint.get("keys"))
                unknown = [c for c in columns if not _known_not_null(ctx, table, c)]
                checked = " and every row is checked for NULL" if unknown else ""
                yield ctx.finding(
                    self,
                    f'ADD PRIMARY KEY builds its unique index while holding {_LOCK.sql_name} on "{table}": {_WAIT} '
                    f"until the index is built{checked}, and it fails if duplicates exist.",
                    help="\n".join(primary_key_steps(ctx, node, table, added, columns, unknown)),
                    span=ctx.subcommand_span(added.number),
                )
        for number, cmd, column_def in added_columns(node):
            message = _column_message(ctx, table, column_def)
            if message is None:
                continue
            if _fills_rows(column_def):
                steps = sequence_column_steps(ctx, node, table, cmd)
            else:  # a constant default: every row needs a value of its own
                steps = [("Add the column nullable, give every row a distinct value in batches, then make it the "
                         "primary key without long locks."), *nullable_column_steps(ctx, number, column_def)]
            yield ctx.finding(self, message, help="\n".join(steps), span=ctx.subcommand_span(number))


def _fills_rows(column_def: Node) -> bool:
    """A serial or identity column: PostgreSQL gives every existing row a value from a sequence."""
    identity = any(c.get("contype") == "CONSTR_IDENTITY" for c in column_constraints(column_def))
    return identity or is_serial_type(column_def.get("typeName", {}))


def _column_message(ctx: Context, table: TableName, column_def: Node) -> str | None:
    column = f'"{column_def.get("colname", "")}"'
    constraints = {c.get("contype"): c for c in column_constraints(column_def)}
    primary = "CONSTR_PRIMARY" in constraints
    key = ", then until its PRIMARY KEY index is built" if primary else ""
    if _fills_rows(column_def):
        kind = type_name(column_def["typeName"]) if "CONSTR_IDENTITY" not in constraints else "identity"
        return (
            f'ADD COLUMN {column} ({kind}) fills every existing row of "{table}" from a sequence: PostgreSQL rewrites '
            f"the table under {_LOCK.sql_name}, and {_WAIT} until every row is rewritten{key}."
        )
    default = constraints.get("CONSTR_DEFAULT", {}).get("raw_expr")
    if not primary or default is None or "CONSTR_GENERATED" in constraints or is_null_constant(default):
        return None  # no default: adding-required-field; generated: adding-stored-generated-column
    if ctx.pg_version < 11 or volatile_function_here(default, ctx):
        return None  # adding-field-with-default, whose help builds the key too
    return (
        f'ADD COLUMN {column} ... PRIMARY KEY gives every existing row of "{table}" the same default, so it fails '
        f"as soon as the table holds two rows, after building its unique index under {_LOCK.sql_name}."
    )


def _known_not_null(ctx: Context, table: TableName, column: str) -> bool:
    found = ctx.catalog.column(table, column)
    return found is not None and found.not_null
