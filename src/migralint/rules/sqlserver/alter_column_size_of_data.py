from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from migralint.findings import Finding, Severity
from migralint.rules.base import Rule
from migralint.rules.sqlserver.common import (
    ALTER_COLUMN_LEVELS, ALTER_TABLE, LOCKING, MSG_1712, ONLINE_ALTER_EDITIONS, SQLSERVER, SWART,
    blocks_reads_or_writes, column_definition, type_change,
)
from migralint.sql import ir

if TYPE_CHECKING:
    from migralint.linter.model_context import ModelContext


class MssqlAlterColumnSizeOfData(Rule):
    name = "mssql-alter-column-size-of-data"
    severity = Severity.ERROR
    dialects = SQLSERVER
    kinds = (ir.Kind.ALTER_TABLE,)
    summary = (
        "ALTER COLUMN that changes a column's type or size reads or rewrites every row under a schema-modification "
        "lock: every query on the table waits."
    )
    why = (
        "ALTER TABLE takes a schema-modification (Sch-M) lock on the table, which blocks every other query on it, "
        "reads included, and holds it to the end of the transaction (ALTER TABLE (Transact-SQL), \"Locks and "
        "ALTER TABLE\"; Prisma runs the whole file in one). What happens under it depends on the change, which the "
        "rule judges against the column's type in the replayed history: making a `varchar`, `nvarchar` or "
        "`varbinary` longer changes only metadata, as does `text`, `ntext` or `image` to its `(max)` successor; "
        "making one shorter checks every row; any other change of type or size (`int` to `bigint`, `char(4)` to "
        "`char(6)`, `varchar` to `nvarchar`, a length to or from `max`) rewrites every row (Erland Sommarskog on "
        "Microsoft Q&A, \"There are three levels of ALTER TABLE ALTER COLUMN\"; Michael J. Swart, \"Altering Text "
        "Columns: Only a Metadata Change?\"). On a large table that is minutes to hours of blocked queries and a "
        "transaction log as large as the table. `WITH (ONLINE = ON)` (SQL Server 2016+, Enterprise edition and "
        "Azure SQL; Msg 1712 elsewhere) copies the rows while reads and writes go on. Not flagged: tables created "
        "in the same migration or by one not applied yet, metadata-only changes, a change of NULL / NOT NULL "
        "alone (`adding-not-nullable-field` and `ban-drop-not-null`), and a column whose earlier type the history "
        "does not have."
    )
    bad = (
        "ALTER TABLE [dbo].[Order] ALTER COLUMN [total] INT NOT NULL;\n"
        "ALTER TABLE [dbo].[Order] ALTER COLUMN [total] BIGINT NOT NULL;"
    )
    good = (
        "ALTER TABLE [dbo].[Order] ALTER COLUMN [note] NVARCHAR(100) NULL;\n"
        "ALTER TABLE [dbo].[Order] ALTER COLUMN [note] NVARCHAR(500) NULL;"
    )
    references = (ALTER_TABLE, ALTER_COLUMN_LEVELS, SWART, LOCKING, MSG_1712)

    def check_statement(self, statement: ir.Statement, ctx: ModelContext) -> Iterator[Finding]:
        for event in statement.events:
            if not isinstance(event, ir.AlterColumnType):
                continue
            lock = blocks_reads_or_writes(statement, event.table)
            if lock is None or not ctx.rows(event.table).may_hold_rows or ctx.is_new_column(event.table, event.column):
                continue
            old = ctx.column(event.table, event.column)
            if old is None or not old.type:
                continue  # the earlier type is unknown: it may be a metadata-only lengthening
            change = type_change(old.type, event.type)
            if change.work is None:
                continue
            t, c = ctx.sql.table(event.table), ctx.sql.quote(event.column)
            done = "reads every row" if change.work is ir.Work.SCAN else "rewrites every row"
            held = ", held until the migration's transaction commits" if ctx.in_transaction else ""
            yield ctx.finding(
                self,
                f"ALTER COLUMN {c} {done} of {t} under a schema-modification (Sch-M) lock{held}: every query on "
                f"{t}, reads included, waits until it ends ({change.why}).",
                help=(
                    f"Run it online ({ONLINE_ALTER_EDITIONS}); elsewhere, run it at a quiet time, or add a column of "
                    "the new type, backfill it in batches and move the code to it.\n"
                    f"{ctx.sql.alter_table(statement)} ALTER COLUMN {c} {column_definition(statement, event)} "
                    "WITH (ONLINE = ON);"
                ),
                span=statement.span_of(event),
                table=event.table,
            )
