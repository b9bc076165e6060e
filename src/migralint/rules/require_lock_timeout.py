from __future__ import annotations

from typing import TYPE_CHECKING

from migralint.findings import Severity
from migralint.rules.unprotected_lock import Unprotected, UnprotectedLockRule

if TYPE_CHECKING:
    from migralint.config import Settings


class RequireLockTimeout(UnprotectedLockRule):
    name = "require-lock-timeout"
    severity = Severity.WARNING
    summary = "A statement that blocks writes to an existing table runs with no lock_timeout set."
    why = (
        "Before ALTER TABLE, CREATE INDEX, DROP INDEX and the like can take their SHARE or stronger "
        "lock, they wait for every query already running on the table. While one waits in the lock "
        "queue, every query that comes after it waits too: behind one slow report, a quick ALTER TABLE "
        "stops all writes (for ACCESS EXCLUSIVE, all reads as well) until the report ends. With "
        "lock_timeout set, the statement gives up after a few seconds instead, and the migration can "
        "be retried. Tables created earlier in the same migration are not counted."
    )
    bad = 'ALTER TABLE "User" ADD COLUMN "nickname" TEXT;'
    good = 'SET lock_timeout = \'5s\';\nALTER TABLE "User" ADD COLUMN "nickname" TEXT;'
    options = (
        "`runner_sets_lock_timeout = true` turns the rule off, for runners that set lock_timeout on "
        "their connection themselves."
    )
    reported_once = (
        "per file, for every statement that takes a write-blocking lock on an existing table with no lock_timeout set before it"
    )
    references = (
        "https://www.postgresql.org/docs/current/runtime-config-client.html#GUC-LOCK-TIMEOUT",
        "https://www.postgresql.org/docs/current/explicit-locking.html",
    )

    setting = "lock_timeout"

    def runner_sets_it(self, settings: Settings) -> bool:
        return settings.runner_sets_lock_timeout

    def words(self, first: Unprotected, verb: str, others: str) -> tuple[str, str]:
        message = (
            f"{verb} takes {first.lock} on {first.table_words} with no lock_timeout set: "
            f"while it waits for a long-running transaction on the table to finish, {first.waits} "
            f"behind it.{others}"
        )
        help = (
            "Set lock_timeout first: without it the statement waits in the lock queue behind any long "
            "query, and every query after it waits too. When your deploy sets lock_timeout on its "
            "connection, say so with runner_sets_lock_timeout = true in the config instead.\n"
            "-- the first statement of the file; when it times out, run the migration again later\n"
            "SET lock_timeout = '5s';"
        )
        return message, help
