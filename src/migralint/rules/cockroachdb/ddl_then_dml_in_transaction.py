from __future__ import annotations

from collections.abc import Iterator

from migralint.findings import Finding, Severity
from migralint.linter.model_context import ModelContext
from migralint.rules.base import Rule
from migralint.rules.cockroachdb.common import (
    COCKROACHDB,
    DML,
    ONLINE_SCHEMA_CHANGES,
    CockroachContext,
    current_transaction,
    existing_schema_change,
)
from migralint.sql import ir


class CockroachDdlThenDmlInTransaction(Rule):
    name = "cockroach-ddl-then-dml-in-transaction"
    severity = Severity.ERROR
    dialects = COCKROACHDB
    kinds = tuple(DML)
    summary = (
        "INSERT, UPDATE or DELETE on a table after a schema change of it in the same transaction: on "
        "CockroachDB the change is not visible yet, so the statement fails or writes without it."
    )
    why = (
        "CockroachDB runs a schema change of an existing table as a background job that starts only when the "
        "transaction commits. Until then the new column, constraint or index is not public: a later INSERT or "
        "UPDATE in the same transaction that names a new column fails with `column ... does not exist` "
        "(cockroachdb/cockroach#31463, #16841), and a data change that relies on a new constraint runs "
        "without it. When the write does run and the job fails afterwards, the transaction has committed "
        "with the data change but without the schema change (XXA00). Whether a file is one transaction "
        "depends on the runner (see `cockroach-schema-changes-in-transaction`). A table created in the same "
        "migration is not flagged: the transaction that creates a table can use all of it at once."
    )
    bad = (
        "BEGIN;\n"
        "ALTER TABLE users ADD COLUMN plan STRING;\n"
        "UPDATE users SET plan = 'free';\n"
        "COMMIT;"
    )
    good = (
        "-- one migration:\n"
        "ALTER TABLE users ADD COLUMN plan STRING;\n"
        "-- the next migration, once the column is public:\n"
        "-- UPDATE users SET plan = 'free' WHERE plan IS NULL LIMIT 10000;"
    )
    reported_once = "per data change, for the schema changes of its table before it in the transaction"
    references = (
        ONLINE_SCHEMA_CHANGES,
        "https://github.com/cockroachdb/cockroach/issues/31463",
        "https://github.com/cockroachdb/cockroach/issues/16841",
        "https://github.com/cockroachdb/cockroach/issues/42508",
        )

    def check_statement(self, statement: ir.Statement, ctx: ModelContext) -> Iterator[Finding]:
        crdb: CockroachContext = ctx  # type: ignore[assignment]
        written = {e.table for e in statement.events if isinstance(e, ir.DataChange)}
        if not written:
            return
        transaction = current_transaction(crdb)
        if transaction is None:
            return
        changes = [s for s in transaction.statements[:-1] if written & set(existing_schema_change(s, ctx))]
        if not changes:
            return
        table = next(t for t in written if any(t in existing_schema_change(s, ctx) for s in changes))
        line = crdb.parsed.index.position(changes[-1].start)[0]
        verb = statement.kind.value.upper()
        yield ctx.finding(
            self,
            f"This {verb} writes {ctx.sql.table(table)} after the schema change of it on line {line}, in the same "
            f"transaction ({transaction.why}): CockroachDB applies that change only after the commit, so the "
            f"{verb} does not see it (a new column \"does not exist\" yet).",
            covers=changes,
            table=table,
            help=(
                f"Move the {verb} to a migration of its own after the schema change (in batches for a large table):\n"
                f"-- next migration: {crdb.parsed.text[statement.start:statement.end].splitlines()[0][:120]}"
            ),
        )
