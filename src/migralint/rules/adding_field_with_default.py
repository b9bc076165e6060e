from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from migralint.linter.column_sql import (
    after_keyword,
    column_def_span,
    constraint_text,
    nullable_column_steps,
)
from migralint.findings import Finding, Severity
from migralint.sql.postgres.locks import Lock
from migralint.sql.postgres.nodes import (
    added_columns,
    column_constraints,
    is_serial_type,
)
from migralint.linter.parse import Statement
from migralint.linter.table_rows import emptied_before
from migralint.linter.volatility import (
    KNOWN_VOLATILE,
    is_null_constant,
    volatile_function_here,
)
from migralint.rules.base import Rule

if TYPE_CHECKING:
    from migralint.linter.context import Context
    from migralint.sql.postgres.nodes import TableName

_LOCK = Lock.ACCESS_EXCLUSIVE
# Serial, identity and generated columns rewrite the table too, but are other rules' business.
_OTHER_RULES = frozenset({"CONSTR_IDENTITY", "CONSTR_GENERATED"})


class AddingFieldWithDefault(Rule):
    name = "adding-field-with-default"
    severity = Severity.ERROR
    lock = _LOCK
    nodes = ("AlterTableStmt",)
    subcommands = ("AT_AddColumn",)
    summary = "ADD COLUMN with a volatile DEFAULT (any DEFAULT before PostgreSQL 11) rewrites the whole table under ACCESS EXCLUSIVE."
    why = (
        "Since PostgreSQL 11, ADD COLUMN with a DEFAULT that is a constant or a stable expression "
        "such as now() is instant: the value is computed once and kept in the catalog. A volatile "
        "default (gen_random_uuid(), random(), clock_timestamp(), nextval(...), or any function "
        "not known to be stable or immutable) must be computed for each row, so PostgreSQL "
        "rewrites the table and its indexes while holding ACCESS EXCLUSIVE: every query on it, "
        "reads included, waits until every row is rewritten. Before PostgreSQL 11 any non-NULL "
        "default does this. Not flagged: tables created earlier in the same file, and serial, "
        "identity and generated columns (other rules)."
    )
    bad = 'ALTER TABLE "User" ADD COLUMN "publicId" UUID NOT NULL DEFAULT gen_random_uuid();'
    good = (
        'ALTER TABLE "User" ADD COLUMN "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;\n'
        'ALTER TABLE "User" ADD COLUMN "publicId" UUID;\n'
        'ALTER TABLE "User" ALTER COLUMN "publicId" SET DEFAULT gen_random_uuid();'
    )
    options = "`pg_version`: before 11, any DEFAULT other than NULL is flagged."
    references = (
        "https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-NOTES",
        "https://www.postgresql.org/docs/current/xfunc-volatility.html",
    )

    def check(self, statement: Statement, ctx: Context) -> Iterable[Finding]:
        table = ctx.altered_existing_table(statement)
        if table is None:
            return ()
        return self._on_existing(statement, ctx, table)

    def _on_existing(self, statement: Statement, ctx: Context, table: TableName) -> Iterator[Finding]:
        node = statement.node
        for number, cmd, column_def in added_columns(node):
            constraints = column_constraints(column_def)
            default = next((c for c in constraints if c.get("contype") == "CONSTR_DEFAULT"), None)
            if (
                default is None
                or "raw_expr" not in default
                or is_serial_type(column_def.get("typeName", {}))
                or {c.get("contype") for c in constraints} & _OTHER_RULES
            ):
                continue
            column = column_def.get("colname", "")
            rewrite = f'ADD COLUMN "{column}" rewrites "{table}" under {_LOCK.sql_name}'
            wait = "reads and writes wait until every row is rewritten"
            if ctx.pg_version >= 11:
                function = volatile_function_here(default["raw_expr"], ctx)
                if function is None:
                    continue
                kind = "volatile" if function in KNOWN_VOLATILE else "not known to be stable or immutable"
                message = (
                    f"{rewrite}: its DEFAULT calls {function}(), which is {kind}, so it is computed for "
                    f"every existing row; {wait}."
                )
            elif is_null_constant(default["raw_expr"]):
                continue
            else:
                message = f"{rewrite}: before PostgreSQL 11 a DEFAULT is written into every existing row; {wait}."
            if emptied_before(ctx, table) == "TRUNCATE":
                return  # truncated earlier in the file: nothing to rewrite
            clause = constraint_text(ctx, column_def, default, column_def_span(ctx, number, column_def)[1])
            default_sql = after_keyword(clause, "DEFAULT") or "DEFAULT"
            yield ctx.finding(
                self,
                message,
                help="\n".join(
                    [
                        "Add the column without the default, set the default for new rows, then backfill "
                        "the existing rows in batches:",
                        *nullable_column_steps(ctx, number, column_def, default_sql=default_sql),
                    ]
                ),
                span=ctx.subcommand_span(number),
            )
