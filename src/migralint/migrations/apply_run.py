"""Running one migration file for `apply`, and what is recorded when it fails.

The row goes in first and is committed (as Prisma does: a run that dies leaves a row without
`finished_at`, which the next run reports). In one transaction, `finished_at` is set inside the
migration's transaction, just before its COMMIT, so that a migration and its record commit
together. A file that ends the transaction itself (`COMMIT;`) gets a new one for the statements
after it, as PostgreSQL does for a multi-statement query. Statement by statement, each statement
commits on its own and is reported as it completes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

from migralint import __version__
from migralint.linter.nodes import quote_ident
from migralint.migrations.checksums import prisma_checksum
from migralint.migrations.database import redact
from migralint.migrations.durations import format_duration, setting_value
from migralint.migrations.execution import FilePlan, Mode, Step
from migralint.migrations.history_table import HistoryTable

if TYPE_CHECKING:
    import psycopg

    Connection = psycopg.Connection[tuple[Any, ...]]


class MigrationFailed(Exception):
    """A migration failed in the database: its row records the failure (exit code 1)."""


class Timeouts(NamedTuple):
    lock_ms: int
    statement_ms: int


class Recorder(NamedTuple):
    """Where a run is recorded: the history table, found in `schema`."""

    table: HistoryTable
    schema: str
    url: str  # for messages, redacted


def set_timeouts(connection: Connection, timeouts: Timeouts) -> None:
    connection.execute(f"SET lock_timeout = '{setting_value(timeouts.lock_ms)}'")
    connection.execute(f"SET statement_timeout = '{setting_value(timeouts.statement_ms)}'")


def run_file(
    connection: Connection,
    plan: FilePlan,
    recorder: Recorder,
    timeouts: Timeouts,
    shown_path: str,
    progress: Callable[[str], None],
) -> None:
    """Run one pending migration and record it; MigrationFailed when PostgreSQL refuses a statement."""
    import psycopg

    set_timeouts(connection, timeouts)
    row_id = recorder.table.record_started(connection, recorder.schema, plan.name, prisma_checksum(plan.data))
    done: list[Step] = []
    step: Step | None = None
    try:
        for step in plan.steps:
            if plan.mode is Mode.TRANSACTION and _idle(connection):
                connection.execute("BEGIN")
            started = time.monotonic()
            connection.execute(step.text)
            done.append(step)
            if plan.mode is Mode.STATEMENTS:
                progress(f"  line {step.line}: {step.summary} ({_seconds(started)})")
        step = None
        in_transaction = not _idle(connection)
        recorder.table.record_finished(connection, recorder.schema, row_id)
        if in_transaction:
            connection.execute("COMMIT")
    except (psycopg.Error, KeyboardInterrupt) as exc:
        failure = _describe(connection, plan, step, done, exc, timeouts, shown_path, recorder)
        _record_failure(connection, recorder, row_id, failure)
        if isinstance(exc, KeyboardInterrupt):
            raise
        raise MigrationFailed(failure.message) from None


class Failure(NamedTuple):
    message: str  # what the user reads
    logs: str  # what the row keeps


def _describe(
    connection: Connection,
    plan: FilePlan,
    step: Step | None,
    done: list[Step],
    exc: BaseException,
    timeouts: Timeouts,
    shown_path: str,
    recorder: Recorder,
) -> Failure:
    import psycopg

    _rollback(connection)
    diag = exc.diag if isinstance(exc, psycopg.Error) else None
    lines = str(exc).strip().splitlines()
    server_message = (diag.message_primary if diag else None) or (lines[0] if lines else type(exc).__name__)
    if isinstance(exc, KeyboardInterrupt):
        server_message = "interrupted (Ctrl-C): the statement was cancelled"
    code = diag.sqlstate if diag and diag.sqlstate else ""
    position = int(diag.statement_position) if diag and diag.statement_position else None
    line = plan.line_of(step, position) if step is not None else None
    where = f"{shown_path}:{line}" if line else shown_path
    what = server_message
    if isinstance(exc, psycopg.errors.LockNotAvailable) and step is not None:
        what = _lock_wait(connection, step, timeouts.lock_ms)
    elif isinstance(exc, psycopg.errors.QueryCanceled) and "statement timeout" in server_message:
        what = f"statement_timeout ({format_duration(timeouts.statement_ms)}) ran out: {server_message}"
    left = _left_behind(plan, step, done)
    invalid = _invalid_index(connection, step)
    if invalid:
        left += f" The failed build left the INVALID index {invalid}: DROP INDEX CONCURRENTLY {invalid}; before running it again."
    message = (
        f"{where}: migration {plan.name} failed: {what}{f' ({code})' if code else ''}. {left} "
        f"{recorder.table.name} records the failure: fix the cause, then run "
        f"`migralint resolve --rolled-back {plan.name}` and apply again."
    )
    logs = _logs(plan, step, code, diag, server_message, line, shown_path, left)
    return Failure(message, logs)


def _left_behind(plan: FilePlan, step: Step | None, done: list[Step]) -> str:
    if plan.mode is Mode.TRANSACTION:
        commits = [s for s in done if s.kind == "TransactionStmt" and s.node.get("kind") == "TRANS_STMT_COMMIT"]
        if not commits:
            return "Its transaction was rolled back: nothing of it is left in the database."
        return (f"The statements up to its own COMMIT on line {commits[-1].line} stay applied; "
                "the ones after it were rolled back.")
    if not done:
        return "No statement of it had completed."
    lines = ", ".join(str(s.line) for s in done)
    after = "nothing after it ran" if step is not None else "the record of its success was not written"
    return f"{len(done)} statement(s) completed before it and stay applied (lines {lines}); {after}."


def _logs(
    plan: FilePlan, step: Step | None, code: str, diag: Any, message: str, line: int | None, shown_path: str, left: str
) -> str:
    parts = [f"Migration name: {plan.name}", f"Database error code: {code or 'none'}", "Database error:"]
    severity = (diag.severity_nonlocalized or diag.severity) if diag is not None else None
    details = [f"{severity or 'ERROR'}: {message}"]
    for label, attribute in (("DETAIL", "message_detail"), ("HINT", "message_hint"), ("CONTEXT", "context")):
        value = getattr(diag, attribute, None) if diag is not None else None
        if value:
            details.append(f"{label}: {value}")
    parts[-1] += "\n" + "\n".join(details)
    if step is not None:
        parts.append(f"Position: {shown_path} line {line}, statement {step.number} of {len(plan.steps)} "
                     f"({plan.mode})")
    parts.append(left)
    parts.append(f"Applied by migralint {__version__}.")
    return "\n\n".join(parts)


def _record_failure(connection: Connection, recorder: Recorder, row_id: str, failure: Failure) -> None:
    import psycopg

    try:
        recorder.table.record_failed(connection, recorder.schema, row_id, failure.logs)
    except psycopg.Error as exc:  # the connection is gone: the row stays unfinished, which says as much
        raise MigrationFailed(
            f"{failure.message} (The error could not be written to {recorder.table.name}: "
            f"{str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__}; "
            f"the database at {redact(recorder.url)} keeps the row unfinished.)"
        ) from None


_HOLDERS = """
SELECT l.relation::regclass::text, l.pid, coalesce(a.application_name, ''), coalesce(a.state, '')
FROM pg_locks AS l LEFT JOIN pg_stat_activity AS a ON a.pid = l.pid
WHERE l.granted AND l.pid <> pg_backend_pid()
  AND l.relation IN (SELECT to_regclass(name) FROM unnest(%s::text[]) AS name)
ORDER BY array_position(%s::text[], l.relation::regclass::text), l.pid
"""


def _lock_wait(connection: Connection, step: Step, lock_ms: int) -> str:
    """Which table the statement waited for: one the statement names that another session holds."""
    import psycopg

    names = step.relations()
    budget = f"lock_timeout ({format_duration(lock_ms)}) ran out"
    try:
        rows = connection.execute(_HOLDERS, [names, names]).fetchall() if names else []
    except psycopg.Error:
        _rollback(connection)
        rows = []
    if rows:
        table, pid, application, state = rows[0]
        who = ", ".join(part for part in (f"pid {pid}", application, state) if part)
        return f"{budget} waiting for a lock on {table}, held by another session ({who})"
    if names:
        return f"{budget} waiting for a lock on {names[0]}"
    return f"{budget} waiting for a lock (PostgreSQL does not say on what)"


def _invalid_index(connection: Connection, step: Step | None) -> str | None:
    """The INVALID index a failed CREATE INDEX CONCURRENTLY left, if any."""
    import psycopg

    if step is None or step.kind != "IndexStmt" or not step.node.get("concurrent") or not step.node.get("idxname"):
        return None
    schema = step.node.get("relation", {}).get("schemaname")
    name = quote_ident(str(step.node["idxname"]))
    name = f"{quote_ident(schema)}.{name}" if schema else name
    try:
        row = connection.execute(
            "SELECT i.indexrelid::regclass::text FROM pg_index AS i "
            "WHERE i.indexrelid = to_regclass(%s) AND NOT i.indisvalid", [name]
        ).fetchone()
    except psycopg.Error:
        _rollback(connection)
        return None
    return str(row[0]) if row else None


def _idle(connection: Connection) -> bool:
    from psycopg.pq import TransactionStatus

    return bool(connection.info.transaction_status == TransactionStatus.IDLE)


def _rollback(connection: Connection) -> None:
    import psycopg

    try:
        if not _idle(connection):
            connection.execute("ROLLBACK")
    except psycopg.Error:
        pass  # the connection is gone; the server rolls back what was open


def _seconds(started: float) -> str:
    return f"{time.monotonic() - started:.1f}s"
