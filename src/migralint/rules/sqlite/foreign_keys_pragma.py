from __future__ import annotations

from collections.abc import Iterator

from migralint.findings import Finding, Severity
from migralint.linter.model_context import ModelContext
from migralint.rules.base import Rule
from migralint.rules.sqlite.common import (
    FOREIGN_KEYS, RUNNERS, SQLITE, SqliteContext, is_foreign_keys_off, line_of, runner_of, tx_states,
)
from migralint.sql import ir


class SqliteForeignKeysPragmaInTransaction(Rule):
    name = "sqlite-foreign-keys-pragma-in-transaction"
    severity = Severity.ERROR
    dialects = SQLITE
    kinds = (ir.Kind.SET,)
    summary = "`PRAGMA foreign_keys=OFF` inside a transaction, where SQLite ignores it: foreign keys stay enforced."
    why = (
        "\"It is not possible to enable or disable foreign key constraints in the middle of a multi-statement "
        "transaction (when SQLite is not in autocommit mode). Attempting to do so does not return an error; it "
        "simply has no effect.\" (sqlite.org/foreignkeys.html, section 2). A file that turns foreign keys off to "
        "rebuild a table, inside its own BEGIN or inside the transaction its runner opens, still has them on: the "
        "rebuild's DROP TABLE then fires every child's ON DELETE action (`sqlite-rebuild-cascades`). Which runners "
        "open a transaction around the file, read from their source (docs/dialects/sqlite-runners.md): diesel (unless "
        "`run_in_transaction = false`), golang-migrate's sqlite drivers (unless `x-no-tx-wrap=true`), goose (unless "
        "`-- +goose NO TRANSACTION`) and drizzle's migrator (always, for all pending files); Prisma Migrate does "
        "not. A file that opens its own BEGIN first is taken to run unwrapped (SQLite refuses a BEGIN inside a "
        "transaction), one that starts with COMMIT to end the runner's transaction itself (homarr's drizzle files). "
        "Not flagged where foreign keys are already off: under ory popx, which turns them off itself before "
        "migrating, or after an effective `PRAGMA foreign_keys=OFF` earlier in the file (the repeat is redundant, not "
        "harmful); nor `PRAGMA foreign_keys=ON`, which changes nothing in a transaction either."
    )
    bad = (
        "BEGIN;\n"
        "PRAGMA foreign_keys=OFF;\n"
        "DROP TABLE \"Post\";\n"
        "COMMIT;"
    )
    good = (
        "PRAGMA foreign_keys=OFF;\n"
        "BEGIN;\n"
        "DROP TABLE \"Post\";\n"
        "COMMIT;\n"
        "PRAGMA foreign_keys=ON;"
    )
    references = (FOREIGN_KEYS, "https://www.sqlite.org/pragma.html#pragma_foreign_keys", RUNNERS)

    def check_statement(self, statement: ir.Statement, ctx: ModelContext) -> Iterator[Finding]:
        if not is_foreign_keys_off(statement.setting):
            return
        sqlite: SqliteContext = ctx  # type: ignore[assignment]
        runner = runner_of(sqlite)
        position = next(i for i, s in enumerate(sqlite.statements) if s is statement)
        state = tx_states(sqlite)[position]
        # Already off (popx turns them off itself; pocket-id repeats the PRAGMA after its BEGIN): no harm.
        if not state.open or state.foreign_keys_off:
            return
        begin = next((s for s in reversed(sqlite.statements[:position]) if s.tx is ir.Tx.BEGIN), None)
        if begin is not None:
            where = f"inside the BEGIN on line {line_of(sqlite, begin)}"
            first = "Turn foreign keys off before the BEGIN, and on again after the COMMIT:"
        else:
            where = f"inside the transaction {runner.name} runs the file in"
            first = f"Run the file outside a transaction ({runner.how}), with the PRAGMA before any BEGIN:"
        yield ctx.finding(
            self,
            f"SQLite ignores PRAGMA foreign_keys=OFF {where}: foreign keys stay enforced, and a DROP TABLE or "
            "DELETE that follows fires the children's ON DELETE actions.",
            help="\n".join([first, "PRAGMA foreign_keys=OFF;", "BEGIN;", "-- the statements that need it", "COMMIT;",
                            "PRAGMA foreign_key_check;", "PRAGMA foreign_keys=ON;"]),
        )
