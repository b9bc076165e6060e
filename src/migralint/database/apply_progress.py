"""A progress line while one statement of `apply` runs long: how long, and whether it waits for a lock, on whom.

The migration's own connection is busy running the statement, so a thread polls from a second,
read-only connection (opened only once a statement has run a full interval): pg_stat_activity
for the statement's wait, pg_blocking_pids() for who blocks it, pg_locks for the table it waits
on. The monitor is best effort: when it cannot connect or read, the line says only how long.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from migralint.database.connection import connect
from migralint.database.durations import format_duration
from migralint.database.execution import FilePlan, Step

if TYPE_CHECKING:
    import psycopg

    Connection = psycopg.Connection[tuple[Any, ...]]

_WAIT = """
SELECT a.wait_event_type, a.wait_event, pg_blocking_pids(a.pid),
       (SELECT l.relation::regclass::text FROM pg_locks AS l
        WHERE l.pid = a.pid AND NOT l.granted AND l.relation IS NOT NULL LIMIT 1)
FROM pg_stat_activity AS a WHERE a.pid = %s
"""
_WHO = """
SELECT pid, coalesce(application_name, ''), coalesce(state, '') FROM pg_stat_activity
WHERE pid = ANY(%s) ORDER BY array_position(%s, pid)
"""


class Watch:
    """Told which statement runs; prints a line every `every_ms` while one runs at least that long."""

    def __init__(self, url: str, backend_pid: int, plan: FilePlan, every_ms: int, progress: Callable[[str], None]):
        self.url = url
        self.backend_pid = backend_pid
        self.plan = plan
        self.every = every_ms / 1000
        self.progress = progress
        self._current: tuple[Step, float] | None = None
        self._guard = threading.Lock()
        self._stop = threading.Event()
        self._monitor: Connection | None = None

    def running(self, step: Step | None) -> None:
        with self._guard:
            self._current = (step, time.monotonic()) if step is not None else None

    def loop(self) -> None:
        try:
            while not self._stop.wait(self.every):
                with self._guard:
                    current = self._current
                if current is None or time.monotonic() - current[1] < self.every * 0.99:
                    continue
                step, started = current
                ran = format_duration(int(round(time.monotonic() - started)) * 1000)
                line = f"  {self.plan.name} line {step.line}: {step.summary}: running for {ran}{self._waiting()}"
                with self._guard:  # the statement may have ended while the monitor read
                    if self._current is current:
                        self.progress(line)
        finally:
            if self._monitor is not None:
                self._monitor.close()

    def stop(self) -> None:
        self._stop.set()

    def _waiting(self) -> str:
        try:
            return _describe_wait(self._connection(), self.backend_pid)
        except Exception:  # noqa: BLE001 - a progress line must never stop a migration
            return ""

    def _connection(self) -> Connection:
        if self._monitor is None or self._monitor.closed:
            self._monitor = connect(self.url)
        return self._monitor


def _describe_wait(connection: Connection, pid: int) -> str:
    try:
        row = connection.execute(_WAIT, [pid]).fetchone()
        if row is None:
            return ""
        kind, event, blockers, relation = row
        who = connection.execute(_WHO, [list(blockers), list(blockers)]).fetchall() if blockers else []
    finally:
        connection.rollback()  # pg_stat_activity is a snapshot per transaction: the next poll needs a new one
    if kind != "Lock":
        return ", not waiting for a lock"
    on = f" on {relation}" if relation else f" ({event})" if event else ""
    holders = "; ".join(", ".join(part for part in (f"pid {p}", app, state) if part) for p, app, state in who)
    return f", waiting for a lock{on}" + (f" held by {holders}" if holders else "")


@contextmanager
def watching(
    url: str, connection: Connection, plan: FilePlan, every_ms: int, progress: Callable[[str], None]
) -> Iterator[Watch | None]:
    """A Watch running in a thread for the block (None when progress lines are off)."""
    if every_ms <= 0:
        yield None
        return
    watch = Watch(url, connection.info.backend_pid, plan, every_ms, progress)
    thread = threading.Thread(target=watch.loop, name="migralint-progress", daemon=True)
    thread.start()
    try:
        yield watch
    finally:
        watch.stop()
        thread.join(timeout=5)
