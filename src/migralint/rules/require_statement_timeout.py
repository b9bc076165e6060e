from __future__ import annotations

from typing import TYPE_CHECKING

from migralint.findings import Severity
from migralint.rules.unprotected_lock import Unprotected, UnprotectedLockRule

if TYPE_CHECKING:
    from migralint.config import Settings


class RequireStatementTimeout(UnprotectedLockRule):
    name = "require-statement-timeout"
    severity = Severity.WARNING
    # Off by default: without a statement_timeout the usual danger is the wait for the lock, which
    # require-lock-timeout reports already; and a statement_timeout must be lifted for the long
    # CONCURRENTLY builds a migration may legitimately hold, which not every team wants to manage.
    default_enabled = False
    summary = "A statement that blocks writes to an existing table runs with no statement_timeout set."
    why = (
        "ALTER TABLE, CREATE INDEX, DROP INDEX and the like hold a SHARE or stronger lock on the table "
        "until they finish, and the transaction commits: while they run, writes wait (for ACCESS "
        "EXCLUSIVE, reads too). When one turns out slower than expected, a rewrite or a scan of a big "
        "table, an index build, or a wait behind another lock, nothing stops it, and the application "
        "waits as long as it runs. With statement_timeout set, PostgreSQL cancels the statement after "
        "that time, the transaction rolls back and the lock is released. lock_timeout bounds only the "
        "wait for the lock; statement_timeout bounds the whole statement. Tables created earlier in "
        "the same migration are not counted."
    )
    bad = 'ALTER TABLE "User" ADD COLUMN "nickname" TEXT;'
    good = "SET statement_timeout = '10s';\n" 'ALTER TABLE "User" ADD COLUMN "nickname" TEXT;'
    options = (
        "`runner_sets_statement_timeout = true` turns the rule off, for runners that set "
        "statement_timeout on their connection themselves."
    )
    reported_once = (
        "per file, for every statement that takes a write-blocking lock on an existing table with no statement_timeout set before it"
    )
    references = (
        "https://www.postgresql.org/docs/current/runtime-config-client.html#GUC-STATEMENT-TIMEOUT",
        "https://www.postgresql.org/docs/current/explicit-locking.html",
    )

    setting = "statement_timeout"

    def runner_sets_it(self, settings: Settings) -> bool:
        return settings.runner_sets_statement_timeout

    def words(self, first: Unprotected, verb: str, others: str) -> tuple[str, str]:
        message = (
            f"{verb} takes {first.lock} on {first.table_words} with no "
            f"statement_timeout set: if it runs long (a rewrite, a scan, an index build, a wait behind "
            f"another lock), {first.waits} for as long as it runs.{others}"
        )
        help = (
            "Set statement_timeout first, so that a statement that runs long is cancelled and its lock "
            "released instead of blocking the table. When your deploy sets statement_timeout on its "
            "connection, say so with runner_sets_statement_timeout = true in the config instead.\n"
            "-- the first statement of the file; when it times out, find out why before running it again\n"
            "SET statement_timeout = '10s';\n"
            "-- a statement_timeout also cancels legitimately long work that blocks no writes, such as\n"
            "-- CREATE INDEX CONCURRENTLY or VALIDATE CONSTRAINT: lift it just for that statement\n"
            "-- SET statement_timeout = 0;  (then set it back)"
        )
        return message, help
