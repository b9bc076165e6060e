from __future__ import annotations

from collections.abc import Iterator

from migralint.findings import Finding, Severity
from migralint.linter.model_context import ModelContext, RowsKind
from migralint.rules.base import Rule
from migralint.rules.cockroachdb.common import COCKROACHDB, ONLINE_SCHEMA_CHANGES
from migralint.sql import ir

_PK_DOCS = "https://www.cockroachlabs.com/docs/stable/alter-table#alter-primary-key"


class CockroachAlterPrimaryKey(Rule):
    name = "cockroach-alter-primary-key"
    severity = Severity.WARNING
    dialects = COCKROACHDB
    kinds = (ir.Kind.ALTER_TABLE,)
    summary = (
        "A new primary key on an existing CockroachDB table rewrites the table and every index, and no other "
        "schema change of the table may start until it ends."
    )
    why = (
        "CockroachDB stores each row in its primary index, so changing the primary key "
        "(`ALTER PRIMARY KEY USING COLUMNS`, or DROP CONSTRAINT and ADD PRIMARY KEY; every CockroachDB table "
        "has one, the hidden `rowid` when none is declared) backfills a new primary index and rebuilds every "
        "secondary index: reads and writes go on, but the job reads and writes the whole table, which takes "
        "time and space in proportion to its size. While it runs, no other schema change of the table can "
        "start (\"ALTER PRIMARY KEY\", Details), and the old key is kept as a UNIQUE secondary index unless "
        "it was `rowid`. A table created in the same migration or a pending one is not flagged."
    )
    bad = "ALTER TABLE flags ALTER PRIMARY KEY USING COLUMNS (namespace_key, key);"
    good = (
        "CREATE TABLE flags (namespace_key STRING NOT NULL, key STRING NOT NULL, PRIMARY KEY (namespace_key, key));"
    )
    references = (_PK_DOCS, "https://www.cockroachlabs.com/docs/stable/primary-key", ONLINE_SCHEMA_CHANGES)

    def check_statement(self, statement: ir.Statement, ctx: ModelContext) -> Iterator[Finding]:
        for event in statement.events:
            if isinstance(event, ir.OtherTableChange) and event.what == ir.ALTER_PRIMARY_KEY:
                table = event.table
            elif isinstance(event, ir.AddConstraint) and event.kind is ir.ConstraintKind.PRIMARY_KEY:
                table = event.table
            else:
                continue
            if ctx.rows(table).kind is RowsKind.NEW:
                continue
            t = ctx.sql.table(table)
            yield ctx.finding(
                self,
                f"This changes the primary key of {t}: CockroachDB rewrites the table's primary index and every "
                "secondary index in a background job (reads and writes go on), and no other schema change of "
                f"{t} can start until it ends.",
                help=(
                    f"Run it in a migration of its own, at a quiet time, with room for a second copy of {t}; "
                    "check that nothing else changes the table's schema meanwhile (SHOW JOBS).\n"
                    f"-- migralint: ignore {self.name} -- {t} is small, or the backfill was planned"
                ),
                span=statement.span_of(event),
                table=table,
            )
