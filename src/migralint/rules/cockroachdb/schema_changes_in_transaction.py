from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from migralint.findings import Finding, Severity
from migralint.linter.model_context import ModelContext
from migralint.rules.base import Rule
from migralint.rules.cockroachdb.common import (
    COCKROACHDB,
    ONLINE_SCHEMA_CHANGES,
    CockroachContext,
    current_transaction,
    existing_schema_change,
)
from migralint.sql import ir


@dataclass(slots=True)
class _Reported:
    """The transactions of a file section this rule has already reported."""

    transactions: set[int] = field(default_factory=set)  # the first statement of each reported one


class CockroachSchemaChangesInTransaction(Rule):
    name = "cockroach-schema-changes-in-transaction"
    severity = Severity.WARNING
    dialects = COCKROACHDB
    summary = (
        "Several schema changes of existing tables in one transaction: CockroachDB does not apply them "
        "atomically, so a failure can leave some applied and others not."
    )
    why = (
        "CockroachDB runs each schema change as an online background job that starts when its transaction "
        "commits. With several in one transaction, one job can fail after the transaction committed while the "
        "others succeed: the client gets `transaction committed but schema change aborted` (XXA00), and the "
        "database is left half migrated with the migration recorded as done or failed. CockroachDB's docs "
        "advise one schema change per transaction when a tool opens transactions for you (\"Online Schema "
        "Changes\", Limitations). Whether a file is one transaction depends on the runner: an explicit BEGIN, "
        "golang-migrate (one query, one implicit transaction), ory popx, goose, Flyway, dbmate and diesel "
        "(one transaction per file) make it one; Prisma Migrate on CockroachDB 22.2+ runs each statement on "
        "its own (docs/dialects/cockroachdb.md has the source for each). Tables created in the same migration "
        "or a pending one are not counted: nothing reads them yet."
    )
    bad = (
        "BEGIN;\n"
        "ALTER TABLE users ADD COLUMN nickname STRING;\n"
        "CREATE INDEX users_nickname_idx ON users (nickname);\n"
        "COMMIT;"
    )
    good = (
        "ALTER TABLE users ADD COLUMN nickname STRING;\n"
        "CREATE INDEX users_nickname_idx ON users (nickname);"
    )
    reported_once = "per transaction, at its second schema change of an existing table"
    references = (
        ONLINE_SCHEMA_CHANGES,
        "https://www.cockroachlabs.com/docs/v22.1/online-schema-changes#limitations",
        "https://github.com/cockroachdb/cockroach/pull/76834",
        )

    def check_statement(self, statement: ir.Statement, ctx: ModelContext) -> Iterator[Finding]:
        crdb: CockroachContext = ctx  # type: ignore[assignment]
        if not existing_schema_change(statement, ctx):
            return
        transaction = current_transaction(crdb)
        if transaction is None:
            return
        first = transaction.statements[0].index if transaction.statements else statement.index
        seen = ctx.state(_Reported).transactions
        if first in seen:
            return
        before = [s for s in transaction.statements[:-1] if existing_schema_change(s, ctx)]
        if not before:
            return
        seen.add(first)
        line = crdb.parsed.index.position(before[0].start)[0]
        yield ctx.finding(
            self,
            f"This schema change runs in one transaction with the one on line {line} ({transaction.why}): "
            "CockroachDB does not apply them atomically, so if one of its background jobs fails the other can "
            "stay applied and the migration is left half done.",
            covers=before,
            help=(
                "Give each schema change of an existing table a transaction of its own: a migration of its own"
                + (" (an `.autocommit.` file is no way out: popx sends it as one query, one implicit transaction)"
                   if crdb.tool == "ory popx" else "")
                + ", or, where the runner opens no transaction of its own (golang-migrate, plain files), "
                "`BEGIN; ... COMMIT;` around each. Changes to tables created in the same migration may stay "
                "together.\n"
                "-- migralint: ignore cockroach-schema-changes-in-transaction -- a partial apply is repaired by hand"
            ),
        )
