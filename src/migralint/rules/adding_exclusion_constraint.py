from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from migralint.findings import Finding, Severity
from migralint.linter.constraint_sql import added_constraints
from migralint.sql.postgres.locks import Lock
from migralint.linter.parse import Statement
from migralint.linter.suppressions import ignore_comment
from migralint.linter.table_rows import emptied_before
from migralint.rules.base import Rule

if TYPE_CHECKING:
    from migralint.linter.context import Context
    from migralint.sql.postgres.nodes import TableName

_LOCK = Lock.ACCESS_EXCLUSIVE


class AddingExclusionConstraint(Rule):
    name = "adding-exclusion-constraint"
    severity = Severity.ERROR
    lock = _LOCK
    nodes = ("AlterTableStmt",)
    subcommands = ("AT_AddConstraint:CONSTR_EXCLUSION", "AT_AddColumn")
    summary = "ADD CONSTRAINT ... EXCLUDE builds an index and checks every row while every query on the table waits."
    why = (
        "Adding an exclusion constraint to a table that holds rows builds its index (usually GiST) and "
        "checks every row against every other while holding ACCESS EXCLUSIVE: every query on the table, "
        "reads included, waits until it is done, and the statement fails if two rows conflict. Unlike "
        "UNIQUE, CHECK and FOREIGN KEY, an exclusion constraint has no way around it: it cannot be added "
        "NOT VALID, nor from an index built concurrently (USING INDEX takes only unique indexes). Add it "
        "while the table is small, or at a quiet time with lock_timeout set; or enforce the rule in a "
        "trigger. A table created earlier in the same file is not flagged."
    )
    bad = (
        'ALTER TABLE "Booking" ADD CONSTRAINT "Booking_no_overlap"\n'
        '    EXCLUDE USING gist ("roomId" WITH =, tstzrange("startsAt", "endsAt") WITH &&);'
    )
    good = (
        'CREATE TABLE "Booking" ("roomId" INTEGER NOT NULL, "startsAt" TIMESTAMPTZ NOT NULL, "endsAt" TIMESTAMPTZ NOT NULL,\n'
        '    CONSTRAINT "Booking_no_overlap" EXCLUDE USING gist ("roomId" WITH =, tstzrange("startsAt", "endsAt") WITH &&));'
    )
    references = (
        "https://www.postgresql.org/docs/current/sql-createtable.html#SQL-CREATETABLE-EXCLUDE",
        "https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-DESC-ADD-TABLE-CONSTRAINT",
    )

    def check(self, statement: Statement, ctx: Context) -> Iterable[Finding]:
        table = ctx.altered_existing_table(statement)
        if table is None or emptied_before(ctx, table) == "TRUNCATE":
            return ()
        return self._on_existing(statement, ctx, table)

    def _on_existing(self, statement: Statement, ctx: Context, table: TableName) -> Iterator[Finding]:
        for added in added_constraints(statement.node, frozenset({"CONSTR_EXCLUSION"})):
            name = added.constraint.get("conname")
            what = f'ADD CONSTRAINT "{name}" EXCLUDE' if name else "ADD EXCLUDE"
            sql = ctx.parsed.text[statement.start : statement.end]
            yield ctx.finding(
                self,
                f'{what} builds its index and checks every row while holding {_LOCK.sql_name} on "{table}": every '
                "query on it, reads included, waits until it is done, and it fails if two rows conflict.",
                help=(
                    "An exclusion constraint cannot be added without the lock: add it at a quiet time, with "
                    "lock_timeout set so that it gives up instead of queueing behind long queries, or enforce "
                    "the rule in a trigger instead.\n"
                    "SET lock_timeout = '5s';\n"
                    f'-- when "{table}" is small or traffic is low:\n'
                    f"{ignore_comment(self.name, 'run at a quiet time, with lock_timeout set')}\n"
                    f"{sql};"
                ),
                span=ctx.subcommand_span(added.number),
            )
