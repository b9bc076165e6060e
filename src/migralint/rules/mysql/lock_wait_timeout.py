from __future__ import annotations

import re
from collections.abc import Iterator

from migralint.findings import Finding, Severity
from migralint.linter.model_context import ModelContext
from migralint.rules.base import Rule
from migralint.rules.mysql.common import MYSQL, Reported
from migralint.sql import ir
from migralint.sql.mysql.readings import MySqlNode

# lock_wait_timeout in a SET, with the scope written before it: `SET GLOBAL` / `PERSIST` (and
# @@global.) change it for sessions opened later, not the migration's own (MySQL 8.4 manual, 15.7.6.1
# "SET Syntax for Variable Assignment"), so only a session assignment bounds the wait.
_SETS_TIMEOUT = re.compile(
    r"(?<![\w.@])(?P<at>@@(?:(?P<prefix>global|persist_only|persist|session|local)\.)?|@)?lock_wait_timeout\b", re.I
)
_WAITS = re.compile(r"\b(?:WAIT\s+\d+|NOWAIT)\b", re.I)  # MariaDB 10.3+: ALTER TABLE t WAIT n|NOWAIT ...
_DDL = (ir.Kind.ALTER_TABLE, ir.Kind.CREATE_INDEX, ir.Kind.DROP_INDEX, ir.Kind.DROP_TABLE, ir.Kind.RENAME_TABLE,
        ir.Kind.TRUNCATE)


class RequireLockWaitTimeout(Rule):
    name = "require-lock-wait-timeout"
    severity = Severity.WARNING
    dialects = MYSQL
    kinds = _DDL
    summary = "DDL on an existing MySQL table with no lock_wait_timeout set: a wait that can stop every query on it."
    why = (
        "Every ALTER TABLE, CREATE INDEX, RENAME or DROP, even an instant one, needs an exclusive metadata "
        "lock on the table, and waits for it behind any open transaction that has touched the table, even "
        "one that only read it. While it waits, every new query on the table queues behind it: the table "
        "is down until the ALTER gets its lock. lock_wait_timeout bounds that wait, and its default is "
        "31536000 seconds, a year (one day on MariaDB 10.2.4 and later). Set it to a few seconds at the top "
        "of the migration, so that the ALTER gives up and the deploy can be retried (SET SESSION or plain SET: "
        "SET GLOBAL and SET PERSIST change it for sessions opened later, not the migration's own). Tables created in the "
        "same migration, or by one not applied yet, are not counted."
    )
    bad = "ALTER TABLE `User` ADD COLUMN `nickname` VARCHAR(191) NULL;"
    good = "SET SESSION lock_wait_timeout = 5;\nALTER TABLE `User` ADD COLUMN `nickname` VARCHAR(191) NULL;"
    options = (
        "`runner_sets_lock_timeout = true` turns the rule off, for runners that set a lock timeout on their "
        "connection themselves."
    )
    reported_once = "per file, at the first DDL statement on an existing table with no lock_wait_timeout set before it"
    references = (
        "https://dev.mysql.com/doc/refman/8.4/en/server-system-variables.html#sysvar_lock_wait_timeout",
        "https://dev.mysql.com/doc/refman/8.4/en/metadata-locking.html",
        "https://mariadb.com/kb/en/metadata-locking/",
        "https://mariadb.com/kb/en/wait-and-nowait/",
    )

    def check_statement(self, statement: ir.Statement, ctx: ModelContext) -> Iterator[Finding]:
        seen = ctx.state(Reported, self.name)
        if ctx.settings.runner_sets_lock_timeout or seen.done or not statement.tables:
            return
        table = statement.tables[0]
        if not any(ctx.rows(t).may_hold_rows for t in statement.tables):
            return
        if _WAITS.search(_text(statement)) or any(
            e.kind is ir.Kind.SET and sets_session_timeout(_text(e)) for e in ctx.earlier
        ):
            return
        seen.done = True
        shown = ctx.sql.table(table)
        yield ctx.finding(
            self,
            f"This statement needs an exclusive metadata lock on {shown} with no lock_wait_timeout set: "
            f"while it waits for an open transaction on {shown} to end, every query on {shown} waits behind "
            "it, for up to a year by default.",
            table=table,
            help=(
                "Set a short lock wait at the top of the migration; when it times out, run the migration again "
                "later. When your deploy sets it on its connection, say so with runner_sets_lock_timeout = "
                "true in the config instead.\n"
                "SET SESSION lock_wait_timeout = 5;"
            ),
        )


def sets_session_timeout(text: str) -> bool:
    """Whether a SET statement gives this session a lock_wait_timeout."""
    for found in _SETS_TIMEOUT.finditer(text):
        if found["at"] == "@":
            continue  # a user variable of the same name
        scope = (found["prefix"] or "").upper()
        if not scope and not found["at"]:  # a scope written earlier in the statement carries on: SET GLOBAL a = 1, lock_wait_timeout = 5
            earlier = re.findall(r"\b(GLOBAL|PERSIST_ONLY|PERSIST|SESSION|LOCAL)\b", text[: found.start()], re.I)
            scope = earlier[-1].upper() if earlier else ""
        if scope not in ("GLOBAL", "PERSIST", "PERSIST_ONLY"):
            return True
    return False


def _text(statement: ir.Statement) -> str:
    raw = statement.raw
    return raw.text if isinstance(raw, MySqlNode) else ""
