from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from migralint.findings import Finding, Severity
from migralint.linter.model_context import ModelContext
from migralint.rules.base import Rule
from migralint.rules.sqlite.common import (
    DROP_TABLE, FOREIGN_KEYS, RUNNERS, SQLITE, SqliteContext, at, dropped_table, is_foreign_keys_off, rebuilds, runner_of,
    tx_states,
)
from migralint.sql import ir

if TYPE_CHECKING:
    from migralint.sql.sqlite.rebuilds import Rebuild

_WHAT = {"cascade": "deletes its rows", "set null": "sets its reference to NULL", "set default": "resets its reference"}


class SqliteRebuildCascades(Rule):
    name = "sqlite-rebuild-cascades"
    severity = Severity.ERROR
    dialects = SQLITE
    summary = (
        "A table rebuild whose DROP TABLE runs while foreign keys are enforced: the ON DELETE CASCADE / SET NULL "
        "of every table that references it fires, and the children are wiped or orphaned."
    )
    why = (
        "SQLite changes a table by rebuilding it: create `new_X`, copy the rows, `DROP TABLE X`, rename `new_X` to "
        "`X` (sqlite.org/lang_altertable.html, \"Making Other Kinds Of Table Schema Changes\"). While foreign keys "
        "are enforced, DROP TABLE first deletes every row of X (sqlite.org/lang_droptable.html), and that delete "
        "fires the ON DELETE CASCADE, SET NULL or SET DEFAULT of every table that references X: the children are "
        "emptied or lose their references, and the copy in `new_X` does not bring them back (drizzle-orm#5782, "
        "cloudflare/workers-sdk#5438, prisma/prisma#24208). `PRAGMA foreign_keys=OFF` prevents it only outside a "
        "transaction: inside one SQLite ignores it without an error (sqlite.org/foreignkeys.html, section 2), and "
        "`PRAGMA defer_foreign_keys` does not stop the cascade. So whether a rebuild is safe depends on the runner "
        "(docs/dialects/sqlite-runners.md, read from each runner's source): Prisma Migrate sends the file without a "
        "transaction, so its `PRAGMA foreign_keys=OFF` works and its rebuilds are not flagged; ory popx turns "
        "foreign keys off itself before migrating, so none of its rebuilds is flagged; diesel, golang-migrate, goose "
        "and drizzle's migrator run the file in a transaction (unless told not to: `run_in_transaction = false`, "
        "`x-no-tx-wrap=true`, `-- +goose NO TRANSACTION`; drizzle has no switch), where the file's PRAGMA does "
        "nothing. A file that opens its own BEGIN first is taken to run unwrapped (SQLite would refuse that BEGIN "
        "inside the runner's transaction), and one that starts with COMMIT to end the runner's transaction itself. "
        "Plain files run outside a transaction unless the `assume_in_transaction` setting says otherwise. "
        "Only children the folder's history declares with such an ON DELETE action, and that may hold rows, are "
        "counted; a table created in the same migration or by a pending one is not flagged. Whether foreign keys "
        "are enforced at all is the connection's choice (off by default, always on in Cloudflare D1): the rule "
        "assumes they may be."
    )
    bad = (
        "ALTER TABLE \"Comment\" ADD COLUMN \"postId\" INTEGER REFERENCES \"Post\" (\"id\") ON DELETE CASCADE;\n"
        "CREATE TABLE \"new_Post\" (\"id\" INTEGER NOT NULL PRIMARY KEY, \"title\" TEXT NOT NULL);\n"
        "INSERT INTO \"new_Post\" (\"id\", \"title\") SELECT \"id\", \"title\" FROM \"Post\";\n"
        "DROP TABLE \"Post\";\n"
        "ALTER TABLE \"new_Post\" RENAME TO \"Post\";"
    )
    good = (
        "ALTER TABLE \"Comment\" ADD COLUMN \"postId\" INTEGER REFERENCES \"Post\" (\"id\") ON DELETE CASCADE;\n"
        "PRAGMA foreign_keys=OFF;\n"
        "CREATE TABLE \"new_Post\" (\"id\" INTEGER NOT NULL PRIMARY KEY, \"title\" TEXT NOT NULL);\n"
        "INSERT INTO \"new_Post\" (\"id\", \"title\") SELECT \"id\", \"title\" FROM \"Post\";\n"
        "DROP TABLE \"Post\";\n"
        "ALTER TABLE \"new_Post\" RENAME TO \"Post\";\n"
        "PRAGMA foreign_key_check;\n"
        "PRAGMA foreign_keys=ON;"
    )
    references = (DROP_TABLE, FOREIGN_KEYS, "https://www.sqlite.org/lang_altertable.html#otheralter", RUNNERS,
                  "https://github.com/drizzle-team/drizzle-orm/issues/5782",
                  "https://github.com/cloudflare/workers-sdk/issues/5438")

    def check_statement(self, statement: ir.Statement, ctx: ModelContext) -> Iterator[Finding]:
        sqlite: SqliteContext = ctx  # type: ignore[assignment]
        found = rebuilds(sqlite)
        if not found:
            return
        for rebuild in found:
            if at(sqlite, rebuild.drop) is not statement:
                continue
            dropped = dropped_table(rebuild)
            if not ctx.rows(dropped).may_hold_rows:
                continue
            children = [k for k in rebuild.children if ctx.rows(k.table).may_hold_rows]
            state = tx_states(sqlite)[rebuild.drop]
            if not children or state.foreign_keys_off:
                continue
            yield ctx.finding(
                self,
                _message(sqlite, rebuild, children),
                help=_help(sqlite, rebuild, children),
                table=rebuild.table,
            )


def _message(ctx: SqliteContext, rebuild: Rebuild, children: list[ir.AddConstraint]) -> str:
    runner = runner_of(ctx)
    dropped = ctx.sql.table(dropped_table(rebuild))
    fired = "; ".join(
        f"{ctx.sql.table(k.table)} ({', '.join(ctx.sql.quote(c) for c in k.columns)}, ON DELETE {k.on_delete.upper()}) "
        f"{_WHAT.get(k.on_delete, 'is changed')}"
        for k in children
    )
    states = tx_states(ctx)
    # A PRAGMA foreign_keys=OFF of the file that SQLite ignored (written inside a transaction).
    ignored = any(is_foreign_keys_off(s.setting) and states[i].open for i, s in enumerate(ctx.statements[: rebuild.drop]))
    if ignored:
        own_begin = any(s.tx is ir.Tx.BEGIN for s in ctx.statements[: rebuild.drop])
        why = ("the file's PRAGMA foreign_keys=OFF is ignored, since it runs after the file's own BEGIN" if own_begin
               else f"the file's PRAGMA foreign_keys=OFF is ignored, since {runner.name} runs the file in a transaction")
    else:
        why = "nothing turns foreign keys off before it"
    return (
        f"This rebuild's DROP TABLE {dropped} deletes every row of {dropped} first when foreign keys are enforced, "
        f"and {why}: {fired}."
    )


def _help(ctx: SqliteContext, rebuild: Rebuild, children: list[ir.AddConstraint]) -> str:
    runner = runner_of(ctx)
    lines = []
    if runner.wraps:
        lines.append(f"Turn foreign keys off outside any transaction: {runner.how}, then write the rebuild as:")
    else:
        lines.append("Turn foreign keys off before the rebuild, outside any BEGIN, and check the references after it:")
    lines += [
        "PRAGMA foreign_keys=OFF;",
        f"-- the rebuild of {ctx.sql.table(rebuild.table)}, unchanged",
        *[f"PRAGMA foreign_key_check({ctx.sql.quote(k.table.name)});" for k in children],
        "PRAGMA foreign_keys=ON;",
    ]
    if runner.wraps and runner.name == "drizzle's migrator":
        lines.append("-- on Cloudflare D1 foreign keys cannot be turned off: rebuild the children as well, or avoid the change")
    return "\n".join(lines)
