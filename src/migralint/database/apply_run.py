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
from migralint.database.apply_progress import watching
from migralint.database.checksums import prisma_checksum
from migralint.database.connection import redact
from migralint.database.durations import format_duration, setting_value
from migralint.database.execution import FilePlan, Mode, Step
from migralint.database.history_table import HistoryTable
from migralint.sql.postgres.nodes import quote_ident

if TYPE_CHECKING:
    import psycopg

    Connection = psycopg.Connection[tuple[Any, ...]]


class MigrationFailed(Exception):
    """A migration failed in the database: its row records the failure (exit code 1)."""


class Timeouts(NamedTuple):
    lock_ms: int
    statement_ms: int


class RunOptions(NamedTuple):
    timeouts: Timeouts
    lock_timeout_retries: int = 0  # reruns of a migration whose one transaction hit lock_timeout
    progress_every_ms: int = 0  # a progress line while a statement runs this long (0: none)


class Recorder(NamedTuple):
    """Where a run is recorded: the history table, found in `schema`."""

    table: HistoryTable
    schema: str
    url: str  # to connect the progress monitor; shown only redacted


# Lock timeouts are retried after 1s, 2s, 4s, ... (at most 30s): long enough for a short
# transaction that holds the table to end, short enough not to stall a deploy.
RETRY_BASE_S = 1.0
RETRY_CAP_S = 30.0


def retry_delay(retry: int) -> float:
    """Seconds to wait before retry number `retry` (1-based)."""
    return min(RETRY_BASE_S * float(2 ** (retry - 1)), RETRY_CAP_S)


def set_timeouts(connection: Connection, timeouts: Timeouts) -> None:
    connection.execute(f"SET lock_timeout = '{setting_value(timeouts.lock_ms)}'")
    connection.execute(f"SET statement_timeout = '{setting_value(timeouts.statement_ms)}'")


def run_file(
    connection: Connection,
    plan: FilePlan,
    recorder: Recorder,
    options: RunOptions,
    shown_path: str,
    progress: Callable[[str], None],
) -> None:
    """Run one pending migration and record it; MigrationFailed when PostgreSQL refuses a statement.

    A one-transaction migration that fails on lock_timeout is rolled back whole, so it is run
    again (up to `lock_timeout_retries` times) in the same row: the history keeps one attempt.
    """
    import psycopg

    set_timeouts(connection, options.timeouts)
    row_id = recorder.table.record_started(connection, recorder.schema, plan.name, prisma_checksum(plan.data))
    retries = 0
    while True:
        done: list[Step] = []
        step: Step | None = None
        try:
            _run_steps(connection, plan, recorder, row_id, options, done, progress)
            return
        except (psycopg.Error, KeyboardInterrupt) as exc:
            step = _failed_step(plan, done)
            if _retryable(plan, done, exc) and retries < options.lock_timeout_retries:
                retries += 1
                _rollback(connection)
                delay = retry_delay(retries)
                waited = _lock_wait(connection, step, options.timeouts.lock_ms) if step else "lock_timeout ran out"
                progress(f"  {waited}: retrying {plan.name} in {delay:g}s "
                         f"(retry {retries} of {options.lock_timeout_retries})")
                try:
                    time.sleep(delay)
                except KeyboardInterrupt:  # Ctrl-C between attempts: record the lock failure it ended on
                    failure = _describe(connection, plan, step, done, exc, options.timeouts, shown_path, retries - 1)
                    _record_failure(connection, recorder, row_id, plan.name, failure)
                    raise
                set_timeouts(connection, options.timeouts)
                continue
            failure = _describe(connection, plan, step, done, exc, options.timeouts, shown_path, retries)
            message = _record_failure(connection, recorder, row_id, plan.name, failure)
            if isinstance(exc, KeyboardInterrupt):
                raise
            raise MigrationFailed(message) from None


def _run_steps(
    connection: Connection, plan: FilePlan, recorder: Recorder, row_id: str, options: RunOptions, done: list[Step],
    progress: Callable[[str], None],
) -> None:
    with watching(recorder.url, connection, plan, options.progress_every_ms, progress) as watch:
        for step in plan.steps:
            if plan.mode is Mode.TRANSACTION and _idle(connection):
                connection.execute("BEGIN")
            started = time.monotonic()
            if watch is not None:
                watch.running(step)
            try:
                connection.execute(step.text)
            finally:
                if watch is not None:
                    watch.running(None)
            done.append(step)
            if plan.mode is Mode.STATEMENTS:
                progress(f"  line {step.line}: {step.summary} ({_seconds(started)})")
    in_transaction = not _idle(connection)
    recorder.table.record_finished(connection, recorder.schema, row_id)
    if in_transaction:
        connection.execute("COMMIT")


def _failed_step(plan: FilePlan, done: list[Step]) -> Step | None:
    """The statement that failed: the one after the last that completed (None: the bookkeeping failed)."""
    return plan.steps[len(done)] if len(done) < len(plan.steps) else None


def _retryable(plan: FilePlan, done: list[Step], exc: BaseException) -> bool:
    import psycopg

    own_commit = any(s.kind == "TransactionStmt" and s.node.get("kind") == "TRANS_STMT_COMMIT" for s in done)
    return isinstance(exc, psycopg.errors.LockNotAvailable) and plan.mode is Mode.TRANSACTION and not own_commit


class Failure(NamedTuple):
    message: str  # what the user reads, up to what was left behind
    logs: str  # what the row keeps
    lost: bool  # the connection is gone: nothing more can be read or written on it


def _describe(
    connection: Connection,
    plan: FilePlan,
    step: Step | None,
    done: list[Step],
    exc: BaseException,
    timeouts: Timeouts,
    shown_path: str,
    retries: int = 0,
) -> Failure:
    import psycopg

    _rollback(connection)
    lost = _connection_lost(connection, exc)
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
    if isinstance(exc, psycopg.errors.LockNotAvailable) and step is not None and not lost:
        what = _lock_wait(connection, step, timeouts.lock_ms)
        if retries:
            what += f" (and again on each of {retries} retr{'y' if retries == 1 else 'ies'})"
    elif isinstance(exc, psycopg.errors.QueryCanceled) and "statement timeout" in server_message:
        what = f"statement_timeout ({format_duration(timeouts.statement_ms)}) ran out: {server_message}"
    extra = "".join(f" {label}: {' '.join(str(value).split())}" for label, value in (
        ("DETAIL", diag.message_detail if diag else None), ("HINT", diag.message_hint if diag else None)) if value)
    left = _left_behind(plan, step, done, lost)
    invalid = None if lost else _invalid_index(connection, step)
    if invalid:
        left += f" The failed build left the INVALID index {invalid}: DROP INDEX CONCURRENTLY {invalid}; before running it again."
    if lost:
        message = (f"{where}: migration {plan.name} did not finish: the connection to the database was lost "
                   f"({server_message}{f', {code}' if code else ''}). {left}")
    else:
        message = f"{where}: migration {plan.name} failed: {what}{f' ({code})' if code else ''}.{extra} {left}"
    logs = _logs(plan, step, code, diag, server_message, line, shown_path, left)
    return Failure(message, logs, lost)


def _connection_lost(connection: Connection, exc: BaseException) -> bool:
    import psycopg

    if connection.closed or connection.broken:
        return True
    code = exc.diag.sqlstate if isinstance(exc, psycopg.Error) and exc.diag.sqlstate else ""
    # 08: connection exceptions; 57P01-57P03: the server is shutting down or terminated the session.
    return code.startswith("08") or code in ("57P01", "57P02", "57P03")


def _left_behind(plan: FilePlan, step: Step | None, done: list[Step], lost: bool = False) -> str:
    if plan.mode is Mode.TRANSACTION:
        commits = [s for s in done if s.kind == "TransactionStmt" and s.node.get("kind") == "TRANS_STMT_COMMIT"]
        if not commits and lost and step is None:
            return "It was lost while committing: whether it committed is unknown."
        if not commits and lost:
            return "PostgreSQL rolls back a transaction that was not committed: nothing of it is left in the database."
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


def _record_failure(connection: Connection, recorder: Recorder, row_id: str, name: str, failure: Failure) -> str:
    """Write the failure into its row; the whole message, which says whether that worked."""
    import psycopg

    table = recorder.table.name
    why = "the connection is gone"
    if not failure.lost:
        try:
            recorder.table.record_failed(connection, recorder.schema, row_id, failure.logs)
            return (f"{failure.message} {table} records the failure: fix the cause, then run "
                    f"`migralint resolve --rolled-back {name}` and apply again.")
        except psycopg.Error as exc:
            lines = str(exc).strip().splitlines()
            why = lines[0] if lines else type(exc).__name__
    return (f"{failure.message} The failure could not be recorded in {table} ({why}): if the database at "
            f"{redact(recorder.url)} is still there, its row for {name} stays without finished_at and the next "
            f"apply refuses until it is resolved. Check what of it is in the database, then run "
            f"`migralint resolve --rolled-back {name}` (none of it) or `migralint resolve --applied {name}` (all of it).")


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
